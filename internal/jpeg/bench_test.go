package jpeg

import (
	"bytes"
	"context"
	"fmt"
	stdjpeg "image/jpeg"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
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
					if _, err := Decode(context.Background(), data, s); err != nil {
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
// /usr/share/backgrounds) per op: at scales 1, 2, 4 and 8; at the scale the
// thumbnailer loads for a 256-pixel box ("thumb", see thumbScale); the same
// with two goroutines sharing the files ("thumb-par2"); and with image/jpeg.
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
	decodeAll := func(b *testing.B, files [][]byte, s int) {
		for _, data := range files {
			var err error
			switch s {
			case 0:
				_, err = stdjpeg.Decode(bytes.NewReader(data))
			case -1:
				_, err = Decode(context.Background(), data, thumbScale(data, 256))
			default:
				_, err = Decode(context.Background(), data, s)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	}
	for _, s := range []int{1, 2, 4, 8, -1, 0} {
		name := map[int]string{0: "stdlib", -1: "thumb"}[s]
		if s > 0 {
			name = fmt.Sprintf("scale=%d", s)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(total)
			b.ReportAllocs()
			for b.Loop() {
				decodeAll(b, files, s)
			}
		})
	}
	b.Run("thumb-par2", func(b *testing.B) {
		b.SetBytes(total)
		b.ReportAllocs()
		for b.Loop() {
			var next atomic.Int64
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					for i := next.Add(1) - 1; i < int64(len(files)); i = next.Add(1) - 1 {
						decodeAll(b, files[i:i+1], -1)
					}
				})
			}
			wg.Wait()
		}
	})
}

// thumbScale is the scale the thumbnailer decodes at for a box x box
// thumbnail: the largest that leaves at least 2x for the final resampling.
func thumbScale(data []byte, box int) int {
	cfg, err := DecodeConfig(data)
	if err != nil {
		return 1
	}
	w, h := cfg.Width, cfg.Height
	tw, th := box, max(1, h*box/w)
	if h > w {
		tw, th = max(1, w*box/h), box
	}
	s := 8
	for s > 1 && (w/s < 2*tw || h/s < 2*th) {
		s /= 2
	}
	return s
}

var arithBenchFiles = sync.OnceValue(func() map[string][]byte {
	const w, h = 4000, 3000
	planes := ycc(photo(w, h, 42))
	files := map[string][]byte{}
	for _, kind := range []struct {
		name      string
		huff, ari byte
		scans     []encScan
	}{
		{"sequential", 0xC0, 0xC9, nil},
		{"progressive", 0xC2, 0xCA, progScript(3)},
	} {
		o := encOpts{comps: s420, quant: quality(3), adobe: -1, jfif: true, scans: kind.scans}
		o.sof = kind.huff
		files[kind.name+"/huffman"] = encode(w, h, planes, o)
		o.sof = kind.ari
		files[kind.name+"/arithmetic"] = encode(w, h, planes, o)
	}
	return files
})

// BenchmarkArithmetic decodes a generated 4000x3000 4:2:0 photo-like image
// coded both ways from the same coefficients, Huffman (optimised tables)
// and arithmetic, sequential and progressive, at full scale and at 1/8.
func BenchmarkArithmetic(b *testing.B) {
	files := arithBenchFiles()
	for _, kind := range []string{"sequential", "progressive"} {
		for _, s := range []int{1, 8} {
			for _, coding := range []string{"huffman", "arithmetic"} {
				data := files[kind+"/"+coding]
				b.Run(fmt.Sprintf("%s/scale=%d/%s", kind, s, coding), func(b *testing.B) {
					b.SetBytes(int64(len(data)))
					b.ReportAllocs()
					for b.Loop() {
						if _, err := Decode(context.Background(), data, s); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
