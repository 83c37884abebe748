package heif

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// psnr returns the PSNR in dB of the RGB of got against want over the
// rows from y0 to y1 (exclusive).
func psnr(got, want image.Image, y0, y1 int) float64 {
	var sum float64
	var n int
	w := want.Bounds().Dx()
	for y := y0; y < y1; y++ {
		for x := range w {
			r1, g1, b1, _ := got.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			for _, d := range []float64{float64(r1>>8) - float64(r2>>8), float64(g1>>8) - float64(g2>>8), float64(b1>>8) - float64(b2>>8)} {
				sum += d * d
			}
			n += 3
		}
	}
	if sum == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(sum/float64(n)))
}

// The fidelity of the pattern fixtures (heif-enc -q 90): against the
// pattern they were made from, what libheif itself gives (measured through
// ImageMagick: 25.6 dB at 9x9, whose 4:2:0 chroma cannot follow the
// pattern, 33.7 to 50.5 dB for the others) less a margin; against
// ImageMagick's decode of the file, the rounding of two YCbCr to RGB
// conversions (50 dB or more). A misplaced plane or row gives less than
// 25 dB, a few wrong pixels at the start of a row less than 35 dB in that row.
const (
	minPSNRSmall     = 24
	minPSNR          = 30
	minPSNRReference = 45
)

func TestDecodeHEICPattern(t *testing.T) {
	e := NewEngine(sharedCacheDir, 2)
	defer e.Close(context.Background())
	for _, s := range fixtureSizes {
		name := fmt.Sprintf("pattern-%dx%d.heic", s.X, s.Y)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			img, err := e.DecodeHEIC(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds(); got != image.Rect(0, 0, s.X, s.Y) {
				t.Fatalf("bounds %v, want %v", got, image.Rect(0, 0, s.X, s.Y))
			}
			source := float64(minPSNR)
			if s.X < 16 {
				source = minPSNRSmall
			}
			checks := []struct {
				against string
				want    image.Image
				min     float64
			}{
				{"source", pattern(s.X, s.Y), source},
				{"ImageMagick", readPNG(t, strings.TrimSuffix(name, ".heic")+".im.png"), minPSNRReference},
			}
			for _, c := range checks {
				if p := psnr(img, c.want, 0, s.Y); p < c.min {
					t.Errorf("PSNR against the %s %.1f dB, want at least %.0f", c.against, p, c.min)
				}
				if p := psnr(img, c.want, 0, 1); p < c.min {
					t.Errorf("first row PSNR against the %s %.1f dB, want at least %.0f", c.against, p, c.min)
				}
			}
		})
	}
}

func readPNG(t *testing.T, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
