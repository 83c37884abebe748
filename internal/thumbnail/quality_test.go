package thumbnail

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	gwebp "github.com/gen2brain/webp"
	"github.com/thumbs-dev/thumbs/internal/decode"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// vignetted returns m with an alpha mask: opaque in the middle, fading
// to transparent towards the corners, and a hard-edged transparent band
// down the right eighth whose colour is pure green, which must not bleed
// into the thumbnail.
func vignetted(m *image.NRGBA) *image.NRGBA {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	for y := range h {
		for x := range w {
			i := m.PixOffset(x, y)
			if x >= w*7/8 {
				copy(m.Pix[i:i+4], []byte{0, 255, 0, 0})
				continue
			}
			dx, dy := 2*float64(x)/float64(w)-1, 2*float64(y)/float64(h)-1
			m.Pix[i+3] = uint8(255 * min(1, max(0, 1.6-dx*dx-dy*dy)))
		}
	}
	return m
}

// minFidelity is the PSNR, in dB, that a PNG thumbnail must reach against
// the reference: the full-resolution decode resized with imaging.Lanczos
// straight to the thumbnail's size. Decoding shrunk on load may cost a
// little of it, but not more.
const minFidelity = 40

// raceEnabled reports whether the test binary was built with -race, under
// which the multi-megapixel cases run on smaller sources (the resampler is
// an order of magnitude slower, and the fidelity is not about concurrency).
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// fidelity makes a PNG thumbnail of data for box and returns its PSNR
// against the reference resize of full, with the bytes Make allocated.
func fidelity(t testing.TB, data []byte, full image.Image, box Box) (p float64, alloc uint64) {
	t.Helper()
	h, err := decode.ReadHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Boxes: []Box{box}, Format: encode.PNG}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	th := one(t, data, o)
	runtime.ReadMemStats(&after)
	tw, tht := target(h.Width, h.Height, box, Contain, false)
	got := checkThumb(t, th, tw, tht, encode.PNG)
	return psnr(t, lanczos(full, tw, tht), got), after.TotalAlloc - before.TotalAlloc
}

// shrinks describes the shortcuts Make takes for one box: the JPEG load
// shrink and the box-filter pre-shrink of the decoded image.
func shrinks(t *testing.T, data []byte, box Box) string {
	h, err := decode.ReadHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Boxes: []Box{box}}
	load := loadShrink(h.Format, h.Width, h.Height, o)
	// decode.Decode may or may not honour the load shrink; pre-shrink
	// works on what it returns.
	dw, dh := h.Width, h.Height
	if img, err := decode.Decode(context.Background(), data, h, load); err == nil {
		dw, dh = img.Bounds().Dx(), img.Bounds().Dy()
	}
	k := preShrink(image.Rect(0, 0, dw, dh), h.Orientation, h.Width, h.Height, o)
	return fmt.Sprintf("load shrink %d, decoded %dx%d, pre-shrink %d (remainder %dx%d)", load, dw, dh, k, dw%k, dh%k)
}

// TestResamplingFidelity checks that a thumbnail of photo-like content is
// the Lanczos resize of the full picture to within minFidelity, whatever
// shortcuts Make takes on the way (shrink on load for JPEG, box-filter
// pre-shrink).
func TestResamplingFidelity(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes multi-megapixel images")
	}
	// The sizes of the sources and boxes, divided by div under -race.
	div := 1
	if raceEnabled() {
		div = 2
		t.Log("race detector on: sources and boxes halved")
	}
	t.Run("png 3000x2000", func(t *testing.T) {
		pic := testimage.Photo(3000/div, 2000/div)
		data := encodeBytes(t, func(b *bytes.Buffer) error {
			return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(b, pic)
		})
		for _, b := range []int{256, 200} {
			box := Box{W: b / div, H: b / div}
			p, alloc := fidelity(t, data, pic, box)
			t.Logf("PNG %v → %s: PSNR %.2f dB (%s; %d MiB allocated)", pic.Rect.Size(), box, p, shrinks(t, data, box), alloc>>20)
			if p < minFidelity {
				t.Errorf("box %s: PSNR %.2f dB, want >= %d", box, p, minFidelity)
			}
		}
	})

	t.Run("lossy webp with alpha 1600x1066", func(t *testing.T) {
		sw, sh := 1600/div, 1066/div
		data := encodeBytes(t, func(b *bytes.Buffer) error {
			return gwebp.Encode(b, vignetted(testimage.Photo(sw, sh)), gwebp.Options{Quality: 85, Exact: true})
		})
		// The full-size decode, which internal/decode's tests hold to
		// golang.org/x/image/webp's (brought to full range).
		h, err := decode.ReadHeader(data)
		if err != nil {
			t.Fatal(err)
		}
		full, err := decode.Decode(context.Background(), data, h, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			box    int
			shrink int
		}{{256, 2}, {128, 6}, {64, 12}} {
			box := Box{W: c.box / div, H: c.box / div}
			if got := loadShrink(decode.WebP, sw, sh, Options{Boxes: []Box{box}}); got != c.shrink {
				t.Errorf("box %s: load shrink %d, want %d (the case is meant to exercise it)", box, got, c.shrink)
			}
			p, alloc := fidelity(t, data, full, box)
			t.Logf("WebP %dx%d → %s: PSNR %.2f dB (%s; %d MiB allocated)", sw, sh, box, p, shrinks(t, data, box), alloc>>20)
			if p < minFidelity {
				t.Errorf("box %s: PSNR %.2f dB, want >= %d", box, p, minFidelity)
			}
		}
	})

	t.Run("jpeg 4096x2304", func(t *testing.T) {
		sw, sh := 4096/div, 2304/div
		data := testimage.JPEG(testimage.Photo(sw, sh), 92, 0, false)
		full, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			box    int
			shrink int
		}{{256, 8}, {512, 4}, {1024, 2}, {2048, 1}} {
			box := Box{W: c.box / div, H: c.box / div}
			if got := loadShrink(decode.JPEG, sw, sh, Options{Boxes: []Box{box}}); got != c.shrink {
				t.Errorf("box %s: load shrink %d, want %d (the case is meant to exercise it)", box, got, c.shrink)
			}
			p, alloc := fidelity(t, data, full, box)
			t.Logf("JPEG %dx%d → %s: PSNR %.2f dB (%s; %d MiB allocated)", sw, sh, box, p, shrinks(t, data, box), alloc>>20)
			if p < minFidelity {
				t.Errorf("box %s: PSNR %.2f dB, want >= %d", box, p, minFidelity)
			}
		}
	})
}

