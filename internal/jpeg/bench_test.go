package jpeg

import (
	"bytes"
	"fmt"
	stdjpeg "image/jpeg"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var benchFiles = sync.OnceValue(func() map[string][]byte {
	const w, h = 4000, 3000
	m := photo(w, h, 42)
	var buf bytes.Buffer
	if err := stdjpeg.Encode(&buf, m, &stdjpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	prog := encode(w, h, ycc(m), encOpts{comps: s420, quant: quality(3), adobe: -1, jfif: true, sof: 0xC2, scans: progScript(3)})
	return map[string][]byte{"baseline": buf.Bytes(), "progressive": prog}
})

// BenchmarkDecode decodes a generated 4000x3000 4:2:0 photo-like image,
// baseline (image/jpeg's encoder, quality 90) and progressive.
func BenchmarkDecode(b *testing.B) {
	files := benchFiles()
	for _, kind := range []string{"baseline", "progressive"} {
		data := files[kind]
		for _, s := range []int{1, 2, 4, 8} {
			b.Run(fmt.Sprintf("%s/scale=%d", kind, s), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Decode(data, s); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(kind+"/stdlib", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := stdjpeg.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPhotos decodes every *.jpg under $THUMBS_BENCH_DIR (e.g.
// /usr/share/backgrounds) per op, at scales 1 and 8 and with image/jpeg.
func BenchmarkPhotos(b *testing.B) {
	dir := os.Getenv("THUMBS_BENCH_DIR")
	if dir == "" {
		b.Skip("THUMBS_BENCH_DIR not set")
	}
	var files [][]byte
	var total int64
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && filepath.Ext(p) == ".jpg" {
			if data, err := os.ReadFile(p); err == nil {
				files = append(files, data)
				total += int64(len(data))
			}
		}
		return nil
	})
	if len(files) == 0 {
		b.Skip("no *.jpg files")
	}
	for _, s := range []int{1, 8, 0} {
		name := fmt.Sprintf("scale=%d", s)
		if s == 0 {
			name = "stdlib"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				for _, data := range files {
					var err error
					if s == 0 {
						_, err = stdjpeg.Decode(bytes.NewReader(data))
					} else {
						_, err = Decode(data, s)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
