package decode

import (
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var writeSources = flag.String("write-sources", "", "write the PNG sources of the testdata files made with external tools into this `dir`")

// TestFixtureSources writes the PNG sources from which the HEIC, PNG and
// JPEG files in testdata were made with external tools (testdata/README
// says how), into -write-sources DIR or a temporary directory, and checks
// that each committed fixture has the size of its source.
func TestFixtureSources(t *testing.T) {
	dir := *writeSources
	if dir == "" {
		dir = t.TempDir()
	}
	sources := map[string]image.Image{
		"small.png":   photo(64, 48),
		"heic.png":    photo(256, 171),
		"alpha.png":   translucent(256, 171),
		"big.png":     photo(3000, 2000),
		"thumb.png":   negative(photo(512, 342)),
		"photo.png":   photo(256, 170),
		"photo96.png": photo(96, 64),
		"grid.png":    photo(296, 200),
	}
	for name, m := range sources {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		// Fastest compression: the pixels are what matter, and big.png at
		// the default level takes most of the test's time under -race.
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(f, m); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for fixture, source := range map[string]string{
		"small.heic": "heic.png", "alpha.heic": "alpha.png", "gray.heic": "heic.png", "big.heic": "big.png", "thumb.heic": "thumb.png", "photo.heic": "photo.png", "photo96.heic": "photo96.png",
		"grid.heic":      "grid.png",
		"interlaced.png": "small.png", "cmyk.jpg": "small.png", "progressive.jpg": "small.png",
	} {
		data, err := os.ReadFile(filepath.Join("testdata", fixture))
		if err != nil {
			t.Fatal(err)
		}
		h, err := ReadHeader(data)
		if err != nil {
			t.Fatalf("%s: %v", fixture, err)
		}
		if got, want := image.Pt(h.Width, h.Height), sources[source].Bounds().Size(); got != want {
			t.Errorf("%s is %v, but its source %s is %v", fixture, got, source, want)
		}
	}
}
