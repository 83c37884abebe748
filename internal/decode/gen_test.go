package decode

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteSources writes the PNG sources of the testdata files made with external tools
// when THUMBS_TESTDATA_SRC names a directory; testdata/README says how they were made.
func TestWriteSources(t *testing.T) {
	dir := os.Getenv("THUMBS_TESTDATA_SRC")
	if dir == "" {
		t.Skip("THUMBS_TESTDATA_SRC not set")
	}
	for name, m := range map[string]image.Image{
		"small.png": photo(64, 48),
		"heic.png":  photo(256, 171),
		"alpha.png": translucent(256, 171),
		"big.png":   photo(3000, 2000),
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, m); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}
