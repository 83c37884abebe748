package bmp_test

import (
	"bytes"
	"image"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/bmp"
	xbmp "golang.org/x/image/bmp"
)

// gradient returns a w×h opaque picture cheap to make.
func gradient(w, h int) picture {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			copy(img.Pix[img.PixOffset(x, y):], []byte{byte(x), byte(y), byte(x + y), 255})
		}
	}
	return picture{w: w, h: h, rgba: img}
}

// BenchmarkDecode24Bit12MP compares decoding a 4000x3000 24-bit BMP with
// this package and with golang.org/x/image/bmp.
func BenchmarkDecode24Bit12MP(b *testing.B) {
	data := bmpFile{infoSize: 40, bitsPerPixel: 24}.encode(gradient(4000, 3000))
	b.Run("internal/bmp", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := bmp.Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("x/image/bmp", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := xbmp.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
