package decode

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"testing"

	gwebp "github.com/gen2brain/webp"
)

// TestWebPKeepsFullRange checks that black, white and saturated colours of
// a lossy WebP come back at full range, not squeezed into 16-235.
func TestWebPKeepsFullRange(t *testing.T) {
	colours := []color.NRGBA{
		{0, 0, 0, 255}, {255, 255, 255, 255}, {255, 0, 0, 255}, {0, 0, 255, 255}, {128, 128, 128, 255},
	}
	src := image.NewNRGBA(image.Rect(0, 0, 32*len(colours), 32))
	for i, c := range colours {
		for y := 0; y < 32; y++ {
			for x := 32 * i; x < 32*(i+1); x++ {
				src.SetNRGBA(x, y, c)
			}
		}
	}
	var buf bytes.Buffer
	if err := gwebp.Encode(&buf, src, gwebp.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeader(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(context.Background(), buf.Bytes(), h, 1)
	if err != nil {
		t.Fatal(err)
	}
	const tolerance = 12 // lossy coding and chroma subsampling at block centres
	for i, want := range colours {
		got := color.NRGBAModel.Convert(img.At(32*i+16, 16)).(color.NRGBA)
		for ch, d := range []int{int(got.R) - int(want.R), int(got.G) - int(want.G), int(got.B) - int(want.B)} {
			if d < -tolerance || d > tolerance {
				t.Errorf("colour %v came back as %v (channel %d off by %d, tolerance %d)", want, got, ch, d, tolerance)
			}
		}
	}
}
