package testimage_test

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/decode"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

var update = flag.Bool("update", false, "rewrite the sample photos in testdata/photos")

// sample is one picture of the demo collection in testdata/photos.
type sample struct {
	name        string
	width       int // of the upright picture
	height      int
	orientation int
	picture     func() image.Image // upright
	encode      func(image.Image, int) []byte
}

func samples() []sample {
	jpegOf := func(img image.Image, o int) []byte { return testimage.JPEG(testimage.Stored(img, o), 90, o, false) }
	pngOf := func(img image.Image, _ int) []byte {
		var b bytes.Buffer
		png.Encode(&b, img)
		return b.Bytes()
	}
	webpOf := func(img image.Image, _ int) []byte {
		var b bytes.Buffer
		if err := encode.Encode(&b, img, encode.Options{Format: encode.WebP, Quality: 90}); err != nil {
			panic(err)
		}
		return b.Bytes()
	}
	return []sample{
		{"landscape.jpg", 2400, 1600, 1, func() image.Image { return testimage.Photo(2400, 1600) }, jpegOf},
		{"sideways.jpg", 1200, 1600, 6, func() image.Image { return testimage.Quadrants(1200, 1600) }, jpegOf},
		{"logo.png", 800, 600, 1, func() image.Image { return testimage.Translucent(800, 600) }, pngOf},
		{"trips/2024/coast.webp", 1920, 1080, 1, func() image.Image { return testimage.Photo(1920, 1080) }, webpOf},
		{"trips/2024/scan.png", 1000, 1400, 1, func() image.Image { return grayRamp(1000, 1400) }, pngOf},
	}
}

func grayRamp(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetGray(x, y, color.Gray{Y: uint8((x*255/w + y*255/h) / 2)})
		}
	}
	return img
}

// TestSamples checks that the demo photos in testdata/photos are what the
// generator makes (to within 30 dB PSNR, their lossy encoding), and rewrites them with
// -update.
func TestSamples(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", "photos", filepath.FromSlash(s.name))
			want := s.picture()
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, s.encode(want, s.orientation), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/testimage -update)", err)
			}
			h, err := decode.ReadHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			if h.Orientation != s.orientation {
				t.Errorf("orientation %d, want %d", h.Orientation, s.orientation)
			}
			img, err := decode.Decode(context.Background(), data, h, 1)
			if err != nil {
				t.Fatal(err)
			}
			stored := testimage.Stored(want, s.orientation)
			if got, want := img.Bounds().Size(), stored.Bounds().Size(); got != want {
				t.Fatalf("stored size %v, want %v", got, want)
			}
			if db := psnr(img, stored); db < 30 {
				t.Errorf("PSNR against the generator %.1f dB, want at least 30", db)
			}
		})
	}
}

// psnr returns the peak signal-to-noise ratio of a against b over RGB.
func psnr(a, b image.Image) float64 {
	var sum float64
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c1 := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			c2 := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			if c2.A == 0 && c1.A == 0 {
				continue
			}
			for _, d := range []float64{float64(c1.R) - float64(c2.R), float64(c1.G) - float64(c2.G), float64(c1.B) - float64(c2.B)} {
				sum += d * d
			}
		}
	}
	mse := sum / float64(3*r.Dx()*r.Dy())
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}
