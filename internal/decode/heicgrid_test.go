package decode

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
)

// shrinkYCbCr returns the 4:4:4 picture of the box means of m, a full-range
// 4:2:0 picture, as decodeGridShrunk makes them: luma by k×k blocks,
// chroma by (k/2)×(k/2) blocks of the chroma planes.
func shrinkYCbCr(t *testing.T, img image.Image, k int) *image.YCbCr {
	t.Helper()
	m, ok := img.(*image.YCbCr)
	if !ok || m.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		t.Fatalf("the whole-picture decode gave %T, want 4:2:0 YCbCr", img)
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch, c := (w+1)/2, (h+1)/2, k/2
	dw, dh := (w+k-1)/k, (h+k-1)/k
	out := image.NewYCbCr(image.Rect(0, 0, dw, dh), image.YCbCrSubsampleRatio444)
	for y := range dh {
		for x := range dw {
			i := out.YOffset(x, y)
			out.Y[i] = boxMean(m.Y, m.YStride, x*k, y*k, min(x*k+k, w), min(y*k+k, h), fullRange)
			out.Cb[i] = boxMean(m.Cb, m.CStride, x*c, y*c, min(x*c+c, cw), min(y*c+c, ch), fullRange)
			out.Cr[i] = boxMean(m.Cr, m.CStride, x*c, y*c, min(x*c+c, cw), min(y*c+c, ch), fullRange)
		}
	}
	return out
}

// planeDiffs returns the mean absolute difference of the Y, Cb and Cr
// samples of two 4:4:4 pictures of one size.
func planeDiffs(t *testing.T, a, b *image.YCbCr) (y, cb, cr float64) {
	t.Helper()
	if a.Rect.Size() != b.Rect.Size() || a.SubsampleRatio != image.YCbCrSubsampleRatio444 || b.SubsampleRatio != a.SubsampleRatio {
		t.Fatalf("%v %v against %v %v", a.Rect, a.SubsampleRatio, b.Rect, b.SubsampleRatio)
	}
	mean := func(p, q []byte) float64 {
		var s int
		for i := range p {
			s += int(absDiff(p[i], q[i]))
		}
		return float64(s) / float64(len(p))
	}
	return mean(a.Y, b.Y), mean(a.Cb, b.Cb), mean(a.Cr, b.Cr)
}

// TestHEICGridTiles decodes grid HEICs tile by tile at even shrinks and
// compares the pictures with the whole-picture decode (libheif composing
// the grid) box-shrunk by the same means: each tile is decoded as libheif
// decodes it in the grid (oneTileGrid), limited-range samples stretched by
// libheif alike, so the samples must be the same, not one level apart.
// grid.heic is 296×200 in 3×2 tiles of 128 px, the last column and row
// cropped; the transforms are checked at shrinks that divide both sides,
// where rotating and shrinking commute.
func TestHEICGridTiles(t *testing.T) {
	grid := readFile(t, "grid.heic")
	tests := []struct {
		name    string
		file    []byte
		shrinks []int
	}{
		{"grid", grid, []int{2, 4, 6, 8, 10}},
		{"limited range by the SPS", withLimitedRangeSPS(t, grid), []int{2, 6}},
		{"nclx of limited range on the grid", withHEIFProps(t, grid, nclx(false)), []int{4}},
		{"irot by heicgrid", readFile(t, "gridrot.heic"), []int{2, 4, 8}},
		{"irot 3", withHEIFProps(t, grid, irot(3)), []int{2, 8}},
		{"imir 0", withHEIFProps(t, grid, imir(0)), []int{4}},
		{"imir 1", withHEIFProps(t, grid, imir(1)), []int{4}},
		{"irot 1, imir 0", withHEIFProps(t, grid, irot(1), imir(0)), []int{2, 4}},
		{"irot 2, imir 1", withHEIFProps(t, grid, irot(2), imir(1)), []int{8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := Decode(context.Background(), tt.file, h, 1)
			if err != nil {
				t.Fatal(err)
			}
			if whole.Bounds().Size() != image.Pt(h.Width, h.Height) {
				t.Fatalf("whole picture %v, header %dx%d", whole.Bounds(), h.Width, h.Height)
			}
			for _, k := range tt.shrinks {
				if !h.DecodesTiles(k) {
					t.Fatalf("1/%d: not decoded tile by tile", k)
				}
				img, err := Decode(context.Background(), tt.file, h, k)
				if err != nil {
					t.Fatalf("1/%d: %v", k, err)
				}
				got, ok := img.(*image.YCbCr)
				if !ok {
					t.Fatalf("1/%d: %T", k, img)
				}
				if y, cb, cr := planeDiffs(t, shrinkYCbCr(t, whole, k), got); y != 0 || cb != 0 || cr != 0 {
					t.Errorf("1/%d: mean differences Y %.3f Cb %.3f Cr %.3f, want none", k, y, cb, cr)
				}
			}
		})
	}
}

