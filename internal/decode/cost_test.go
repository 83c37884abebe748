package decode

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/gen2brain/avif"
	gwebp "github.com/gen2brain/webp"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// procStatus returns a field of /proc/self/status in bytes, or -1.
func procStatus(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return -1
			}
			return kib << 10
		}
	}
	return -1
}

// peakRSS runs f and returns how far the process's resident memory rose
// above what it was before: VmHWM after f, reset just before it, minus
// VmRSS before it, after a collection that returns free memory to the
// system. It returns -1 where /proc cannot tell.
func peakRSS(f func()) int64 {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return -1
	}
	base := procStatus("VmRSS")
	f()
	peak := procStatus("VmHWM")
	if base < 0 || peak < 0 {
		return -1
	}
	return peak - base
}

// animatedCanvas returns an animated WebP of frames frames, each a tiny
// lossless picture, on a w x h canvas.
func animatedCanvas(t testing.TB, w, h, frames int) []byte {
	var buf bytes.Buffer
	if err := gwebp.Encode(&buf, photo(16, 16), gwebp.Options{Lossless: true}); err != nil {
		t.Fatal(err)
	}
	return testimage.AnimatedWebP(buf.Bytes(), 16, 16, w, h, frames)
}

// heicGridOf returns a w×h HEIC grid whose tiles are all the 256×170
// picture of photo.heic, the last column and row cropped.
func heicGridOf(t testing.TB, w, h int) []byte {
	tile, err := testimage.HEVCItemOf(readFile(t, "photo.heic"))
	if err != nil {
		t.Fatal(err)
	}
	cols, rows := (w+tile.W-1)/tile.W, (h+tile.H-1)/tile.H
	tiles := make([]testimage.HEVCItem, cols*rows)
	for i := range tiles {
		tiles[i] = tile
	}
	return testimage.HEICGrid(w, h, cols, rows, tiles, nil, 0, -1)
}

type costCase struct {
	name   string
	data   func(testing.TB) []byte
	shrink int
}

