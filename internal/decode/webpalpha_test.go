package decode

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"math"
	"math/big"
	"strings"
	"testing"

	gwebp "github.com/gen2brain/webp"
	"golang.org/x/image/webp"
)

// alphaFixtures are the lossy WebPs with alpha in testdata (see the README
// there), with the compression and filter of their ALPH chunk.
var alphaFixtures = []struct {
	name                string
	compression, filter byte
}{
	{"webpalpha-photo-q80.webp", alphaLossless, filterGradient},
	{"webpalpha-photo-raw.webp", alphaRaw, filterNone},
	{"webpalpha-photo-levels.webp", alphaLossless, filterNone},
	{"webpalpha-shapes-exact.webp", alphaLossless, filterNone},
	{"webpalpha-shapes-q60.webp", alphaLossless, filterNone},
	{"webpalpha-calla-hfilter.webp", alphaLossless, filterHorizontal},
}

// alphaFiles returns lossy WebPs with alpha: the fixtures, one made with
// gen2brain/webp, and the raw alpha plane of a fixture stored again with
// each filter (cwebp filters only compressed planes).
func alphaFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, f := range alphaFixtures {
		data := readFile(t, f.name)
		l, ok := stillVP8(data)
		if !ok || l.alph == nil {
			t.Fatalf("%s is not a still lossy WebP with alpha", f.name)
		}
		if c, fl := l.alph[0]&3, l.alph[0]>>2&3; c != f.compression || fl != f.filter {
			t.Fatalf("%s: ALPH compression %d, filter %d; want %d, %d", f.name, c, fl, f.compression, f.filter)
		}
		files[f.name] = data
	}
	files["gen2brain 67x45"] = enc(t, func(b *bytes.Buffer) error {
		return gwebp.Encode(b, translucent(67, 45), gwebp.Options{Quality: 80})
	})
	raw := files["webpalpha-photo-raw.webp"]
	l, _ := stillVP8(raw)
	plane := l.alph[1:]
	for _, filter := range []byte{filterHorizontal, filterVertical, filterGradient} {
		files["raw, filter "+string('0'+filter)] = withAlphaChunk(l.frame, l.w, l.h,
			append([]byte{filter << 2}, filterAlpha(plane, l.w, l.h, filter)...))
	}
	return files
}

