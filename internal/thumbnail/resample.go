package thumbnail

import (
	"image"
	"image/color"
	"math"

	"github.com/disintegration/imaging"
)

// resize scales src to exactly w×h with a Lanczos filter. YCbCr and gray
// images, which is what JPEGs decode to, are resampled plane by plane at
// their own resolution, in the calling goroutine, and converted to RGB
// only at the output size; other images go through imaging.
func resize(src image.Image, w, h int) *image.NRGBA {
	if r := src.Bounds(); r.Dx() == w && r.Dy() == h {
		return imaging.Clone(src)
	}
	switch s := src.(type) {
	case *image.YCbCr:
		return resizeYCbCr(s, w, h)
	case *image.Gray:
		return resizeGray(s, w, h)
	}
	return imaging.Resize(src, w, h, imaging.Lanczos)
}

// plane is one channel of samples.
type plane struct {
	pix     []uint8
	stride  int
	w, h    int     // samples available
	extent  float64 // width of the image in samples; w rounded up when subsampled
	extentY float64
}

func resizeGray(src *image.Gray, w, h int) *image.NRGBA {
	r := src.Rect
	g := resizePlane(plane{src.Pix[src.PixOffset(r.Min.X, r.Min.Y):], src.Stride, r.Dx(), r.Dy(), float64(r.Dx()), float64(r.Dy())}, w, h)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i, v := range g {
		out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2], out.Pix[4*i+3] = v, v, v, 255
	}
	return out
}

func resizeYCbCr(src *image.YCbCr, w, h int) *image.NRGBA {
	r := src.Rect
	hdiv, vdiv := subsampling(src.SubsampleRatio)
	cx0, cy0 := r.Min.X/hdiv, r.Min.Y/vdiv
	cw, ch := (r.Max.X+hdiv-1)/hdiv-cx0, (r.Max.Y+vdiv-1)/vdiv-cy0
	cextent, cextentY := float64(r.Dx())/float64(hdiv), float64(r.Dy())/float64(vdiv)
	y := resizePlane(plane{src.Y[src.YOffset(r.Min.X, r.Min.Y):], src.YStride, r.Dx(), r.Dy(), float64(r.Dx()), float64(r.Dy())}, w, h)
	coff := src.COffset(r.Min.X, r.Min.Y)
	cb := resizePlane(plane{src.Cb[coff:], src.CStride, cw, ch, cextent, cextentY}, w, h)
	cr := resizePlane(plane{src.Cr[coff:], src.CStride, cw, ch, cextent, cextentY}, w, h)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range y {
		p := out.Pix[4*i : 4*i+4 : 4*i+4]
		p[0], p[1], p[2] = color.YCbCrToRGB(y[i], cb[i], cr[i])
		p[3] = 255
	}
	return out
}

