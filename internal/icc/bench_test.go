package icc

import (
	"image"
	"os"
	"path/filepath"
	"testing"
)

// benchProfiles are one profile of each transform kind.
var benchProfiles = []struct {
	name    string
	profile func() []byte
}{
	{"matrix-trc", func() []byte {
		b, _ := os.ReadFile(filepath.Join("testdata", "compatibleWithAdobeRGB1998.icc"))
		return b
	}},
	{"lut8-rgb", syntheticProfiles["lut8-rgb"]},
	{"lut16-cmyk", syntheticProfiles["lut16-cmyk"]},
	{"mab-cmyk", syntheticProfiles["mab-cmyk"]},
}

// BenchmarkTransform measures building a transform for a profile and
// converting one 256x256 thumbnail with it.
func BenchmarkTransform(b *testing.B) {
	for _, bp := range benchProfiles {
		data := bp.profile()
		p, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bp.name+"/build", func(b *testing.B) {
			for b.Loop() {
				if _, err := NewTransform(p); err != nil {
					b.Fatal(err)
				}
			}
		})
		tr, err := NewTransform(p)
		if err != nil {
			b.Fatal(err)
		}
		r := image.Rect(0, 0, 256, 256)
		b.Run(bp.name+"/apply-256x256", func(b *testing.B) {
			if tr.Space == CMYK {
				src := image.NewCMYK(r)
				for i := range src.Pix {
					src.Pix[i] = uint8(i * 7)
				}
				for b.Loop() {
					if _, err := tr.ApplyCMYK(src); err != nil {
						b.Fatal(err)
					}
				}
				return
			}
			img := image.NewNRGBA(r)
			for b.Loop() {
				for i := range img.Pix {
					img.Pix[i] = uint8(i * 7)
				}
				if err := tr.Apply(img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