// costCases are images of each decoder path, w x h where the path allows;
// the fixtures are as they are.
func costCases(w, h int) []costCase {
	pic := photo(w, h)
	opaque := image.NewRGBA(pic.Bounds())
	draw.Draw(opaque, opaque.Bounds(), pic, image.Point{}, draw.Src)
	encoded := func(f func(*bytes.Buffer) error) func(testing.TB) []byte {
		return func(t testing.TB) []byte { return enc(t, f) }
	}
	gray := image.NewGray(pic.Bounds())
	draw.Draw(gray, gray.Bounds(), pic, image.Point{}, draw.Src)
	deep := image.NewNRGBA64(pic.Bounds())
	draw.Draw(deep, deep.Bounds(), translucent(w, h), image.Point{}, draw.Src)
	pal := image.NewPaletted(pic.Bounds(), palette.Plan9)
	draw.Draw(pal, pal.Bounds(), pic, image.Point{}, draw.Src)
	avifOf := func(m image.Image) func(testing.TB) []byte {
		return encoded(func(b *bytes.Buffer) error { return avif.Encode(b, m, avif.Options{Quality: 60, Speed: 10}) })
	}
	jpg := encoded(func(b *bytes.Buffer) error { return jpegEncode(b, opaque) })
	var cs []costCase
	for _, s := range []int{1, 2, 4, 8} {
		cs = append(cs, costCase{fmt.Sprintf("jpeg-420/shrink=%d", s), jpg, s})
	}
	cs = append(cs,
		costCase{"png-rgb8", encoded(func(b *bytes.Buffer) error { return png.Encode(b, opaque) }), 1},
		costCase{"png-rgba8", encoded(func(b *bytes.Buffer) error { return png.Encode(b, translucent(w, h)) }), 1},
		costCase{"png-gray8", encoded(func(b *bytes.Buffer) error { return png.Encode(b, gray) }), 1},
		costCase{"png-rgba16", encoded(func(b *bytes.Buffer) error { return png.Encode(b, deep) }), 1},
		costCase{"png-paletted", encoded(func(b *bytes.Buffer) error { return png.Encode(b, pal) }), 1},
		costCase{"gif", encoded(func(b *bytes.Buffer) error { return gif.Encode(b, pal, nil) }), 1},
		costCase{"tiff-rgba", encoded(func(b *bytes.Buffer) error { return tiff.Encode(b, opaque, nil) }), 1},
		costCase{"tiff-rgba16", encoded(func(b *bytes.Buffer) error { return tiff.Encode(b, deep, nil) }), 1},
		costCase{"tiff-deflate", encoded(func(b *bytes.Buffer) error {
			return tiff.Encode(b, opaque, &tiff.Options{Compression: tiff.Deflate})
		}), 1},
		costCase{"bmp", encoded(func(b *bytes.Buffer) error { return bmp.Encode(b, opaque) }), 1},
		costCase{"webp-lossy", encoded(func(b *bytes.Buffer) error { return gwebp.Encode(b, pic, gwebp.Options{Quality: 80}) }), 1},
		costCase{"webp-lossy/shrink=4", encoded(func(b *bytes.Buffer) error { return gwebp.Encode(b, pic, gwebp.Options{Quality: 80}) }), 4},
		costCase{"webp-lossy-alpha", encoded(func(b *bytes.Buffer) error {
			return gwebp.Encode(b, translucent(w, h), gwebp.Options{Quality: 80})
		}), 1},
		costCase{"webp-lossy-alpha/shrink=4", encoded(func(b *bytes.Buffer) error {
			return gwebp.Encode(b, translucent(w, h), gwebp.Options{Quality: 80})
		}), 4},
		costCase{"webp-lossy-alpha-ramp/shrink=2", encoded(func(b *bytes.Buffer) error {
			return gwebp.Encode(b, alphaRamp(pic), gwebp.Options{Quality: 80})
		}), 2},
		costCase{"webp-lossless", encoded(func(b *bytes.Buffer) error { return gwebp.Encode(b, pic, gwebp.Options{Lossless: true}) }), 1},
		costCase{"webp-animated-1", func(t testing.TB) []byte { return animatedCanvas(t, w, h, 1) }, 1},
		costCase{"webp-animated-4", func(t testing.TB) []byte { return animatedCanvas(t, w, h, 4) }, 1},
		costCase{"webp-animated-16", func(t testing.TB) []byte { return animatedCanvas(t, w, h, 16) }, 1},
		costCase{"webp-animated-2w-2h", func(t testing.TB) []byte { return animatedCanvas(t, 2*w, 2*h, 2) }, 1},
		costCase{"avif-quarter", avifOf(photo(w/4, h/4)), 1},
		costCase{"avif", avifOf(pic), 1},
		costCase{"heic-256x171", func(t testing.TB) []byte { return readFile(t, "small.heic") }, 1},
		costCase{"jpeg-progressive-fixture", func(t testing.TB) []byte { return readFile(t, "progressive.jpg") }, 1},
		costCase{"jpeg-cmyk-fixture/shrink=8", func(t testing.TB) []byte { return readFile(t, "cmyk.jpg") }, 8},
		costCase{"png-interlaced-fixture", func(t testing.TB) []byte { return readFile(t, "interlaced.png") }, 1},
	)
	grid := func(t testing.TB) []byte { return heicGridOf(t, w, h) }
	cs = append(cs,
		costCase{"heic-grid", grid, 1},
		costCase{"heic-grid/shrink=2", grid, 2},
		costCase{"heic-grid/shrink=8", grid, 8},
	)
	if w >= 1000 {
		cs = append(cs, costCase{"heic-3000x2000", func(t testing.TB) []byte { return readFile(t, "big.heic") }, 1})
	}
	return cs
}

func jpegEncode(b *bytes.Buffer, m image.Image) error {
	return jpeg.Encode(b, m, &jpeg.Options{Quality: 90})
}

// BenchmarkDecodeMemory reports, per decoder path, the peak resident
// memory one decode takes ("peak-B/px", bytes per pixel of the image) next
// to what Header.DecodeCost predicts ("model-B/px"), and fails when the
// model is below the measurement. Run it with -benchtime 1x: each decode
// is measured by itself. It needs Linux's /proc/self/clear_refs.
func BenchmarkDecodeMemory(b *testing.B) {
	for _, c := range costCases(2048, 1536) {
		b.Run(c.name, func(b *testing.B) {
			data := c.data(b)
			h, err := ReadHeader(data)
			if err != nil {
				b.Fatal(err)
			}
			// The WebAssembly decoders compile their module once per process.
			if _, err := Decode(context.Background(), data, h, c.shrink); err != nil {
				b.Fatal(err)
			}
			pixels := float64(h.Width) * float64(h.Height)
			model := h.DecodeCost(c.shrink)
			for b.Loop() {
				var derr error
				peak := peakRSS(func() { _, derr = Decode(context.Background(), data, h, c.shrink) })
				if derr != nil {
					b.Fatal(derr)
				}
				if peak < 0 {
					b.Fatal("/proc/self cannot measure peak memory here")
				}
				b.ReportMetric(float64(peak)/pixels, "peak-B/px")
				b.ReportMetric(float64(model)/pixels, "model-B/px")
				b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
				if peak > model {
					b.Errorf("peak %d bytes, over DecodeCost %d", peak, model)
				}
			}
		})
	}
}

