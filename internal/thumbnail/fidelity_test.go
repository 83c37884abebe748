package thumbnail

import (
	"bytes"
	"image"
	stdjpeg "image/jpeg"
	"image/png"
	"math"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// floatLanczos is the reference resampler of the fidelity tests: m (drawn
// as NRGBA) resized to w×h with a Lanczos-3 filter stretched by the shrink
// factor, in float64, premultiplied by alpha, with weights renormalised
// over the pixels that exist and no rounding between the passes.
func floatLanczos(m image.Image, w, h int) *image.NRGBA {
	src := imaging.Clone(m)
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	pix := make([]float64, 4*sw*sh) // premultiplied R, G, B and A
	for i := 0; i < len(pix); i += 4 {
		a := float64(src.Pix[i+3])
		for c := range 3 {
			pix[i+c] = float64(src.Pix[i+c]) * a / 255
		}
		pix[i+3] = a
	}
	across := floatTaps(sw, w)
	tmp := make([]float64, 4*w*sh)
	for y := range sh {
		for x := range w {
			for _, tp := range across[x] {
				for c := range 4 {
					tmp[4*(y*w+x)+c] += tp.weight * pix[4*(y*sw+tp.index)+c]
				}
			}
		}
	}
	down := floatTaps(sh, h)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var v [4]float64
			for _, tp := range down[y] {
				for c := range 4 {
					v[c] += tp.weight * tmp[4*(tp.index*w+x)+c]
				}
			}
			a := math.Min(math.Max(v[3], 0), 255)
			px := out.Pix[4*(y*w+x) : 4*(y*w+x)+4]
			px[3] = uint8(math.Round(a))
			if a == 0 {
				continue
			}
			for c := range 3 {
				px[c] = uint8(math.Round(math.Min(math.Max(v[c]*255/a, 0), 255)))
			}
		}
	}
	return out
}

type floatTap struct {
	index  int
	weight float64
}

// floatTaps returns, for each of m outputs from n samples, the samples it
// reads and their weights.
func floatTaps(n, m int) [][]floatTap {
	scale := float64(n) / float64(m)
	blur := math.Max(scale, 1)
	taps := make([][]floatTap, m)
	for i := range taps {
		centre := (float64(i) + 0.5) * scale
		var sum float64
		for j := max(int(centre-3*blur)-1, 0); j < min(int(centre+3*blur)+2, n); j++ {
			if wt := lanczos3((float64(j) + 0.5 - centre) / blur); wt != 0 {
				taps[i] = append(taps[i], floatTap{j, wt})
				sum += wt
			}
		}
		for k := range taps[i] {
			taps[i][k].weight /= sum
		}
	}
	return taps
}

// TestFidelityRGB pins how close thumbnails of saturated colour edges come
// to the float Lanczos resize of the full-size decoded RGB, measured over R,
// G and B. The sizes are not multiples of any shrink factor. The JPEG is
// 4:2:0, shrunk on load by 8, 4, 2 and 1 for the four boxes; the PNGs are
// box-shrunk before the Lanczos filter (by 9 at box 64, leaving 6 columns
// and 8 rows over). Each minimum is half a dB under what the code reaches.
// Resampling Y, Cb and Cr before clamping to RGB gave 37.6 dB at 1/1;
// chroma decoded at luma's reduced scale (then upsampled) 27.9, 30.1 and
// 33.6 dB at 1/8, 1/4 and 1/2; dropping the box shrink's leftover edge and
// resampling PNGs with imaging 24.5, 24.5 and 33.3 dB.
func TestFidelityRGB(t *testing.T) {
	pic := testimage.ColourEdges(1203, 803)
	jpg := testimage.JPEG(pic, 95, 0, false)
	jpgRef, err := stdjpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		t.Fatal(err)
	}
	alpha := testimage.ColourEdges(1203, 803)
	for i := 3; i < len(alpha.Pix); i += 4 {
		alpha.Pix[i] = uint8(255 - (i/4%alpha.Rect.Dx())*255/alpha.Rect.Dx())
	}
	for _, tt := range []struct {
		name  string
		data  []byte
		ref   image.Image
		box   string
		minDB float64
	}{
		{"jpeg-420-load-1/8", jpg, jpgRef, "64", 43.4},
		{"jpeg-420-load-1/4", jpg, jpgRef, "128", 42.0},
		{"jpeg-420-load-1/2", jpg, jpgRef, "256", 40.1},
		{"jpeg-420-load-1/1", jpg, jpgRef, "600", 38.5},
		{"png-box-9", pngOf(t, pic), pic, "64", 44.7},
		{"png-box-4", pngOf(t, pic), pic, "150", 47.5},
		{"png-alpha-box-9", pngOf(t, alpha), alpha, "64", 48.7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			th := one(t, tt.data, Options{Boxes: []Box{mustBox(t, tt.box)}, Format: encode.PNG})
			got, err := png.Decode(bytes.NewReader(th.Data))
			if err != nil {
				t.Fatal(err)
			}
			want := floatLanczos(tt.ref, th.Width, th.Height)
			p := psnr(t, want, got)
			t.Logf("%dx%d: %.2f dB over RGB", th.Width, th.Height, p)
			if p < tt.minDB {
				t.Errorf("%dx%d thumbnail: PSNR %.2f dB over RGB against the float Lanczos of the full-size decode, want at least %.1f",
					th.Width, th.Height, p, tt.minDB)
			}
		})
	}
}

