package decode

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"testing"

	"github.com/gen2brain/avif"
	gwebp "github.com/gen2brain/webp"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// BenchmarkDecode12MP decodes one 4000x3000 picture per format, made in the benchmark.
// HEIC has no Go encoder: it uses $THUMBS_HEIC_12MP when set, else it is skipped.
func BenchmarkDecode12MP(b *testing.B) {
	var pic image.Image
	photo12 := func() image.Image {
		if pic == nil {
			pic = photo(4000, 3000)
		}
		return pic
	}
	encoded := func(f func(*bytes.Buffer, image.Image) error) func(*testing.B) []byte {
		return func(b *testing.B) []byte { return enc(b, func(w *bytes.Buffer) error { return f(w, photo12()) }) }
	}
	cases := []struct {
		name string
		data func(*testing.B) []byte
	}{
		{"jpeg", encoded(func(w *bytes.Buffer, m image.Image) error { return jpeg.Encode(w, m, &jpeg.Options{Quality: 90}) })},
		{"png", encoded(func(w *bytes.Buffer, m image.Image) error { return png.Encode(w, m) })},
		{"gif", encoded(func(w *bytes.Buffer, m image.Image) error { return gif.Encode(w, m, nil) })},
		{"tiff", encoded(func(w *bytes.Buffer, m image.Image) error { return tiff.Encode(w, m, nil) })},
		{"bmp", encoded(func(w *bytes.Buffer, m image.Image) error { return bmp.Encode(w, m) })},
		{"webp", encoded(func(w *bytes.Buffer, m image.Image) error { return gwebp.Encode(w, m, gwebp.Options{Quality: 90}) })},
		{"avif", encoded(func(w *bytes.Buffer, m image.Image) error { return avif.Encode(w, m, avif.Options{Quality: 80}) })},
		{"heic", func(b *testing.B) []byte {
			name := os.Getenv("THUMBS_HEIC_12MP")
			if name == "" {
				b.Skip("THUMBS_HEIC_12MP not set")
			}
			data, err := os.ReadFile(name)
			if err != nil {
				b.Fatal(err)
			}
			return data
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			data := c.data(b)
			h, err := ReadHeader(data)
			if err != nil || h.Width*h.Height != 12_000_000 {
				b.Fatalf("ReadHeader = %+v, %v", h, err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := Decode(context.Background(), data, h, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeFile decodes $THUMBS_DECODE_FILE and reports the memory
// one decode allocates, for measuring a format on a real file (e.g. under
// /usr/bin/time -v with -benchtime 1x); skipped when unset.
func BenchmarkDecodeFile(b *testing.B) {
	name := os.Getenv("THUMBS_DECODE_FILE")
	if name == "" {
		b.Skip("THUMBS_DECODE_FILE not set")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		h, err := ReadHeader(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Decode(context.Background(), data, h, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeWebPAlpha decodes a 3000x2000 lossy WebP whose alpha
// fades out to its edges (a VP8L alpha plane of many levels): with
// golang.org/x/image/webp at full size (the decoder thumbs used before),
// and with Decode at full size and shrunk on load.
func BenchmarkDecodeWebPAlpha(b *testing.B) {
	pic := photo(3000, 2000)
	for y := range 2000 {
		for x := range 3000 {
			dx, dy := float64(x)/1500-1, float64(y)/1000-1
			pic.Pix[pic.PixOffset(x, y)+3] = uint8(255 * min(1, max(0, 1.5-dx*dx-dy*dy)))
		}
	}
	data := enc(b, func(w *bytes.Buffer) error { return gwebp.Encode(w, pic, gwebp.Options{Quality: 85}) })
	h, err := ReadHeader(data)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("x-image", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := webp.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, k := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("shrink=%d", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(context.Background(), data, h, k); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
