package decode

import (
	"context"
	"image"
	"image/color"
	"testing"
)

// TestConformanceFixtures decodes files from public decoder test suites
// that thumbs once failed on (testdata/conformance, see the README there)
// and checks their size and pixels against what libwebp, libpng and
// ImageMagick give for them.
func TestConformanceFixtures(t *testing.T) {
	tests := []struct {
		name          string
		file          string
		width, height int
		// pixels maps positions to the colour expected there, within tolerance.
		pixels    map[[2]int]color.NRGBA
		tolerance uint8
		warnings  int // len(Header.Warnings)
		opaque    int // how many pixels are not fully transparent; -1: not checked
	}{
		{
			name: "webp lossless of 28 bytes", file: "one_color_no_palette.webp", width: 100, height: 100, opaque: 0,
			pixels: map[[2]int]color.NRGBA{{0, 0}: {}, {50, 50}: {}, {99, 99}: {}},
		},
		{
			// libvips (libnsgif) grows the 32x32 screen to 40x40 to hold the
			// 16x16 frame at (24,24): 114 green pixels, the rest transparent.
			name: "gif frame overflowing the screen", file: "oob.gif", width: 40, height: 40,
			pixels: map[[2]int]color.NRGBA{{0, 0}: {}, {24, 24}: {}, {30, 30}: {14, 255, 31, 255}, {39, 39}: {}},
			opaque: 114,
		},
		{
			name: "gif frame larger than the screen", file: "issue_1455_oversized.gif", width: 16, height: 16,
			pixels: map[[2]int]color.NRGBA{{0, 0}: {}, {5, 5}: {14, 255, 31, 255}, {10, 10}: {14, 255, 31, 255}, {15, 15}: {}},
			opaque: 114,
		},
		{
			name: "gif without a colour table", file: "no_palette.gif", width: 1, height: 1,
			pixels: map[[2]int]color.NRGBA{{0, 0}: {0, 0, 0, 255}},
			opaque: 1,
		},
		{
			name: "png with bad CRCs in cLLI and mDCV", file: "cicp_pq.png", width: 8, height: 8,
			pixels:   map[[2]int]color.NRGBA{{0, 0}: {255, 0, 0, 255}, {7, 7}: {255, 0, 0, 255}},
			warnings: 2, opaque: 64,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := readFile(t, "conformance/"+tt.file)
			h, err := ReadHeader(data)
			if err != nil {
				t.Fatalf("ReadHeader: %v", err)
			}
			if h.Width != tt.width || h.Height != tt.height {
				t.Fatalf("header says %dx%d, want %dx%d", h.Width, h.Height, tt.width, tt.height)
			}
			if len(h.Warnings) != tt.warnings {
				t.Errorf("Warnings = %q, want %d", h.Warnings, tt.warnings)
			}
			img, err := Decode(context.Background(), data, h, 1)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if b := img.Bounds(); b.Dx() != tt.width || b.Dy() != tt.height {
				t.Fatalf("decoded %v, want %dx%d", b, tt.width, tt.height)
			}
			if tt.opaque >= 0 {
				if n := countOpaque(img); n != tt.opaque {
					t.Errorf("%d pixels not transparent, want %d", n, tt.opaque)
				}
			}
			for p, want := range tt.pixels {
				got := color.NRGBAModel.Convert(img.At(img.Bounds().Min.X+p[0], img.Bounds().Min.Y+p[1])).(color.NRGBA)
				if !near(got, want, tt.tolerance) {
					t.Errorf("pixel %v = %v, want %v ± %d", p, got, want, tt.tolerance)
				}
			}
		})
	}
}

// near reports whether a and b differ by at most tol in every channel;
// fully transparent colours are equal whatever their colour channels.
func near(a, b color.NRGBA, tol uint8) bool {
	if a.A == 0 && b.A == 0 {
		return true
	}
	d := func(x, y uint8) bool { return max(x, y)-min(x, y) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

// countOpaque counts the pixels of img that are not fully transparent.
func countOpaque(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0 {
				n++
			}
		}
	}
	return n
}
