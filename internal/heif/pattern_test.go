package heif

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var writeSources = flag.String("write-sources", "", "write the PNG sources of the fixtures to this directory")

// fixtureSizes are the sizes of the pattern fixtures in testdata: small and
// narrow pictures, whose planes libheif pads to 64 samples, and one that
// is not.
var fixtureSizes = []image.Point{{32, 32}, {64, 40}, {200, 17}, {17, 200}, {9, 9}, {320, 213}}

// pattern returns the source picture of the w×h fixtures: red rising left
// to right, green top to bottom, blue along a diagonal wave. It is smooth,
// so that lossy coding keeps it well, and no two rows or columns are
// alike, so that a misplaced row shows.
func pattern(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(max(w-1, 1)), float64(y)/float64(max(h-1, 1))
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(30 + 195*fx),
				G: uint8(30 + 195*fy),
				B: uint8(128 + 90*math.Sin(2*math.Pi*(fx+fy)/2)),
				A: 255,
			})
		}
	}
	return img
}

// TestFixtureSources writes the PNG sources of the fixtures, when asked
// with -write-sources (see testdata/README.md).
func TestFixtureSources(t *testing.T) {
	if *writeSources == "" {
		return
	}
	for _, s := range fixtureSizes {
		f, err := os.Create(filepath.Join(*writeSources, fmt.Sprintf("pattern-%dx%d.png", s.X, s.Y)))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, pattern(s.X, s.Y)); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
