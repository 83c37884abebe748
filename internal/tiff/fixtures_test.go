package tiff

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func readPNG(t *testing.T, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDecodeFixtures decodes committed files (see testdata/README.md) and
// compares them with reference renderings made by ImageMagick (libtiff).
func TestDecodeFixtures(t *testing.T) {
	tests := []struct {
		file, ref string
		tol       int
	}{
		{"fax4.tiff", "fax4.png", 0},             // T.6, min-is-black
		{"fax-t6-fillorder2.tif", "fax4.png", 0}, // T.6, FillOrder 2
		{"fax-t4-1d-fill.tif", "fax4.png", 0},    // T.4 1-D with EOL fill bits
		{"fax-t4-2d.tif", "fax4.png", 0},         // T.4 2-D
		{"fax-mh.tif", "fax-mh.png", 0},          // modified Huffman, min-is-white
		{"cmyk-jpeg.tif", "cmyk-jpeg.png", 2},    // JPEG-compressed CMYK without Adobe marker
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			img, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			ref := readPNG(t, tt.ref)
			b := ref.Bounds()
			checkPixels(t, img, b.Dx(), b.Dy(), tt.tol, func(x, y int) [4]uint8 {
				c := color.NRGBAModel.Convert(ref.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				return [4]uint8{c.R, c.G, c.B, c.A}
			})
		})
	}
}

// TestFaxT6MatchesCCITT checks the 2-D row decoder, which T.4 2-D data uses,
// on T.6 data against golang.org/x/image/ccitt.
func TestFaxT6MatchesCCITT(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "fax4.tiff"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := parseIFD(data)
	if err != nil {
		t.Fatal(err)
	}
	l, err := readLayout(d)
	if err != nil {
		t.Fatal(err)
	}
	src := data[l.offsets[0] : l.offsets[0]+l.counts[0]]
	want, err := newDecompressor(l, d).decompress(src, l.width, l.height)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeFax(src, l.width, l.height, faxT6, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("T.6 rows differ from golang.org/x/image/ccitt's")
	}
}

// TestDecodeWebPStrips compares lossy WebP strips with libwebp's rendering by
// ImageMagick. golang.org/x/image/webp upsamples chroma without libwebp's
// smoothing, so single pixels at colour edges differ; the mean may not.
func TestDecodeWebPStrips(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "webp.tif"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	ref := readPNG(t, "webp.png")
	if img.Bounds() != ref.Bounds() {
		t.Fatalf("bounds %v, want %v", img.Bounds(), ref.Bounds())
	}
	var sum, n float64
	for y := 0; y < ref.Bounds().Dy(); y++ {
		for x := 0; x < ref.Bounds().Dx(); x++ {
			a := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			b := color.NRGBAModel.Convert(ref.At(x, y)).(color.NRGBA)
			for _, d := range []int{int(a.R) - int(b.R), int(a.G) - int(b.G), int(a.B) - int(b.B)} {
				sum += float64(max(d, -d))
				n++
			}
		}
	}
	if mean := sum / n; mean > 1.5 {
		t.Errorf("mean difference %.2f levels, want at most 1.5", mean)
	}
}
