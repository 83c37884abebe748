package heif

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"testing"

	"github.com/gen2brain/avif"
)

// avifOf encodes img as AVIF with gen2brain/avif's WebAssembly libavif and
// libaom: lossy 4:4:4, or lossless.
func avifOf(t *testing.T, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := avif.Encode(&b, img, avif.Options{Quality: quality, Speed: 10, ChromaSubsampling: image.YCbCrSubsampleRatio444}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeAVIFPattern(t *testing.T) {
	e := NewEngine(sharedCacheDir, 2)
	defer e.Close(context.Background())
	for _, s := range []image.Point{{9, 9}, {200, 17}, {17, 200}, {320, 213}} {
		t.Run(fmt.Sprintf("%dx%d", s.X, s.Y), func(t *testing.T) {
			want := pattern(s.X, s.Y)
			img, err := e.DecodeAVIF(context.Background(), avifOf(t, want, 90))
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds(); got != want.Bounds() {
				t.Fatalf("bounds %v, want %v", got, want.Bounds())
			}
			if p := psnr(img, want, 0, s.Y); p < minPSNR {
				t.Errorf("PSNR %.1f dB, want at least %d", p, minPSNR)
			}
			if p := psnr(img, want, 0, 1); p < minPSNR {
				t.Errorf("first row PSNR %.1f dB, want at least %d", p, minPSNR)
			}
		})
	}
}
