package tiff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecode checks that no input makes DecodeConfig or Decode panic (their
// recovered panics show as "internal error"), and that a decoded image has the
// size DecodeConfig reports.
func FuzzDecode(f *testing.F) {
	small := []tiffFile{
		{width: 5, height: 3, bps: 8, spp: 3, photometric: pRGB, compression: cLZW, predictor: 2},
		{width: 5, height: 3, bps: 4, photometric: pPalette, colorMap: testPalette(4), compression: cPackBits},
		{width: 5, height: 3, bps: 16, spp: 4, photometric: pSeparated, planar: true, tileW: 16, tileH: 16, compression: cDeflate, bigEndian: true},
		{width: 6, height: 4, bps: 8, spp: 3, photometric: pYCbCr, subH: 2, subV: 2, pic: ycbcrPicture(2, 2)},
		{width: 5, height: 3, bps: 32, format: fFloat, predictor: 3, photometric: pBlackIsZero, bigTIFF: true},
		{width: 5, height: 3, bps: 8, spp: 3, photometric: pCIELab, fillOrder2: true, unsorted: true},
	}
	for _, file := range small {
		f.Add(writeTIFF(f, file))
	}
	for _, name := range []string{"fax-mh.tif", "fax-t4-2d.tif", "fax4.tiff"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, cerr := DecodeConfig(data)
		img, err := Decode(data)
		for _, e := range []error{cerr, err} {
			if e != nil && strings.Contains(e.Error(), "internal error") {
				t.Fatal(e)
			}
		}
		if err != nil {
			return
		}
		if cerr != nil {
			t.Fatalf("Decode succeeded where DecodeConfig failed: %v", cerr)
		}
		if b := img.Bounds(); b.Dx() != c.Width || b.Dy() != c.Height {
			t.Fatalf("image is %v, DecodeConfig says %dx%d", b, c.Width, c.Height)
		}
	})
}
