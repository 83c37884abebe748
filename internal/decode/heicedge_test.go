package decode

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"slices"
	"testing"
)

// TestHEICEdgeColumns decodes HEICs of one hvc1 item, and compares each
// column and row of the picture with libheif's own decode (ImageMagick's,
// testdata/*.im.png): the first and last must be no worse than the
// typical one. libheif 1.18 in WebAssembly gets a lone item's first
// and last chroma columns and rows wrong, by tens of levels; decoded as
// the one tile of a grid, they come out right.
func TestHEICEdgeColumns(t *testing.T) {
	for _, name := range []string{"photo", "thumb"} {
		t.Run(name, func(t *testing.T) {
			data := readFile(t, name+".heic")
			ref, err := png.Decode(bytes.NewReader(readFile(t, name+".im.png")))
			if err != nil {
				t.Fatal(err)
			}
			h, err := ReadHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			img, err := Decode(context.Background(), data, h, 1)
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds() != ref.Bounds() {
				t.Fatalf("decoded %v, reference %v", img.Bounds(), ref.Bounds())
			}
			w, ht := ref.Bounds().Dx(), ref.Bounds().Dy()
			cols, rows := make([]float64, w), make([]float64, ht)
			for y := range ht {
				for x := range w {
					r0, g0, b0, _ := img.At(x, y).RGBA()
					r1, g1, b1, _ := ref.At(x, y).RGBA()
					d := float64(absDiff(uint8(r0>>8), uint8(r1>>8))+absDiff(uint8(g0>>8), uint8(g1>>8))+absDiff(uint8(b0>>8), uint8(b1>>8))) / 3
					cols[x] += d / float64(ht)
					rows[y] += d / float64(w)
				}
			}
			check := func(what string, errs []float64) {
				if len(errs) < 8 {
					return // too few to say what a typical one is
				}
				typical := slices.Clone(errs)
				slices.Sort(typical)
				median := typical[len(typical)/2]
				// Within 2 levels of the median, or twice it: the edges of
				// 4:2:0 chroma are upsampled with one neighbour, not two.
				limit := max(median+2, 2*median)
				for _, i := range []int{0, len(errs) - 1} {
					if errs[i] > limit {
						t.Errorf("%s %d: mean error %.2f levels, typical %.2f (limit %.2f)", what, i, errs[i], median, limit)
					}
				}
			}
			check("column", cols)
			check("row", rows)
		})
	}
}

// TestHEICItemRange: a HEIC of one hvc1 item whose sequence parameter set
// says limited range comes out stretched to full range, now that libheif
// decodes the item as the one tile of a grid (which it converts itself).
func TestHEICItemRange(t *testing.T) {
	orig := readFile(t, "photo.heic")
	decode := func(data []byte) image.Image {
		t.Helper()
		h, err := ReadHeader(data)
		if err != nil {
			t.Fatal(err)
		}
		img, err := Decode(context.Background(), data, h, 1)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	limited := decode(withLimitedRangeSPS(t, orig))
	if p := psnr(t, decode(orig), limited); p > 35 {
		t.Fatalf("limited range decodes as full range does (%.1f dB): the test cannot tell", p)
	}
	if p := psnr(t, fromStudioSwing(decode(orig)), limited); p < 45 {
		t.Errorf("PSNR %.1f dB against the full-range decode stretched, want at least 45", p)
	}
}