// TestHEICGridFallback: grids and shrinks that the tile decoder does not
// take come out of the whole-picture decoder, at full size.
func TestHEICGridFallback(t *testing.T) {
	grid := readFile(t, "grid.heic")
	var aperture []byte
	for _, v := range []uint32{200, 1, 100, 1, 0, 1, 0, 1} { // 200x100 at the centre
		aperture = binary.BigEndian.AppendUint32(aperture, v)
	}
	clap := mkbox("clap", aperture)
	// The thumbnail's thmb reference, renamed auxl, makes it the grid's
	// auxiliary picture, as an alpha plane is.
	auxl := bytes.Replace(grid, []byte("thmb"), []byte("auxl"), 1)
	tests := []struct {
		name  string
		file  []byte
		k     int
		tiles bool // whether the header still describes the tiles
	}{
		{"odd shrink", grid, 3, true},
		{"no shrink", grid, 1, true},
		{"clean aperture", withHEIFProps(t, grid, clap), 2, false},
		{"auxiliary picture", auxl, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if (h.grid != nil) != tt.tiles || h.DecodesTiles(tt.k) {
				t.Fatalf("grid %v, DecodesTiles(%d) %v", h.grid != nil, tt.k, h.DecodesTiles(tt.k))
			}
			want, wantErr := Decode(context.Background(), tt.file, h, 1)
			got, err := Decode(context.Background(), tt.file, h, tt.k)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error %v at 1/%d, %v at full size", err, tt.k, wantErr)
			}
			if err != nil {
				return
			}
			if p := psnr(t, want, got); p < 100 {
				t.Errorf("PSNR %.1f dB against the whole-picture decode, want the same picture", p)
			}
		})
	}
	if h, _ := ReadHeader(grid); h.grid == nil || len(h.thumbnails) != 1 {
		t.Fatal("grid.heic: no grid, or no thumbnail item")
	} else if th, ok := h.Thumbnail(100, 60); !ok || th.DecodesTiles(2) {
		t.Error("the thumbnail item is taken for the grid")
	}
}

// TestHEICGridDamagedTile: a tile whose HEVC stream is broken gives an
// error that names it, at once, rather than a picture.
func TestHEICGridDamagedTile(t *testing.T) {
	grid := readFile(t, "grid.heic")
	h, err := ReadHeader(grid)
	if err != nil || h.grid == nil {
		t.Fatalf("grid.heic: %v, grid %v", err, h.grid)
	}
	damaged := bytes.Clone(grid)
	// The first NAL unit's length.
	binary.BigEndian.PutUint32(damaged[h.grid.tiles[4].data[0]:], 0xfffffff0)
	img, err := Decode(context.Background(), damaged, h, 2)
	if err == nil || img != nil {
		t.Fatalf("picture %v, error %v; want only an error", img != nil, err)
	}
	if !strings.Contains(err.Error(), "tile 5 of 6") {
		t.Errorf("error %q does not name the tile", err)
	}
}

// TestOrientYCbCr444 checks each EXIF orientation against imaging's
// transforms on a picture of distinct samples.
func TestOrientYCbCr444(t *testing.T) {
	m := image.NewYCbCr(image.Rect(0, 0, 5, 3), image.YCbCrSubsampleRatio444)
	for i := range m.Y {
		m.Y[i], m.Cb[i], m.Cr[i] = byte(10*i), byte(100+i), byte(200-i)
	}
	ops := map[int]func(image.Image) *image.NRGBA{
		1: imaging.Clone, 2: imaging.FlipH, 3: imaging.Rotate180, 4: imaging.FlipV,
		5: imaging.Transpose, 6: imaging.Rotate270, 7: imaging.Transverse, 8: imaging.Rotate90,
	}
	for o, op := range ops {
		want, got := op(m), orientYCbCr444(m, o)
		if got.Rect.Size() != want.Rect.Size() {
			t.Fatalf("orientation %d: %v, want %v", o, got.Rect, want.Rect)
		}
		if p := psnr(t, want, got); p < 100 {
			t.Errorf("orientation %d: PSNR %.1f dB against imaging's", o, p)
		}
	}
}

// TestHEICGridCost: the tile path's cost at an even shrink is well under
// the whole picture's, and other shrinks cost the whole picture.
func TestHEICGridCost(t *testing.T) {
	data := heicGridOf(t, 4032, 3024)
	h, err := ReadHeader(data)
	if err != nil || !h.DecodesTiles(2) {
		t.Fatalf("%v; tiles %v", err, h.DecodesTiles(2))
	}
	whole := h.DecodeCost(1)
	if got := h.DecodeCost(3); got != whole {
		t.Errorf("DecodeCost(3) = %d, want the whole picture's %d", got, whole)
	}
	for _, k := range []int{2, 4, 8} {
		if got := h.DecodeCost(k); got > whole/2 {
			t.Errorf("DecodeCost(%d) = %d MiB, want at most half the whole picture's %d MiB", k, got>>20, whole>>20)
		}
	}
	if a, b := h.DecodeCost(2), h.DecodeCost(8); a <= b {
		t.Errorf("DecodeCost(2) = %d, not above DecodeCost(8) = %d", a, b)
	}
}
