package decode

import (
	"bytes"
	"math"
	"testing"
)

// TestHEICMajorBrand decodes small.heic with its major brand changed from
// "heic" to others that HEIF files carry (Nokia's samples are "mif1"): the
// picture must be the same.
func TestHEICMajorBrand(t *testing.T) {
	orig := readFile(t, "small.heic")
	h, err := ReadHeader(orig)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Decode(orig, h, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, brand := range []string{"mif1", "msf1", "heim"} {
		t.Run(brand, func(t *testing.T) {
			data := bytes.Clone(orig)
			copy(data[8:12], brand)
			h, err := ReadHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			if h.Format != HEIC {
				t.Fatalf("format %q, want HEIC", h.Format)
			}
			img, err := Decode(data, h, 1)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if p := psnr(t, want, img); !math.IsInf(p, 1) {
				t.Errorf("differs from the decode under brand heic: PSNR %.1f dB", p)
			}
			if !bytes.Equal(data[8:12], []byte(brand)) {
				t.Error("Decode changed the caller's data")
			}
		})
	}
}
