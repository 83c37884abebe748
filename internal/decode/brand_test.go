package decode

import (
	"bytes"
	"context"
	"image"
	"testing"
)

// withMajorBrand returns file with the major brand of its ftyp box set to brand.
func withMajorBrand(file []byte, brand string) []byte {
	out := bytes.Clone(file)
	copy(out[8:12], brand)
	return out
}

// TestHEIFMajorBrand decodes HEIC files whose major brand is the generic
// mif1 or msf1, or heim, with heic among the compatible brands, which
// libheif only calls "maybe" HEIF.
func TestHEIFMajorBrand(t *testing.T) {
	small := readFile(t, "small.heic") // ftyp heic, compatible mif1 heic
	for _, brand := range []string{"heic", "mif1", "msf1", "heim"} {
		t.Run(brand, func(t *testing.T) {
			data := withMajorBrand(small, brand)
			h, err := ReadHeader(data)
			if err != nil || h.Format != HEIC {
				t.Fatalf("ReadHeader = %+v, %v", h, err)
			}
			img, err := Decode(context.Background(), data, h, 1)
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds() != image.Rect(0, 0, 256, 171) {
				t.Fatalf("bounds %v", img.Bounds())
			}
			if p := psnr(t, photo(256, 171), img); p < 30 {
				t.Errorf("PSNR %.1f dB, want >= 30", p)
			}
		})
	}
}
