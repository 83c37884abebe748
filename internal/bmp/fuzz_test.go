package bmp_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/bmp"
)

// FuzzDecode checks that no input panics, that DecodeConfig and Decode agree
// on the dimensions, and that an image comes with no error or a truncation.
func FuzzDecode(f *testing.F) {
	for _, c := range testdataFiles() {
		data, err := os.ReadFile(filepath.Join("testdata", c.name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, c := range conformanceCases() {
		if c.pic.w*c.pic.h > 0 && len(c.name)%7 == 0 { // a spread of the layouts, kept small
			f.Add(c.file.encode(c.pic))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cfgErr := bmp.DecodeConfig(bytes.NewReader(data))
		if cfgErr == nil && cfg.Width*cfg.Height > 1<<22 {
			return // the caller bounds the size before decoding
		}
		img, err := bmp.Decode(data)
		var truncated *bmp.TruncatedError
		switch {
		case err == nil && img == nil:
			t.Fatal("nil image without error")
		case img != nil && err != nil && !errors.As(err, &truncated):
			t.Fatalf("image with error %v", err)
		case img == nil:
			return
		}
		if cfgErr != nil {
			t.Fatalf("Decode succeeded where DecodeConfig failed: %v", cfgErr)
		}
		if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
			t.Fatalf("image %v, DecodeConfig %dx%d", b, cfg.Width, cfg.Height)
		}
	})
}