// withAlphaChunk returns a WebP of a w×h canvas with the ALPH payload alph
// and the VP8 frame.
func withAlphaChunk(frame []byte, w, h int, alph []byte) []byte {
	var body []byte
	body = append(body, "VP8X\x0a\x00\x00\x00"...)
	body = append(body, 0x10, 0, 0, 0, byte(w-1), byte((w-1)>>8), byte((w-1)>>16), byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	for _, ch := range []struct {
		id   string
		data []byte
	}{{"ALPH", alph}, {"VP8 ", frame}} {
		body = append(body, ch.id...)
		body = binary.LittleEndian.AppendUint32(body, uint32(len(ch.data)))
		body = append(body, ch.data...)
		if len(ch.data)%2 == 1 {
			body = append(body, 0)
		}
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(4+len(body)))
	return append(append(out, "WEBP"...), body...)
}

// filterAlpha returns the w×h alpha plane filtered as the WebP container
// specification describes: each value less its prediction from the
// original values to its left, above, or both.
func filterAlpha(plane []byte, w, h int, filter byte) []byte {
	out := make([]byte, len(plane))
	at := func(x, y int) int { return int(plane[y*w+x]) }
	for y := range h {
		for x := range w {
			var pred int
			switch {
			case x == 0 && y == 0:
			case y == 0:
				pred = at(x-1, 0)
			case x == 0:
				pred = at(0, y-1)
			case filter == filterHorizontal:
				pred = at(x-1, y)
			case filter == filterVertical:
				pred = at(x, y-1)
			case filter == filterGradient:
				pred = min(max(at(x-1, y)+at(x, y-1)-at(x-1, y-1), 0), 255)
			}
			out[y*w+x] = byte(at(x, y) - pred)
		}
	}
	return out
}

// xImageAlpha returns golang.org/x/image/webp's decoding of data, in full
// range.
func xImageAlpha(t testing.TB, data []byte) *image.NYCbCrA {
	t.Helper()
	ref, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := fromStudioSwing(ref).(*image.NYCbCrA)
	if !ok {
		t.Fatalf("x/image gave a %T", ref)
	}
	return m
}

// TestDecodeWebPAlpha checks that a lossy WebP with alpha decoded at full
// size gives exactly the samples of golang.org/x/image/webp, alpha
// included, for every filter and both compressions of the alpha plane.
func TestDecodeWebPAlpha(t *testing.T) {
	for name, data := range alphaFiles(t) {
		t.Run(name, func(t *testing.T) {
			h, err := ReadHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, shrink := range []int{1, 3} { // odd shrinks decode at full size
				img, err := Decode(context.Background(), data, h, shrink)
				if err != nil {
					t.Fatal(err)
				}
				got, ok := img.(*image.NYCbCrA)
				if !ok {
					t.Fatalf("Decode gave a %T", img)
				}
				want := xImageAlpha(t, data)
				if !equalYCbCr(&got.YCbCr, &want.YCbCr) {
					t.Errorf("1/%d: the colour samples differ from x/image's", shrink)
				}
				for y := range h.Height {
					for x := range h.Width {
						if g, w := got.A[got.AOffset(x, y)], want.A[want.AOffset(x, y)]; g != w {
							t.Fatalf("1/%d: alpha at (%d,%d) is %d, want %d", shrink, x, y, g, w)
						}
					}
				}
			}
		})
	}
}

// TestDecodeWebPAlphaShrunk checks the shrink-on-load of lossy WebPs with
// alpha: alpha exactly the box mean of golang.org/x/image/webp's alpha;
// luma and chroma exactly their alpha-weighted box means over the frame's
// planes (decoded without the loop filter from unfilteredShrink on); and
// the premultiplied RGB colour within a stated tolerance of the box mean
// of x/image's full-size picture's premultiplied colour, which is how
// internal/thumbnail shrinks pictures with transparency.
func TestDecodeWebPAlphaShrunk(t *testing.T) {
	for name, data := range alphaFiles(t) {
		t.Run(name, func(t *testing.T) {
			h, err := ReadHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			ref := xImageAlpha(t, data)
			filtered, unfiltered := decodeRaw(t, data, true), decodeRaw(t, data, false)
			for _, k := range []int{2, 4, 6, 8, 16} {
				img, err := Decode(context.Background(), data, h, k)
				if err != nil {
					t.Fatalf("1/%d: %v", k, err)
				}
				got, ok := img.(*image.NYCbCrA)
				if !ok || got.SubsampleRatio != image.YCbCrSubsampleRatio444 {
					t.Fatalf("1/%d: got a %T, want 4:4:4 NYCbCrA", k, img)
				}
				dw, dh := (h.Width+k-1)/k, (h.Height+k-1)/k
				if got.Rect != image.Rect(0, 0, dw, dh) {
					t.Fatalf("1/%d: bounds %v", k, got.Rect)
				}
				f := filtered
				if k >= unfilteredShrink {
					f = unfiltered
				}
				var diff, worst float64
				for y := range dh {
					for x := range dw {
						r := image.Rect(x*k, y*k, x*k+k, y*k+k).Intersect(ref.Rect)
						wantA, wantY, wantCb, wantCr := weightedMeans(f, ref.A, ref.AStride, r)
						o := got.YOffset(x, y)
						gotA := got.A[got.AOffset(x, y)]
						if gotA != wantA || wantA != 0 && (got.Y[o] != wantY || got.Cb[o] != wantCb || got.Cr[o] != wantCr) {
							t.Fatalf("1/%d, (%d,%d): YCbCrA %d %d %d %d, want %d %d %d %d", k, x, y,
								got.Y[o], got.Cb[o], got.Cr[o], gotA, wantY, wantCb, wantCr, wantA)
						}
						g, w := premultiplied(got.At(x, y)), premultipliedMean(ref, r)
						for c := range g {
							d := math.Abs(g[c] - w[c])
							diff += d
							worst = max(worst, d)
						}
					}
				}
				// Against x/image's picture, the differences are those of
				// the loop filter (from unfilteredShrink on), of rounding
				// to 8-bit YCbCr, and of clamping to RGB each pixel there
				// but only each mean here, which is where the worst ones
				// are: saturated colours. Averaging in YCbCr without alpha
				// (decodeVP8Shrunk) differs as much, by 0.47 on average and
				// 17.5 at most at 1/2 on the frame of webpalpha-photo-raw.
				// Colour bleeding from transparent pixels would differ by
				// far more (webpalpha-shapes-exact has green under them).
				if mean := diff / float64(3*dw*dh); mean > 1 || worst > 20 {
					t.Errorf("1/%d: premultiplied colour differs from x/image's box mean by %.2f on average, %.1f at most", k, mean, worst)
				}
			}
		})
	}
}

// weightedMeans returns, over the pixels r of the limited-range 4:2:0
// planes f and the alpha plane a, the mean alpha and the full-range
// means of luma and chroma weighted by alpha, each chroma sample by the
// alpha of the pixels of r it covers.
func weightedMeans(f *image.YCbCr, a []byte, aStride int, r image.Rectangle) (alpha, y, cb, cr uint8) {
	sa, sy, scb, scr := new(big.Int), new(big.Int), new(big.Int), new(big.Int)
	add := func(s *big.Int, v, w int) { s.Add(s, big.NewInt(int64(v*w))) }
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			av := int(a[py*aStride+px])
			add(sa, av, 1)
			add(sy, int(f.Y[f.YOffset(px, py)]), av)
			add(scb, int(f.Cb[f.COffset(px, py)]), av)
			add(scr, int(f.Cr[f.COffset(px, py)]), av)
		}
	}
	n := int64(r.Dx() * r.Dy())
	mean, _ := new(big.Rat).SetFrac(sa, big.NewInt(n)).Float64()
	alpha = uint8(math.Round(mean))
	if sa.Sign() == 0 {
		return alpha, 0, 128, 128
	}
	full := func(s *big.Int, r sampleRange) uint8 {
		return ratToFullRange(new(big.Rat).SetFrac(s, sa), r)
	}
	return alpha, full(sy, limitedLuma), full(scb, limitedChroma), full(scr, limitedChroma)
}

