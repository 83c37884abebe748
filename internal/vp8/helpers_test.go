package vp8

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"testing"

	xvp8 "golang.org/x/image/vp8"
)

// vp8Chunk returns the payload of the first "VP8 " chunk of a WebP file.
func vp8Chunk(t testing.TB, b []byte) []byte {
	t.Helper()
	for i := 12; i+8 <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		if i+8+n > len(b) {
			break
		}
		if string(b[i:i+4]) == "VP8 " {
			return b[i+8 : i+8+n]
		}
		i += 8 + n + n&1
	}
	t.Fatal("no VP8 chunk")
	return nil
}

// testFiles returns the VP8 payloads of testdata/*.webp by file name.
func testFiles(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob("testdata/*.webp")
	if err != nil || len(names) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	files := make(map[string][]byte)
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(name)] = vp8Chunk(t, b)
	}
	return files
}

// decodeXImage decodes data with golang.org/x/image/vp8, the reference.
func decodeXImage(data []byte) (*image.YCbCr, error) {
	d := xvp8.NewDecoder()
	d.Init(bytes.NewReader(data), len(data))
	if _, err := d.DecodeFrameHeader(); err != nil {
		return nil, err
	}
	return d.DecodeFrame()
}

// planeDiff returns a description of the first sample where got and want
// differ inside got's rectangle, or "" when every sample is equal.
func planeDiff(got, want *image.YCbCr) string {
	if got.Rect != want.Rect {
		return "rectangle " + got.Rect.String() + ", want " + want.Rect.String()
	}
	w, h := got.Rect.Dx(), got.Rect.Dy()
	planes := []struct {
		name                  string
		got, want             []byte
		gotStride, wantStride int
		w, h                  int
	}{
		{"Y", got.Y, want.Y, got.YStride, want.YStride, w, h},
		{"Cb", got.Cb, want.Cb, got.CStride, want.CStride, (w + 1) / 2, (h + 1) / 2},
		{"Cr", got.Cr, want.Cr, got.CStride, want.CStride, (w + 1) / 2, (h + 1) / 2},
	}
	for _, p := range planes {
		for y := range p.h {
			g := p.got[y*p.gotStride : y*p.gotStride+p.w]
			x := p.want[y*p.wantStride : y*p.wantStride+p.w]
			for i := range g {
				if g[i] != x[i] {
					return fmt.Sprintf("%s differs at (%d,%d): %d, want %d", p.name, i, y, g[i], x[i])
				}
			}
		}
	}
	return ""
}
