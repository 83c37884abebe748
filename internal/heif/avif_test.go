package heif

import (
	"context"
	"image"
	"strings"
	"testing"
)

// TestDecodeAVIFPattern decodes the AVIF fixtures (avifenc, see
// testdata/README.md) and compares them with the pattern they were made
// from and with avifdec's decode of them.
func TestDecodeAVIFPattern(t *testing.T) {
	e := NewEngine(sharedCacheDir, 2)
	defer e.Close(context.Background())
	tests := []struct {
		name string
		size image.Point
		// source is the PNG the file was made from, "" for the pattern.
		source string
		// minReference is the least PSNR against avifdec's decode: the
		// rounding of two conversions to RGB, but for 4:2:0 files also
		// the upsampling of chroma, which the embedded libavif does by
		// repeating samples and avifdec by interpolating them. Where it
		// is 0 there is no comparison: avifdec 0.11 leaves the samples of
		// limited-range monochrome pictures unstretched, as libheif does.
		minReference float64
	}{
		{"pattern-9x9.avif", image.Pt(9, 9), "", minPSNRReference},
		{"pattern-200x17.avif", image.Pt(200, 17), "", minPSNRReference},
		{"pattern-17x200.avif", image.Pt(17, 200), "", 33},
		{"pattern-320x213.avif", image.Pt(320, 213), "", 40},
		{"pattern-64x40-10bit.avif", image.Pt(64, 40), "", minPSNRReference},
		{"pattern-320x213-gray.avif", image.Pt(320, 213), "gray-320x213.png", minPSNRReference},
		{"pattern-320x213-gray-limited.avif", image.Pt(320, 213), "gray-320x213.png", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := e.DecodeAVIF(context.Background(), readFixture(t, tt.name))
			if err != nil {
				t.Fatal(err)
			}
			if want := image.Rect(0, 0, tt.size.X, tt.size.Y); img.Bounds() != want {
				t.Fatalf("bounds %v, want %v", img.Bounds(), want)
			}
			type check struct {
				against string
				want    image.Image
				min     float64
			}
			var source image.Image = pattern(tt.size.X, tt.size.Y)
			if tt.source != "" {
				source = readPNG(t, tt.source)
			}
			minSource := float64(minPSNR)
			if tt.minReference == 0 {
				// Unstretched samples measure 32.9 dB, stretched ones 51.5.
				minSource = 45
			}
			checks := []check{{"source", source, minSource}}
			if tt.minReference > 0 {
				checks = append(checks, check{"avifdec", readPNG(t, strings.TrimSuffix(tt.name, ".avif")+".avifdec.png"), tt.minReference})
			}
			for _, c := range checks {
				if p := psnr(img, c.want, 0, tt.size.Y); p < c.min {
					t.Errorf("PSNR against the %s %.1f dB, want at least %.0f", c.against, p, c.min)
				}
				if p := psnr(img, c.want, 0, 1); p < c.min {
					t.Errorf("first row PSNR against the %s %.1f dB, want at least %.0f", c.against, p, c.min)
				}
			}
		})
	}
}