// TestChromaOnLumaGrid checks the triangle filter that brings subsampled
// chroma to luma's grid: a chroma ramp comes out as the ramp interpolated
// at each luma sample's centre (edges excepted, where the nearest sample
// is repeated), and a flat plane stays flat, at odd sizes.
func TestChromaOnLumaGrid(t *testing.T) {
	for _, tt := range []struct {
		name  string
		ratio image.YCbCrSubsampleRatio
		w, h  int
	}{
		{"420", image.YCbCrSubsampleRatio420, 37, 23},
		{"422", image.YCbCrSubsampleRatio422, 37, 23},
		{"440", image.YCbCrSubsampleRatio440, 37, 23},
		{"444", image.YCbCrSubsampleRatio444, 5, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := image.NewYCbCr(image.Rect(0, 0, tt.w, tt.h), tt.ratio)
			hdiv, vdiv := subsampling(tt.ratio)
			cw, ch := (tt.w+hdiv-1)/hdiv, (tt.h+vdiv-1)/vdiv
			for cy := range ch {
				for cx := range cw {
					m.Cb[cy*m.CStride+cx] = uint8(4 * cx)
					m.Cr[cy*m.CStride+cx] = uint8(6*cy + 10)
				}
			}
			cb, cr := chromaOnLumaGrid(m)
			for y := range tt.h {
				for x := range tt.w {
					// The chroma coordinate of the centre of luma sample x.
					fx := (float64(x)+0.5)/float64(hdiv) - 0.5
					fy := (float64(y)+0.5)/float64(vdiv) - 0.5
					fx = math.Min(math.Max(fx, 0), float64(cw-1))
					fy = math.Min(math.Max(fy, 0), float64(ch-1))
					wantCb, wantCr := 4*fx, 6*fy+10
					if d := math.Abs(float64(cb[y*tt.w+x]) - wantCb); d > 0.5 {
						t.Fatalf("Cb at (%d,%d) = %d, want %.2f", x, y, cb[y*tt.w+x], wantCb)
					}
					if d := math.Abs(float64(cr[y*tt.w+x]) - wantCr); d > 0.5 {
						t.Fatalf("Cr at (%d,%d) = %d, want %.2f", x, y, cr[y*tt.w+x], wantCr)
					}
				}
			}
		})
	}
}

// TestYCbCrToRGBUnbiased checks the colour conversion of JPEG and WebP
// pixels against JFIF's formulas in float64, rounded, over every luma level
// and a grid of chroma values that stay in gamut: no result may be off by
// more than one level, and the mean error of dark (luma under 64) and
// bright (luma 192 and over) pixels must stay within 0.02 levels.
// color.YCbCrToRGB, which adds luma/255 before truncating, was 0.32 levels
// high on bright pixels and 0.33 low on dark ones, and the fidelity runs
// on photos showed it.
func TestYCbCrToRGBUnbiased(t *testing.T) {
	var sum [2]float64
	var count [2]int
	for y := range 256 {
		for cb := 0; cb < 256; cb += 3 {
			for cr := 0; cr < 256; cr += 3 {
				lum, b1, r1 := float64(y), float64(cb)-128, float64(cr)-128
				want := [3]float64{lum + 1.402*r1, lum - 0.344136*b1 - 0.714136*r1, lum + 1.772*b1}
				if min(want[0], want[1], want[2]) < 0 || max(want[0], want[1], want[2]) > 255 {
					continue // clamped: no bias to measure
				}
				var r, g, b [1]uint8
				rowToRGB([]uint8{uint8(y)}, []uint8{uint8(cb)}, []uint8{uint8(cr)}, r[:], g[:], b[:])
				for c, got := range [3]uint8{r[0], g[0], b[0]} {
					d := float64(got) - math.Round(want[c])
					if math.Abs(d) > 1 {
						t.Fatalf("YCbCr (%d, %d, %d): channel %d is %d, want %.2f", y, cb, cr, c, got, want[c])
					}
					switch {
					case y < 64:
						sum[0] += d
						count[0]++
					case y >= 192:
						sum[1] += d
						count[1]++
					}
				}
			}
		}
	}
	for i, name := range []string{"dark", "bright"} {
		bias := sum[i] / float64(count[i])
		t.Logf("%s: mean error %+.4f levels over %d samples", name, bias, count[i])
		if math.Abs(bias) > 0.02 {
			t.Errorf("%s pixels: mean error %+.3f levels against JFIF's formulas, want within 0.02", name, bias)
		}
	}
}
