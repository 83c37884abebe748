package decode

import (
	"image/png"
	"os"
	"testing"
)

func TestX(t *testing.T) {
	for _, n := range []string{"small.heic", "alpha.heic"} {
		d := readFile(t, n)
		h, _ := ReadHeader(d)
		img, err := Decode(d, h, 1)
		t.Logf("%T %v %v", img, img.Bounds(), err)
		f, _ := os.Create("/tmp/" + n + ".png")
		png.Encode(f, img)
		f.Close()
	}
}
