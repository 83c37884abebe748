package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePNG(t *testing.T, path string, w, h int, c color.NRGBA) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCompareRef(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	writePNG(t, p("ref.png"), 4, 3, color.NRGBA{100, 100, 100, 255})
	writePNG(t, p("same.png"), 4, 3, color.NRGBA{100, 100, 100, 255})
	writePNG(t, p("off.png"), 4, 3, color.NRGBA{110, 100, 100, 255})
	writePNG(t, p("clear.png"), 4, 3, color.NRGBA{0, 0, 0, 0}) // flattens to white
	writePNG(t, p("white.png"), 4, 3, color.NRGBA{255, 255, 255, 255})
	writePNG(t, p("small.png"), 2, 3, color.NRGBA{100, 100, 100, 255})
	tests := []struct {
		ref, out string
		wantDB   float64 // RGB PSNR; 0 when an error is expected
	}{
		{"ref.png", "same.png", maxDB},
		{"ref.png", "off.png", toDB(100.0 / 3)}, // one channel of three off by 10
		{"white.png", "clear.png", maxDB},
		{"ref.png", "small.png", 0},
	}
	for _, tt := range tests {
		r := compareRef(pair{src: p(tt.ref), outs: []string{p(tt.out)}})[0]
		if tt.wantDB == 0 {
			if r.err == nil || !strings.Contains(r.err.Error(), "reference") {
				t.Errorf("%s against %s: error %v, want a size mismatch", tt.out, tt.ref, r.err)
			}
			continue
		}
		if r.err != nil || r.rgb != tt.wantDB {
			t.Errorf("%s against %s: %.3f dB, %v; want %.3f dB", tt.out, tt.ref, r.rgb, r.err, tt.wantDB)
		}
	}
}

func TestReadPairs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tsv")
	if err := os.WriteFile(good, []byte("a.png\tb.png\n\nc d.png\te.png\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	work, err := readPairs(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(work) != 2 || work[1].src != "c d.png" || work[1].outs[0] != "e.png" {
		t.Errorf("readPairs = %+v", work)
	}
	bad := filepath.Join(dir, "bad.tsv")
	if err := os.WriteFile(bad, []byte("a.png b.png\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readPairs(bad); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Errorf("readPairs of a line without a tab: %v, want an error naming line 1", err)
	}
}
