package heif

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecode runs the HEIC and AVIF glue on any input: it must return an
// error or an image whose every pixel can be read, never panic, and the
// engine must go on decoding afterwards.
func FuzzDecode(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.hei[cf]"))
	avifs, _ := filepath.Glob(filepath.Join("testdata", "*.avif"))
	for _, name := range append(names, avifs...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, strings.HasSuffix(name, ".avif"))
	}
	// The default engine's cache outlives the fuzzing worker processes,
	// which would each compile the modules again in a cache of their own.
	e := Default()
	f.Fuzz(func(t *testing.T, data []byte, avif bool) {
		decode := e.DecodeHEIC
		if avif {
			decode = e.DecodeAVIF
		}
		img, err := decode(context.Background(), data)
		if err != nil {
			return
		}
		r := img.Bounds()
		if r.Empty() {
			t.Fatalf("no error and an empty image %v", r)
		}
		img.At(r.Min.X, r.Min.Y)
		img.At(r.Max.X-1, r.Max.Y-1)
	})
}
