package icc

import (
	"image"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse, NewTransform or the
// conversions panic. Seeds: the profiles in testdata and the synthetic ones.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.icc"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, build := range syntheticProfiles {
		f.Add(build())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		tr, err := NewTransform(p)
		if err != nil {
			return
		}
		img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
		for i := range img.Pix {
			img.Pix[i] = uint8(i * 17)
		}
		if tr.Space == CMYK {
			if _, err := tr.ApplyCMYK(&image.CMYK{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}); err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := tr.Apply(img); err != nil {
			t.Fatal(err)
		}
	})
}
