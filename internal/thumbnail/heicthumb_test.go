package thumbnail

import (
	"bytes"
	"context"
	"github.com/disintegration/imaging"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/decode"
	"golang.org/x/sync/semaphore"
)

// heicFixture returns a file of internal/decode/testdata and its full decode.
func heicFixture(t *testing.T, name string) ([]byte, decode.Header, image.Image) {
	t.Helper()
	data, err := os.ReadFile("../decode/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	h, err := decode.ReadHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := decode.Decode(context.Background(), data, h, 1)
	if err != nil {
		t.Fatal(err)
	}
	return data, h, img
}

// TestHEICThumbnailItem checks that Make decodes a HEIC's thumbnail item
// when it covers every box, and the primary item otherwise.
// thumbitem.heic's primary item (512x342) is the negative of the picture
// its thumbnail item (256x170) shows, so the pixels tell which was used.
func TestHEICThumbnailItem(t *testing.T) {
	spliced, primaryHeader, _ := heicFixture(t, "thumbitem.heic")
	_, _, thumbPicture := heicFixture(t, "photo.heic")
	_, _, primaryPicture := heicFixture(t, "thumb.heic")
	thumbHeader, ok := primaryHeader.Thumbnail(1, 1)
	if !ok {
		t.Fatal("thumbitem.heic has no thumbnail item")
	}
	corrupt := bytes.Clone(spliced)
	hvcC := bytes.LastIndex(corrupt, []byte("hvcC"))
	// The thumbnail item's decoder configuration, up to and with its
	// parameter sets: no picture can be decoded without them.
	clear(corrupt[hvcC+4 : hvcC+48])
	if corruptHeader, err := decode.ReadHeader(corrupt); err != nil {
		t.Fatal(err)
	} else if th, ok := corruptHeader.Thumbnail(128, 86); !ok {
		t.Fatal("the corrupt file offers no thumbnail item")
	} else if _, err := decode.Decode(context.Background(), corrupt, th, 1); err == nil {
		t.Fatal("the corrupt thumbnail item decodes")
	}

	tests := []struct {
		name        string
		data        []byte
		boxes       string
		memoryLimit int64 // 0 for no budget
		want        image.Image
	}{
		{"128 box from the thumbnail", spliced, "128", 0, thumbPicture},
		{"all boxes covered", spliced, "128,200x100,250", 0, thumbPicture},
		{"256 box needs 256x171", spliced, "256", 0, primaryPicture},
		{"box larger than the thumbnail", spliced, "300", 0, primaryPicture},
		{"one box larger than the thumbnail", spliced, "64,300", 0, primaryPicture},
		{"thumbnail within a budget too small for the primary", spliced, "128", memoryNeed(thumbHeader, 1), thumbPicture},
		{"undecodable thumbnail falls back to the primary", corrupt, "128", 0, primaryPicture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Quality: 95}
			for _, b := range strings.Split(tt.boxes, ",") {
				o.Boxes = append(o.Boxes, mustBox(t, b))
			}
			if tt.memoryLimit > 0 {
				o.Memory, o.MemoryLimit = semaphore.NewWeighted(tt.memoryLimit), tt.memoryLimit
			}
			thumbs, err := Make(context.Background(), tt.data, o)
			if err != nil {
				t.Fatal(err)
			}
			for _, th := range thumbs {
				// The size comes from the primary item's, whatever was decoded.
				tw, tht := target(primaryHeader.Width, primaryHeader.Height, th.Box, o.Fit, o.Upscale)
				got, err := jpeg.Decode(bytes.NewReader(th.Data))
				if err != nil {
					t.Fatal(err)
				}
				if got.Bounds().Size() != image.Pt(tw, tht) {
					t.Fatalf("box %v: %v, want %dx%d", th.Box, got.Bounds().Size(), tw, tht)
				}
				// The HEIC pictures are heif-enc -q 30 and -q 50 of the
				// same noisy picture, one in negative: under 12 dB apart.
				if p := psnr(t, imaging.Resize(tt.want, tw, tht, imaging.Lanczos), got); p < 25 {
					t.Errorf("box %v: PSNR %.1f dB against the expected item's picture, want >= 25", th.Box, p)
				}
			}
		})
	}

	o := Options{Boxes: []Box{mustBox(t, "300")}, Memory: semaphore.NewWeighted(memoryNeed(thumbHeader, 1)), MemoryLimit: memoryNeed(thumbHeader, 1)}
	if _, err := Make(context.Background(), spliced, o); err == nil || !strings.Contains(err.Error(), "over the memory budget") {
		t.Errorf("primary over the budget: error %v, want one about the memory budget", err)
	}
}

// TestHEICGridThumbnail checks that Make decodes a grid HEIC tile by tile
// when the box leaves an even shrink, within a memory budget that the
// whole-picture decode would not fit, and that the thumbnail matches one
// made from the whole picture, as libheif composes it with the grid's
// irot applied, given as a PNG: the samples are the same, but the tile
// path averages them in YCbCr, the PNG path in RGB, so 43 dB apart or
// closer (46.6 measured).
func TestHEICGridThumbnail(t *testing.T) {
	data, h, whole := heicFixture(t, "gridrot.heic")
	o := Options{Boxes: []Box{mustBox(t, "64")}, Quality: 95}
	shrink := decodeShrink(h, h.Width, h.Height, o)
	if shrink != 2 || !h.DecodesTiles(shrink) {
		t.Fatalf("shrink %d, tiles %v; want the tile path at 1/2", shrink, h.DecodesTiles(shrink))
	}
	need := memoryNeed(h, shrink)
	if need >= memoryNeed(h, 1) {
		t.Fatalf("the tile path needs %d bytes, the whole picture %d", need, memoryNeed(h, 1))
	}
	o.Memory, o.MemoryLimit = semaphore.NewWeighted(need), need
	thumbs, err := Make(context.Background(), data, o)
	if err != nil {
		t.Fatal(err)
	}
	got, err := jpeg.Decode(bytes.NewReader(thumbs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	tw, th := target(h.Width, h.Height, o.Boxes[0], o.Fit, o.Upscale)
	if got.Bounds().Size() != image.Pt(tw, th) || tw > th {
		t.Fatalf("%v, want %dx%d, upright", got.Bounds().Size(), tw, th)
	}
	var wholePNG bytes.Buffer
	if err := png.Encode(&wholePNG, whole); err != nil {
		t.Fatal(err)
	}
	o.Memory = nil
	ref, err := Make(context.Background(), wholePNG.Bytes(), o)
	if err != nil {
		t.Fatal(err)
	}
	want, err := jpeg.Decode(bytes.NewReader(ref[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if p := psnr(t, want, got); p < 43 {
		t.Errorf("PSNR %.1f dB against the thumbnail of the whole picture, want >= 43", p)
	}
}
