package decode

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	gwebp "github.com/gen2brain/webp"
	"github.com/thumbs-dev/thumbs/internal/vp8"
	"golang.org/x/image/webp"
)

func TestOpaqueVP8(t *testing.T) {
	pic, alpha := photo(37, 21), translucent(37, 21)
	lossy := enc(t, func(b *bytes.Buffer) error { return gwebp.Encode(b, pic, gwebp.Options{Quality: 80}) })
	lossyAlpha := enc(t, func(b *bytes.Buffer) error { return gwebp.Encode(b, alpha, gwebp.Options{Quality: 80}) })
	lossless := enc(t, func(b *bytes.Buffer) error { return gwebp.Encode(b, pic, gwebp.Options{Lossless: true}) })
	extended := withWebPChunks(lossy, 37, 21, map[string][]byte{"EXIF": []byte("Exif\x00\x00II*\x00")})
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"simple lossy", lossy, true},
		{"extended lossy with EXIF", extended, true},
		{"lossy with alpha", lossyAlpha, false},
		{"lossless", lossless, false},
		{"VP8 chunk cut short", lossy[:len(lossy)-10], false},
		{"animated", animatedWebP(t, lossy, 37, 21), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame, ok := opaqueVP8(tt.data)
			if ok != tt.want {
				t.Fatalf("opaqueVP8 = %v, want %v", ok, tt.want)
			}
			if ok && (len(frame) < 10 || frame[3] != 0x9d) {
				t.Errorf("the frame does not start with a VP8 key frame header: % x", frame[:min(10, len(frame))])
			}
		})
	}
}

// TestDecodeWebPLossy checks that lossy WebPs without alpha, which go to
// internal/vp8, give exactly the samples of golang.org/x/image/webp.
func TestDecodeWebPLossy(t *testing.T) {
	for _, size := range []image.Point{{64, 48}, {67, 45}, {1, 1}, {33, 130}} {
		pic := photo(size.X, size.Y)
		for _, q := range []int{20, 85, 100} {
			data := enc(t, func(b *bytes.Buffer) error { return gwebp.Encode(b, pic, gwebp.Options{Quality: q}) })
			for _, file := range [][]byte{data, withWebPChunks(data, size.X, size.Y, map[string][]byte{"ICCP": make([]byte, 8)})} {
				h, err := ReadHeader(file)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Decode(context.Background(), file, h, 1)
				if err != nil {
					t.Fatalf("%v q%d: %v", size, q, err)
				}
				ref, err := webp.Decode(bytes.NewReader(file))
				if err != nil {
					t.Fatal(err)
				}
				want := fromStudioSwing(ref).(*image.YCbCr)
				g, ok := got.(*image.YCbCr)
				if !ok {
					t.Fatalf("Decode gave a %T", got)
				}
				if !equalYCbCr(g, want) {
					t.Errorf("%v q%d: the samples differ from x/image's", size, q)
				}
			}
		}
	}
}

func equalYCbCr(a, b *image.YCbCr) bool {
	if a.Rect != b.Rect || a.SubsampleRatio != b.SubsampleRatio {
		return false
	}
	for y := a.Rect.Min.Y; y < a.Rect.Max.Y; y++ {
		for x := a.Rect.Min.X; x < a.Rect.Max.X; x++ {
			if a.Y[a.YOffset(x, y)] != b.Y[b.YOffset(x, y)] || a.Cb[a.COffset(x, y)] != b.Cb[b.COffset(x, y)] || a.Cr[a.COffset(x, y)] != b.Cr[b.COffset(x, y)] {
				return false
			}
		}
	}
	return true
}

