package bmp_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/bmp"
)

var update = flag.Bool("update", false, "rewrite the BMP files in testdata")

// testdataFiles are the small BMPs committed under testdata, each written by
// the test encoder (go test -run TestTestdataFiles -update).
func testdataFiles() []conformanceCase {
	return []conformanceCase{
		{"os2-core-pal8.bmp", bmpFile{infoSize: 12, bitsPerPixel: 8, palette: testPalette(256, false)}, indexPicture(13, 7, 8)},
		{"os2v2-rle24.bmp", bmpFile{infoSize: 64, bitsPerPixel: 24, compression: biRLE24OS2}, runPicture(13, 7)},
		{"rle4-delta.bmp", bmpFile{infoSize: 40, bitsPerPixel: 4, compression: biRLE4, palette: testPalette(16, false)}, indexPicture(16, 9, 4)},
		{"rle8-delta-short-palette.bmp", bmpFile{infoSize: 40, bitsPerPixel: 8, compression: biRLE8, palette: testPalette(5, false), colorsUsed: 5}, indexPicture(16, 9, 8)},
		{"v5-gap.bmp", bmpFile{infoSize: 124, bitsPerPixel: 24, gap: 9}, colorPicture(11, 5)},
		{"rgb16-565.bmp", bmpFile{infoSize: 40, bitsPerPixel: 16, compression: biBitfields, masks: [4]uint32{0xf800, 0x07e0, 0x001f, 0}}, colorPicture(11, 5)},
		{"rgba32-bitfields-v5-topdown.bmp", bmpFile{infoSize: 124, bitsPerPixel: 32, compression: biBitfields, topDown: true, masks: [4]uint32{0xff0000, 0xff00, 0xff, 0xff000000}}, colorPicture(11, 5)},
		{"rgba32-alphabitfields.bmp", bmpFile{infoSize: 40, bitsPerPixel: 32, compression: biAlphaBitfields, masks: [4]uint32{0x3ff00000, 0xffc00, 0x3ff, 0xc0000000}}, colorPicture(11, 5)},
	}
}

// TestTestdataFiles checks that each committed file is what the encoder
// writes, so its origin is known, and that it decodes to the expected pixels.
func TestTestdataFiles(t *testing.T) {
	for _, c := range testdataFiles() {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join("testdata", c.name)
			want := c.file.encode(c.pic)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, want) {
				t.Fatalf("%s differs from what the encoder writes; run with -update if the encoder changed on purpose", path)
			}
			img, err := bmp.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			samePixels(t, img, c.file.expected(c.pic))
		})
	}
}
