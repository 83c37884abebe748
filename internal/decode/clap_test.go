package decode

import (
	"encoding/binary"
	"image"
	"image/color"
	"testing"
)

// clapBox returns a clap payload: width, height, horizOff and vertOff,
// each n/d.
func clapBox(fr ...[2]int32) []byte {
	var b []byte
	for _, f := range fr {
		b = binary.BigEndian.AppendUint32(b, uint32(f[0]))
		b = binary.BigEndian.AppendUint32(b, uint32(f[1]))
	}
	return b
}

func TestCleanAperture(t *testing.T) {
	for _, tt := range []struct {
		name string
		box  []byte
		w, h int
		want image.Rectangle
		ok   bool
	}{
		{"centred", clapBox([2]int32{100, 1}, [2]int32{50, 1}, [2]int32{0, 1}, [2]int32{0, 1}), 200, 150, image.Rect(50, 50, 150, 100), true},
		{"moved left and down", clapBox([2]int32{100, 1}, [2]int32{50, 1}, [2]int32{-20, 1}, [2]int32{10, 1}), 200, 150, image.Rect(30, 60, 130, 110), true},
		// kimono.crop.avif of the AV1 AVIF test files: 385x330 of 722x1024,
		// offsets as halves.
		{"odd sizes, half offsets", clapBox([2]int32{385, 1}, [2]int32{330, 1}, [2]int32{207, 2}, [2]int32{-616, 2}), 722, 1024, image.Rect(272, 39, 657, 369), true},
		{"whole picture", clapBox([2]int32{200, 1}, [2]int32{150, 1}, [2]int32{0, 1}, [2]int32{0, 1}), 200, 150, image.Rect(0, 0, 200, 150), true},
		{"outside", clapBox([2]int32{100, 1}, [2]int32{50, 1}, [2]int32{90, 1}, [2]int32{0, 1}), 200, 150, image.Rectangle{}, false},
		{"not whole pixels", clapBox([2]int32{100, 1}, [2]int32{50, 1}, [2]int32{1, 3}, [2]int32{0, 1}), 200, 150, image.Rectangle{}, false},
		{"zero denominator", clapBox([2]int32{100, 0}, [2]int32{50, 1}, [2]int32{0, 1}, [2]int32{0, 1}), 200, 150, image.Rectangle{}, false},
		{"short", make([]byte, 31), 200, 150, image.Rectangle{}, false},
	} {
		got, ok := cleanAperture(tt.box, tt.w, tt.h)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: cleanAperture = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCropTo(t *testing.T) {
	src := image.NewNRGBA(image.Rect(10, 20, 30, 40)) // bounds not at the origin
	for y := 20; y < 40; y++ {
		for x := 10; x < 30; x++ {
			src.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 0, 255})
		}
	}
	got := cropTo(src, image.Rect(2, 3, 7, 9))
	if got.Bounds() != image.Rect(0, 0, 5, 6) {
		t.Fatalf("bounds %v, want 5x6 at the origin", got.Bounds())
	}
	if c := got.At(0, 0).(color.NRGBA); c.R != 12 || c.G != 23 {
		t.Errorf("top left %v, want the source's (12, 23)", c)
	}
	if c := got.At(4, 5).(color.NRGBA); c.R != 16 || c.G != 28 {
		t.Errorf("bottom right %v, want the source's (16, 28)", c)
	}
}
