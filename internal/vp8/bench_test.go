package vp8

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	gwebp "github.com/gen2brain/webp"
)

// benchFrame is the VP8 frame of a 4000x3000 (12 MP) lossy q85 WebP of
// a photo-like picture: smooth gradients, edges and grain.
var benchFrame = sync.OnceValues(func() ([]byte, error) {
	const w, h = 4000, 3000
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			grain := rng.IntN(8)
			wave := int(40 * math.Sin(float64(x)/37) * math.Cos(float64(y)/53))
			r := min(max(x*200/w+wave+grain, 0), 255)
			g := min(max(y*200/h-wave+grain, 0), 255)
			b := min(max((x/97+y/89)%2*150+wave/2+grain+40, 0), 255)
			img.SetNRGBA(x, y, color.NRGBA{uint8(r), uint8(g), uint8(b), 255})
		}
	}
	var buf bytes.Buffer
	if err := gwebp.Encode(&buf, img, gwebp.Options{Quality: 85}); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return b[20:], nil // a simple WebP: the VP8 chunk's payload follows its header
})

// BenchmarkDecode12MP decodes a 12 MP frame with this package (into one
// image, and band by band without the loop filter, as thumbnails use it)
// and with golang.org/x/image/vp8, for comparison in one run.
func BenchmarkDecode12MP(b *testing.B) {
	frame, err := benchFrame()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("vp8", func(b *testing.B) {
		b.SetBytes(4000 * 3000)
		for b.Loop() {
			if _, err := Decode(frame); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(frame)), "frame-bytes")
	})
	b.Run("vp8-rows-unfiltered", func(b *testing.B) {
		b.SetBytes(4000 * 3000)
		for b.Loop() {
			if err := DecodeRowsUnfiltered(frame, func(*Band) {}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("x-image", func(b *testing.B) {
		b.SetBytes(4000 * 3000)
		for b.Loop() {
			if _, err := decodeXImage(frame); err != nil {
				b.Fatal(err)
			}
		}
	})
}