// TestDecodeCostBoundsAllocation checks DecodeCost against what each
// decoder path allocates on the Go heap (runtime.MemStats.TotalAlloc, which
// bounds the peak of what is live and, for the WebAssembly decoders,
// includes their linear memory), on small images. BenchmarkDecodeMemory
// measures resident memory on larger ones.
func TestDecodeCostBoundsAllocation(t *testing.T) {
	for _, c := range costCases(400, 300) {
		t.Run(c.name, func(t *testing.T) {
			data := c.data(t)
			h, err := ReadHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			// The WebAssembly decoders compile their module once per process.
			if _, err := Decode(context.Background(), data, h, c.shrink); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err = Decode(context.Background(), data, h, c.shrink)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			alloc, model := int64(after.TotalAlloc-before.TotalAlloc), h.DecodeCost(c.shrink)
			if alloc > model {
				t.Errorf("%dx%d: allocated %d bytes, over DecodeCost %d", h.Width, h.Height, alloc, model)
			}
			t.Logf("%dx%d: allocated %d bytes (%.2f B/px), DecodeCost %d", h.Width, h.Height, alloc, float64(alloc)/float64(h.Width*h.Height), model)
		})
	}
}

func TestDecodeCostOfHeaders(t *testing.T) {
	const gib = 1 << 30
	tests := []struct {
		name     string
		h        Header
		shrink   int
		min, max int64
	}{
		{"animated WebP on a 10000x10000 canvas", Header{Format: WebP, Width: 10000, Height: 10000, layout: layout{animated: true}}, 1, 3 * gib, 4 * gib},
		{"AVIF too big for wasm32", Header{Format: AVIF, Width: 40000, Height: 30000}, 1, math.MaxInt64, math.MaxInt64},
		{"16-bit PNG is twice 8-bit", Header{Format: PNG, Width: 1000, Height: 1000, layout: layout{bits: 16, colorType: 6}}, 1, 9_500_000, 10_000_000},
		{"interlaced PNG", Header{Format: PNG, Width: 1000, Height: 1000, layout: layout{bits: 8, colorType: 2, interlaced: true}}, 1, 9_500_000, 10_000_000},
		{"progressive 4:2:0 JPEG", Header{Format: JPEG, Width: 4000, Height: 3000, layout: layout{progressive: true, sampling: [][2]int{{2, 2}, {1, 1}, {1, 1}}}}, 1, 57_000_000, 70_000_000},
		{"baseline JPEG at 1/8", Header{Format: JPEG, Width: 4000, Height: 3000, layout: layout{sampling: [][2]int{{2, 2}, {1, 1}, {1, 1}}}}, 8, 280_000, 2 << 20},
		{"RGB JPEG left to image/jpeg at 1/8", Header{Format: JPEG, Width: 4000, Height: 3000, layout: layout{fallback: true, sampling: [][2]int{{1, 1}, {1, 1}, {1, 1}}}}, 8, 48_000_000, 60_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.DecodeCost(tt.shrink); got < tt.min || got > tt.max {
				t.Errorf("DecodeCost(%d) = %d, want %d..%d", tt.shrink, got, tt.min, tt.max)
			}
		})
	}
}

func TestJPEGLayout(t *testing.T) {
	rgb := enc(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, photo(16, 16), nil) })
	h, err := ReadHeader(rgb)
	if err != nil {
		t.Fatal(err)
	}
	if l := h.layout; l.progressive || l.fallback || len(l.sampling) != 3 || l.sampling[0] != [2]int{2, 2} {
		t.Errorf("image/jpeg's 4:2:0 file: layout %+v", l)
	}
	for name, wantFallback := range map[string]bool{"progressive.jpg": false, "cmyk.jpg": false} {
		h, err := ReadHeader(readFile(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if h.layout.fallback != wantFallback || name == "progressive.jpg" && !h.layout.progressive {
			t.Errorf("%s: layout %+v", name, h.layout)
		}
	}
}

// alphaRamp returns a copy of m whose alpha rises from 0 to 255 across
// it: an alpha plane of many levels, which VP8L cannot store as a palette
// of packed indices.
func alphaRamp(m *image.NRGBA) *image.NRGBA {
	out := image.NewNRGBA(m.Rect)
	copy(out.Pix, m.Pix)
	w := m.Rect.Dx()
	for y := range m.Rect.Dy() {
		for x := range w {
			out.Pix[out.PixOffset(x, y)+3] = uint8(x * 255 / max(w-1, 1))
		}
	}
	return out
}