// premultiplied returns c's R, G and B multiplied by its alpha, in 0–255.
func premultiplied(c color.Color) [3]float64 {
	r, g, b, _ := c.RGBA()
	return [3]float64{float64(r) / 257, float64(g) / 257, float64(b) / 257}
}

// premultipliedMean returns the mean premultiplied colour of the pixels r
// of m, each converted to 8-bit NRGBA first as internal/thumbnail does.
func premultipliedMean(m image.Image, r image.Rectangle) [3]float64 {
	var s [3]float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
			a := float64(c.A) / 255
			s[0] += float64(c.R) * a
			s[1] += float64(c.G) * a
			s[2] += float64(c.B) * a
		}
	}
	n := float64(r.Dx() * r.Dy())
	return [3]float64{s[0] / n, s[1] / n, s[2] / n}
}

// TestDecodeWebPAlphaFallback checks that what the lossy-with-alpha
// decoding leaves to golang.org/x/image/webp gets x/image's verdict: an
// ALPH header with undefined values (which x/image decodes or refuses), a
// frame smaller than its canvas (refused), an animation.
func TestDecodeWebPAlphaFallback(t *testing.T) {
	data := readFile(t, "webpalpha-photo-raw.webp")
	l, _ := stillVP8(data)
	withHeader := func(hdr byte) []byte {
		return withAlphaChunk(l.frame, l.w, l.h, append([]byte{hdr}, l.alph[1:]...))
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"compression 2", withHeader(2)},
		{"compression 3", withHeader(3)},
		{"pre-processing 2", withHeader(2 << 4)},
		{"reserved bits set", withHeader(1 << 6)},
		{"frame smaller than the canvas", withAlphaChunk(l.frame, l.w+16, l.h, append([]byte{0}, make([]byte, (l.w+16)*l.h)...))},
		{"animated", animatedWebP(t, data, l.w, l.h)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			_, xerr := webp.Decode(bytes.NewReader(tt.data))
			for _, shrink := range []int{1, 2, 4} {
				img, err := Decode(context.Background(), tt.data, h, shrink)
				if (err == nil) != (xerr == nil) && tt.name != "animated" {
					t.Fatalf("1/%d: error %v, x/image's %v", shrink, err, xerr)
				}
				if err != nil {
					continue
				}
				if got := img.Bounds(); got != image.Rect(0, 0, h.Width, h.Height) {
					t.Errorf("1/%d: bounds %v; want the full size, decoded by x/image or gen2brain", shrink, got)
				}
			}
		})
	}
}

