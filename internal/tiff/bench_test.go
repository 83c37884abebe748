package tiff

import (
	"bytes"
	"image/color"
	"io"
	"testing"

	xtiff "golang.org/x/image/tiff"
	tifflzw "golang.org/x/image/tiff/lzw"
)

// lzwDictionary encodes b as TIFF LZW with a real dictionary, as libtiff does,
// so that benchmarks see realistic code lengths.
func lzwDictionary(b []byte) []byte {
	const clearCode, eoi = 256, 257
	var w bitWriter
	width, next := 9, 258
	dict := make(map[uint32]uint16, 4096)
	w.put(clearCode, width)
	if len(b) == 0 {
		w.put(eoi, width)
		w.flush()
		return w.buf
	}
	prefix := uint32(b[0])
	for _, c := range b[1:] {
		key := prefix<<8 | uint32(c)
		if code, ok := dict[key]; ok {
			prefix = uint32(code)
			continue
		}
		w.put(uint64(prefix), width)
		dict[key] = uint16(next)
		next++
		// The decoder, one entry behind, widens its codes one code early.
		if next >= 1<<width && width < 12 {
			width++
		}
		if next >= 4094 {
			w.put(clearCode, width)
			clear(dict)
			width, next = 9, 258
		}
		prefix = uint32(c)
	}
	w.put(uint64(prefix), width)
	w.put(eoi, width)
	w.flush()
	return w.buf
}

func TestLZWDictionaryRoundTrip(t *testing.T) {
	data := make([]byte, 200000)
	for i := range data {
		data[i] = byte(i/7) ^ byte(i*i>>9)
	}
	got, err := io.ReadAll(tifflzw.NewReader(bytes.NewReader(lzwDictionary(data)), tifflzw.MSB, 8))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("round trip failed: %v, %d of %d bytes", err, len(got), len(data))
	}
}

// photoRGB is a 12-megapixel 8-bit RGB file with the given compression, 64 rows per strip.
func photoRGB(b *testing.B, compression int) []byte {
	const w, h = 4000, 3000
	f := tiffFile{width: w, height: h, spp: 3, bps: 8, photometric: pRGB, rowsPerStrip: 64,
		pic: func(x, y, c int) uint16 { return uint16((x*3+y*2+c*40)%256) << 8 }}
	f.defaults()
	f.chunks = nil
	for y0 := 0; y0 < h; y0 += 64 {
		s := f.chunk(bigOrLittle(false), 0, y0, w, min(64, h-y0), 0)
		if compression == cLZW {
			s = lzwDictionary(s)
		}
		f.chunks = append(f.chunks, s)
	}
	f.compression = compression
	return writeTIFF(b, f)
}

func BenchmarkDecodeRGB12MP(b *testing.B) {
	for _, comp := range []struct {
		name string
		c    int
	}{{"none", cNone}, {"lzw", cLZW}} {
		data := photoRGB(b, comp.c)
		b.Run(comp.name+"/thumbs", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(4000 * 3000 * 3)
			for b.Loop() {
				if _, err := Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(comp.name+"/x-image-tiff", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(4000 * 3000 * 3)
			for b.Loop() {
				if _, err := xtiff.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBenchmarkFileAgrees checks the benchmark's input decodes to the same
// pixels with this package and golang.org/x/image/tiff.
func TestBenchmarkFileAgrees(t *testing.T) {
	const w, h = 97, 70
	f := tiffFile{width: w, height: h, spp: 3, bps: 8, photometric: pRGB, rowsPerStrip: 16}
	f.defaults()
	for y0 := 0; y0 < h; y0 += 16 {
		f.chunks = append(f.chunks, lzwDictionary(f.chunk(bigOrLittle(false), 0, y0, w, min(16, h-y0), 0)))
	}
	f.compression = cLZW
	data := writeTIFF(t, f)
	ref, err := xtiff.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	checkPixels(t, img, w, h, 0, func(x, y int) [4]uint8 {
		c := color.NRGBAModel.Convert(ref.At(x, y)).(color.NRGBA)
		return [4]uint8{c.R, c.G, c.B, c.A}
	})
}