// TestPreShrinkFidelity: when the box leaves less than 4x, nothing is
// pre-shrunk and the thumbnail is the reference resize up to rounding; below
// that, the box-filter pre-shrink must stay within minFidelity of it,
// whether or not the image size is a multiple of the shrink factor.
func TestPreShrinkFidelity(t *testing.T) {
	type pic struct {
		name string
		img  image.Image
	}
	pics := []pic{
		{"photo", testimage.Photo(640, 480)},
		{"photo", testimage.Photo(648, 486)},
		{"photo", testimage.Photo(641, 481)},
		{"alpha", alphaPhoto(640, 480)},
		{"gray", grayOf(testimage.Photo(640, 480))},
	}
	for _, c := range pics {
		sz := c.img.Bounds().Size()
		data := pngOf(t, c.img)
		for _, b := range []string{"640", "x200", "161", "160", "100", "64", "33x", "x20"} {
			box := mustBox(t, b)
			tw, th := target(sz.X, sz.Y, box, Contain, false)
			k := preShrink(c.img.Bounds(), 1, sz.X, sz.Y, Options{Boxes: []Box{box}})
			got := checkThumb(t, one(t, data, Options{Boxes: []Box{box}, Format: encode.PNG}), tw, th, encode.PNG)
			p := psnr(t, lanczos(c.img, tw, th), got)
			want := float64(minFidelity)
			if k == 1 {
				want = losslessPSNR
			}
			if p < want {
				t.Errorf("%s %dx%d → box %s (%dx%d, pre-shrink %d, remainder %dx%d): PSNR %.2f dB, want >= %.0f",
					c.name, sz.X, sz.Y, b, tw, th, k, sz.X%k, sz.Y%k, p, want)
			} else {
				t.Logf("%s %dx%d → box %s (%dx%d, pre-shrink %d): PSNR %.2f dB", c.name, sz.X, sz.Y, b, tw, th, k, p)
			}
			if _, isGray := got.(*image.Gray); isGray != (c.name == "gray") {
				t.Errorf("%s %dx%d → box %s: output decodes to %T", c.name, sz.X, sz.Y, b, got)
			}
		}
	}
}

// BenchmarkRealPhotoFidelity measures, on a photo from Debian's wallpaper
// packages when the system has one, the PSNR of thumbnails against a
// Lanczos resize of the full decode (reported as the dB metric).
func BenchmarkRealPhotoFidelity(b *testing.B) {
	for _, name := range []string{
		"/usr/share/backgrounds/2004default.jpg",
		"/usr/share/backgrounds/the-mouse.jpg",
		"/usr/share/backgrounds/string.jpg",
	} {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		full, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			continue
		}
		for _, size := range []string{"256", "640"} {
			b.Run(filepath.Base(name)+"-"+size, func(b *testing.B) {
				box := mustBox(b, size)
				var p float64
				for b.Loop() {
					p, _ = fidelity(b, data, full, box)
				}
				b.ReportMetric(p, "dB")
			})
		}
		return
	}
	b.Skip("no photo in /usr/share/backgrounds")
}