// subsampling returns how many luma samples share one chroma sample
// across and down.
func subsampling(r image.YCbCrSubsampleRatio) (h, v int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

// Fixed-point precision of the resampler: weights carry weightBits
// fractional bits, and the rows between the two passes fracBits. Integer
// arithmetic gives the same bytes on every machine, where floating point
// could differ by a fused multiply-add.
const (
	weightBits = 12
	fracBits   = 8
)

// resizePlane resamples p to w×h samples with a Lanczos-3 filter, first
// across then down, in fixed-point arithmetic, and returns them row by row.
func resizePlane(p plane, w, h int) []uint8 {
	across := lanczosTaps(p.w, p.extent, w)
	tmp := make([]int32, w*p.h)
	y := 0
	for ; y+3 < p.h; y += 4 { // four rows at a time share the loads of the weights
		row0 := p.pix[y*p.stride : y*p.stride+p.w]
		row1 := p.pix[(y+1)*p.stride : (y+1)*p.stride+p.w]
		row2 := p.pix[(y+2)*p.stride : (y+2)*p.stride+p.w]
		row3 := p.pix[(y+3)*p.stride : (y+3)*p.stride+p.w]
		out := tmp[y*w : (y+4)*w]
		for x := 0; x < w; x++ {
			ws := across.weights[x*across.n : x*across.n+across.count[x]]
			f := across.first[x]
			src0 := row0[f : f+len(ws)]
			src1 := row1[f : f+len(ws)]
			src2 := row2[f : f+len(ws)]
			src3 := row3[f : f+len(ws)]
			var sum0, sum1, sum2, sum3 int32
			for k, wt := range ws {
				sum0 += wt * int32(src0[k])
				sum1 += wt * int32(src1[k])
				sum2 += wt * int32(src2[k])
				sum3 += wt * int32(src3[k])
			}
			const shift = weightBits - fracBits
			out[x], out[w+x], out[2*w+x], out[3*w+x] = sum0>>shift, sum1>>shift, sum2>>shift, sum3>>shift
		}
	}
	for ; y < p.h; y++ {
		row := p.pix[y*p.stride : y*p.stride+p.w]
		out := tmp[y*w : (y+1)*w]
		for x := range out {
			ws := across.weights[x*across.n : x*across.n+across.count[x]]
			src := row[across.first[x]:]
			src = src[:len(ws)]
			var sum int32
			for k, wt := range ws {
				sum += wt * int32(src[k])
			}
			out[x] = sum >> (weightBits - fracBits)
		}
	}
	down := lanczosTaps(p.h, p.extentY, h)
	dst := make([]uint8, w*h)
	acc := make([]int32, w)
	const round = 1 << (weightBits + fracBits - 1)
	for y := 0; y < h; y++ {
		for x := range acc {
			acc[x] = round
		}
		first := down.first[y]
		for k, wt := range down.weights[y*down.n : y*down.n+down.count[y]] {
			src := tmp[(first+k)*w : (first+k+1)*w]
			acc := acc[:len(src)]
			for x, v := range src {
				acc[x] += wt * v
			}
		}
		out := dst[y*w : (y+1)*w]
		for x, v := range acc[:len(out)] {
			out[x] = uint8(min(max(v>>(weightBits+fracBits), 0), 255))
		}
	}
	return dst
}

// taps holds, for each output sample, the first source sample it reads
// and the fixed-point weights of the count samples from there on (n slots
// each).
type taps struct {
	first, count []int
	weights      []int32
	n            int
}

// lanczosTaps returns the Lanczos-3 taps that resample n source samples,
// spanning extent samples of the image, to m samples. When shrinking, the
// kernel is stretched by the shrink factor. Weights near the edges are
// renormalised over the samples that exist; each output's weights add up
// to exactly 1<<weightBits.
func lanczosTaps(n int, extent float64, m int) taps {
	scale := extent / float64(m)
	blur := max(scale, 1)
	support := 3 * blur
	t := taps{first: make([]int, m), count: make([]int, m), n: int(math.Ceil(2*support)) + 2}
	t.weights = make([]int32, m*t.n)
	raw := make([]float64, t.n)
	for i := range m {
		centre := (float64(i) + 0.5) * scale
		lo := max(int(math.Floor(centre-support)), 0)
		hi := min(int(math.Ceil(centre+support)), n)
		if hi <= lo { // a sample beyond the stored ones: take the last
			lo, hi = n-1, n
		}
		count := min(hi-lo, t.n)
		var sum float64
		for k := range count {
			raw[k] = lanczos3((float64(lo+k) + 0.5 - centre) / blur)
			sum += raw[k]
		}
		if sum == 0 {
			raw[0], sum = 1, 1
		}
		ws := t.weights[i*t.n : i*t.n+count]
		var total, peak int32
		for k := range ws {
			ws[k] = int32(math.Round(raw[k] / sum * (1 << weightBits)))
			total += ws[k]
			if ws[k] > ws[peak] {
				peak = int32(k)
			}
		}
		ws[peak] += 1<<weightBits - total // rounding must not change the brightness
		t.first[i], t.count[i] = lo, count
	}
	return t
}

func lanczos3(x float64) float64 {
	x = math.Abs(x)
	if x >= 3 {
		return 0
	}
	if x < 1e-9 {
		return 1
	}
	px := math.Pi * x
	return 3 * math.Sin(px) * math.Sin(px/3) / (px * px)
}