// TestDecodeWebPShrunk checks the shrink-on-load of lossy WebPs against
// a box average, computed here, of the full-size frame's samples: the
// frame as decoded below unfilteredShrink, and decoded without its loop
// filter from there on, which must stay close to the filtered one.
func TestDecodeWebPShrunk(t *testing.T) {
	for _, size := range []image.Point{{64, 48}, {67, 45}, {33, 130}, {5, 3}, {200, 150}} {
		pic := photo(size.X, size.Y)
		data := enc(t, func(b *bytes.Buffer) error { return gwebp.Encode(b, pic, gwebp.Options{Quality: 85}) })
		h, err := ReadHeader(data)
		if err != nil {
			t.Fatal(err)
		}
		filtered, unfiltered := decodeRaw(t, data, true), decodeRaw(t, data, false)
		for _, k := range []int{2, 4, 6, 8} {
			img, err := Decode(context.Background(), data, h, k)
			if err != nil {
				t.Fatalf("%v at 1/%d: %v", size, k, err)
			}
			got, ok := img.(*image.YCbCr)
			if !ok || got.SubsampleRatio != image.YCbCrSubsampleRatio444 {
				t.Fatalf("%v at 1/%d: got a %T, want 4:4:4 YCbCr", size, k, img)
			}
			dw, dh := (size.X+k-1)/k, (size.Y+k-1)/k
			if got.Rect != image.Rect(0, 0, dw, dh) {
				t.Fatalf("%v at 1/%d: bounds %v", size, k, got.Rect)
			}
			f := filtered
			if k >= unfilteredShrink {
				f = unfiltered
			}
			var diff, worst int
			cw, ch := (size.X+1)/2, (size.Y+1)/2
			for y := range dh {
				for x := range dw {
					wantY := boxMean(f.Y, f.YStride, x*k, y*k, min(x*k+k, size.X), min(y*k+k, size.Y), limitedLuma)
					wantCb := boxMean(f.Cb, f.CStride, x*k/2, y*k/2, min(x*k/2+k/2, cw), min(y*k/2+k/2, ch), limitedChroma)
					wantCr := boxMean(f.Cr, f.CStride, x*k/2, y*k/2, min(x*k/2+k/2, cw), min(y*k/2+k/2, ch), limitedChroma)
					o := got.YOffset(x, y)
					if got.Y[o] != wantY || got.Cb[o] != wantCb || got.Cr[o] != wantCr {
						t.Fatalf("%v at 1/%d, (%d,%d): YCbCr %d %d %d, want %d %d %d", size, k, x, y,
							got.Y[o], got.Cb[o], got.Cr[o], wantY, wantCb, wantCr)
					}
					d := absDiff(got.Y[o], boxMean(filtered.Y, filtered.YStride, x*k, y*k, min(x*k+k, size.X), min(y*k+k, size.Y), limitedLuma))
					diff += d
					worst = max(worst, d)
				}
			}
			// Without the loop filter, luma means stay close to the
			// filtered frame's.
			if mean := float64(diff) / float64(dw*dh); mean > 0.5 || worst > 3 {
				t.Errorf("%v at 1/%d: luma differs from the filtered frame's by %.2f on average, %d at most", size, k, mean, worst)
			}
		}
	}
}