// TestDecodeWebPAlphaDamaged checks that a damaged alpha plane gives an
// error that says so, as golang.org/x/image/webp refuses it too, never a
// picture.
func TestDecodeWebPAlphaDamaged(t *testing.T) {
	raw := readFile(t, "webpalpha-photo-raw.webp")
	lossless := readFile(t, "webpalpha-photo-q80.webp")
	lr, _ := stillVP8(raw)
	ll, _ := stillVP8(lossless)
	scrambled := bytes.Clone(ll.alph)
	for i := 1; i < len(scrambled); i += 3 {
		scrambled[i] ^= 0x5a
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"raw plane cut short", withAlphaChunk(lr.frame, lr.w, lr.h, lr.alph[:len(lr.alph)-1])},
		{"empty ALPH chunk", withAlphaChunk(lr.frame, lr.w, lr.h, nil)},
		{"lossless plane cut short", withAlphaChunk(ll.frame, ll.w, ll.h, ll.alph[:len(ll.alph)/2])},
		{"lossless plane scrambled", withAlphaChunk(ll.frame, ll.w, ll.h, scrambled)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := webp.Decode(bytes.NewReader(tt.data)); err == nil {
				t.Fatal("x/image decodes it")
			}
			for _, shrink := range []int{1, 2, 4} {
				img, err := Decode(context.Background(), tt.data, h, shrink)
				if err == nil || img != nil {
					t.Errorf("1/%d: picture %v, error %v; want only an error", shrink, img != nil, err)
				} else if !strings.Contains(err.Error(), "ALPH") && !strings.Contains(err.Error(), "alpha") {
					t.Errorf("1/%d: error %q does not say that the alpha is damaged", shrink, err)
				}
			}
		})
	}
}

// FuzzWebPAlpha decodes fuzzed ALPH chunks over the frame of a fixture,
// at full size and at 1/2, and checks them against
// golang.org/x/image/webp: both refuse the chunk, or both decode it, to
// the same alpha plane at full size and to its box means at 1/2 (or to
// the same plane, when the header is left to x/image).
func FuzzWebPAlpha(f *testing.F) {
	for _, name := range []string{"webpalpha-shapes-q60.webp", "webpalpha-calla-hfilter.webp"} {
		l, _ := stillVP8(readFile(f, name))
		f.Add(l.alph)
	}
	l, _ := stillVP8(readFile(f, "webpalpha-shapes-q60.webp"))
	raw := make([]byte, 1+l.w*l.h)
	for i := range raw[1:] {
		raw[1+i] = byte(i * 7)
	}
	for _, filter := range []byte{filterNone, filterHorizontal, filterVertical, filterGradient} {
		raw[0] = filter << 2
		f.Add(bytes.Clone(raw))
	}
	f.Fuzz(func(t *testing.T, alph []byte) {
		data := withAlphaChunk(l.frame, l.w, l.h, alph)
		h, err := ReadHeader(data)
		if err != nil {
			t.Fatal(err)
		}
		ref, xerr := webp.Decode(bytes.NewReader(data))
		for _, k := range []int{1, 2} {
			img, err := Decode(context.Background(), data, h, k)
			if (err == nil) != (xerr == nil) {
				t.Fatalf("1/%d: error %v, x/image's %v", k, err, xerr)
			}
			if err != nil {
				continue
			}
			got, ok := img.(*image.NYCbCrA)
			want := ref.(*image.NYCbCrA)
			if !ok {
				t.Fatalf("1/%d: got a %T", k, img)
			}
			if got.Rect == want.Rect {
				k = 1 // left to x/image, at full size
			}
			for y := range got.Rect.Dy() {
				for x := range got.Rect.Dx() {
					r := image.Rect(x*k, y*k, x*k+k, y*k+k).Intersect(want.Rect)
					var s, n int
					for py := r.Min.Y; py < r.Max.Y; py++ {
						for px := r.Min.X; px < r.Max.X; px++ {
							s += int(want.A[want.AOffset(px, py)])
							n++
						}
					}
					if g, w := int(got.A[got.AOffset(x, y)]), (s+n/2)/n; g != w {
						t.Fatalf("1/%d: alpha at (%d,%d) is %d, want %d", k, x, y, g, w)
					}
				}
			}
		}
	})
}