// decodeRaw returns the planes of the still lossy WebP data, as stored
// (limited range), decoded with or without the loop filter.
func decodeRaw(t *testing.T, data []byte, loopFilter bool) *image.YCbCr {
	t.Helper()
	l, ok := stillVP8(data)
	if !ok {
		t.Fatal("not a still lossy WebP")
	}
	frame := l.frame
	if loopFilter {
		m, err := vp8.Decode(frame)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	w, h, err := vp8.FrameSize(frame)
	if err != nil {
		t.Fatal(err)
	}
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	err = vp8.DecodeRowsUnfiltered(frame, func(b *vp8.Band) {
		for i := range b.Rows {
			copy(m.Y[(b.Y0+i)*m.YStride:], b.Y[i*b.YStride:i*b.YStride+w])
		}
		for i := range b.ChromaRows {
			copy(m.Cb[(b.Y0/2+i)*m.CStride:], b.Cb[i*b.CStride:i*b.CStride+(w+1)/2])
			copy(m.Cr[(b.Y0/2+i)*m.CStride:], b.Cr[i*b.CStride:i*b.CStride+(w+1)/2])
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// boxMean is the mean of the samples of pix, of range r, in
// [x0,x1)×[y0,y1), brought to full range as BT.601 defines it (luma
// 16-235, chroma 16-240 around 128) and rounded half away from zero.
func boxMean(pix []byte, stride, x0, y0, x1, y1 int, r sampleRange) uint8 {
	sum, n := new(big.Rat), 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			sum.Add(sum, big.NewRat(int64(pix[y*stride+x]), 1))
			n++
		}
	}
	return ratToFullRange(new(big.Rat).Quo(sum, big.NewRat(int64(n), 1)), r)
}

// ratToFullRange returns the value mean, of range r, brought to full range
// as BT.601 defines it (luma 16-235, chroma 16-240 around 128) and rounded
// half away from zero.
func ratToFullRange(mean *big.Rat, r sampleRange) uint8 {
	zero, span, offset := r.zero, r.scale, float64(r.offset)
	v := new(big.Rat).Mul(new(big.Rat).Sub(mean, big.NewRat(zero, 1)), big.NewRat(255, span))
	// v is a fraction of denominator n·span (n: the mean's denominator,
	// well within 2^26 here): it is a half exactly, or farther from one
	// than float64 rounding can move it.
	f, _ := v.Float64()
	return uint8(min(max(math.Round(f)+offset, 0), 255))
}

// TestDecodeWebPDamaged checks that a lossy WebP whose frame is cut short
// or is an inter frame gives an error at full size and shrunk on load,
// never a picture.
func TestDecodeWebPDamaged(t *testing.T) {
	pic := photo(200, 150)
	data := enc(t, func(b *bytes.Buffer) error { return gwebp.Encode(b, pic, gwebp.Options{Quality: 85}) })
	cut := append([]byte(nil), data[:len(data)*2/3]...)
	binary.LittleEndian.PutUint32(cut[16:], uint32(len(cut)-20)) // the chunk ends with the file
	binary.LittleEndian.PutUint32(cut[4:], uint32(len(cut)-8))
	inter := append([]byte(nil), data...)
	inter[20] |= 1 // the frame tag's inter-frame bit
	for _, tt := range []struct {
		name string
		data []byte
	}{{"cut short", cut}, {"inter frame", inter}} {
		h, err := ReadHeader(tt.data)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for _, shrink := range []int{1, 2, 4} {
			img, err := Decode(context.Background(), tt.data, h, shrink)
			if err == nil || img != nil {
				t.Errorf("%s at 1/%d: picture %v, error %v; want only an error", tt.name, shrink, img != nil, err)
			}
		}
	}
}

// TestBoxRows checks the means of boxRows, of limited-range luma and chroma
// and of full-range samples, against boxMean on planes of
// extreme and random samples, at the shrinks summed word by word (up to
// 16) and at one summed sample by sample, with widths that leave partial
// blocks and blocks whose words would reach past the row.
func TestBoxRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	planes := []struct {
		name   string
		sample func() byte
	}{
		{"white", func() byte { return 255 }},
		{"black", func() byte { return 0 }},
		{"random", func() byte { return byte(rng.IntN(256)) }},
	}
	for _, p := range planes {
		for _, k := range []int{1, 2, 3, 4, 5, 6, 7, 8, 10, 14, 16, 18} {
			for _, w := range []int{1, 7, 8, 15, 33, 64, 70, 131} {
				const h = 11
				pix := make([]byte, w*h)
				for i := range pix {
					pix[i] = p.sample()
				}
				for _, r := range []sampleRange{limitedLuma, limitedChroma, fullRange} {
					dw, dh := (w+k-1)/k, (h+k-1)/k
					out := make([]byte, dw*dh)
					b := newBoxRows(out, dw, w, h, k, r)
					for y := range h {
						b.add(pix[y*w : y*w+w])
					}
					for y := range dh {
						for x := range dw {
							want := boxMean(pix, w, x*k, y*k, min(x*k+k, w), min(y*k+k, h), r)
							if got := out[y*dw+x]; got != want {
								t.Fatalf("%s, k %d, width %d, range %v, (%d,%d): %d, want %d", p.name, k, w, r, x, y, got, want)
							}
						}
					}
				}
			}
		}
	}
}
