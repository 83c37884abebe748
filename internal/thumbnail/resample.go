package thumbnail

import (
	"image"
	"math"

	"github.com/disintegration/imaging"
)

// picture is an image split into planes of w×h samples, which is the form
// it is box-shrunk and resampled in. An opaque picture holds 8-bit R, G
// and B planes (one plane when it is gray); a picture with transparency
// holds an alpha plane and R, G and B premultiplied by it (c·a, up to
// 255·255) in 16 bits, so that the colour of transparent pixels does not
// bleed into their neighbours. Alpha is kept as a·255 in 16 bits too, so
// that colour is divided by alpha at the same precision it was weighted
// by.
type picture struct {
	w, h int
	// extentX and extentY are the size of the image measured in samples:
	// w and h, or less when the last column or row of samples covers only
	// part of a sample's width (a partial block of a shrink).
	extentX, extentY float64
	colour           [][]uint8 // R, G, B or gray; nil when alpha or ycc is set
	// ycc, when set, is an opaque YCbCr picture kept as decoded: resize
	// converts it to R, G and B a few rows at a time, so that no full-size
	// RGB planes are made (see toRGB for the other steps).
	ycc           *image.YCbCr
	premultiplied [3][]uint16 // R·A, G·A, B·A
	alpha         []uint16    // a·255
}

// split converts img into planes, R, G and B clamped to 0–255 as they are
// when img is drawn, with extentX×extentY (at most a sample short of the
// bounds' size, else the bounds' size) as its true size. Subsampled YCbCr
// chroma is interpolated to the luma grid with the triangle filter that
// libjpeg and libwebp use by default ("fancy upsampling").
func split(img image.Image, extentX, extentY float64) picture {
	r := img.Bounds()
	p := picture{w: r.Dx(), h: r.Dy(), extentX: extentX, extentY: extentY}
	if math.Abs(extentX-float64(p.w)) >= 1 || extentX <= 0 {
		p.extentX = float64(p.w)
	}
	if math.Abs(extentY-float64(p.h)) >= 1 || extentY <= 0 {
		p.extentY = float64(p.h)
	}
	switch m := img.(type) {
	case *image.Gray:
		g := make([]uint8, p.w*p.h)
		for y := range p.h {
			copy(g[y*p.w:(y+1)*p.w], m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):])
		}
		p.colour = [][]uint8{g}
		return p
	case *image.YCbCr:
		if _, ok := chromaRows(m); ok {
			p.ycc = m
		} else {
			p.colour = ycbcrToRGB(m)
		}
		return p
	}
	var pix []uint8
	var stride int
	premultiplied := false
	switch m := img.(type) {
	case *image.NRGBA:
		pix, stride = m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride
	case *image.RGBA:
		pix, stride, premultiplied = m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, true
	default:
		c := imaging.Clone(img)
		pix, stride = c.Pix, c.Stride
	}
	opaque := true
	for y := 0; y < p.h && opaque; y++ {
		row := pix[y*stride : y*stride+4*p.w]
		for i := 3; i < len(row); i += 4 {
			if row[i] != 255 {
				opaque = false
				break
			}
		}
	}
	if opaque {
		p.colour = [][]uint8{make([]uint8, p.w*p.h), make([]uint8, p.w*p.h), make([]uint8, p.w*p.h)}
		for y := range p.h {
			row := pix[y*stride : y*stride+4*p.w]
			o := y * p.w
			rp, gp, bp := p.colour[0][o:o+p.w], p.colour[1][o:o+p.w], p.colour[2][o:o+p.w]
			for x := range rp {
				rp[x], gp[x], bp[x] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
		return p
	}
	p.alpha = make([]uint16, p.w*p.h)
	for c := range p.premultiplied {
		p.premultiplied[c] = make([]uint16, p.w*p.h)
	}
	for y := range p.h {
		row := pix[y*stride : y*stride+4*p.w]
		for x := range p.w {
			i, px := y*p.w+x, row[4*x:4*x+4:4*x+4]
			a := uint16(px[3])
			p.alpha[i] = a * 255
			for c := range 3 {
				v := uint16(px[c]) * a
				if premultiplied { // c is already c·a/255
					v = min(uint16(px[c])*255, a*255)
				}
				p.premultiplied[c][i] = v
			}
		}
	}
	return p
}

// ycbcrToRGB converts m to R, G and B planes of its size with Go's
// YCbCr-to-RGB conversion, interpolating subsampled chroma.
func ycbcrToRGB(m *image.YCbCr) [][]uint8 {
	r := m.Rect
	w, h := r.Dx(), r.Dy()
	cb, cr, cstride := m.Cb[m.COffset(r.Min.X, r.Min.Y):], m.Cr[m.COffset(r.Min.X, r.Min.Y):], m.CStride
	if m.SubsampleRatio != image.YCbCrSubsampleRatio444 {
		cb, cr = chromaOnLumaGrid(m)
		cstride = w
	}
	out := [][]uint8{make([]uint8, w*h), make([]uint8, w*h), make([]uint8, w*h)}
	for y := range h {
		yrow := m.Y[m.YOffset(r.Min.X, r.Min.Y+y):]
		yrow = yrow[:w]
		cbrow, crrow := cb[y*cstride:y*cstride+w], cr[y*cstride:y*cstride+w]
		rowToRGB(yrow, cbrow, crrow, out[0][y*w:(y+1)*w], out[1][y*w:(y+1)*w], out[2][y*w:(y+1)*w])
	}
	return out
}

// clamp8 returns v limited to 0–255.
func clamp8(v int32) uint8 {
	if uint32(v) <= 255 {
		return uint8(v)
	}
	return uint8(^(v >> 31))
}

// chromaOnLumaGrid returns m's Cb and Cr planes at the size of its luma,
// w×h samples row by row. Chroma subsampled by two across, down or both is
// interpolated by the triangle filter: each output sample takes 3/4 of the
// chroma sample it lies in and 1/4 of the next one towards it, across and
// down, chroma samples being centred on the luma samples they cover. Other
// subsamplings repeat samples.
func chromaOnLumaGrid(m *image.YCbCr) (cb, cr []uint8) {
	r := m.Rect
	w, h := r.Dx(), r.Dy()
	cb, cr = make([]uint8, w*h), make([]uint8, w*h)
	hdiv, vdiv := subsampling(m.SubsampleRatio)
	if r.Min.X%hdiv != 0 || r.Min.Y%vdiv != 0 || hdiv > 2 || vdiv > 2 {
		for y := range h {
			for x := range w {
				o := m.COffset(r.Min.X+x, r.Min.Y+y)
				cb[y*w+x], cr[y*w+x] = m.Cb[o], m.Cr[o]
			}
		}
		return cb, cr
	}
	cw, ch := (w+hdiv-1)/hdiv, (h+vdiv-1)/vdiv
	base := m.COffset(r.Min.X, r.Min.Y)
	for i, plane := range [2][]uint8{m.Cb, m.Cr} {
		dst := cb
		if i == 1 {
			dst = cr
		}
		upsample(dst, w, h, plane[base:], m.CStride, cw, ch, hdiv, vdiv)
	}
	return cb, cr
}

// upsample fills the w×h plane dst from the cw×ch plane src (rows stride
// apart), subsampled by hdiv across and vdiv down (1 or 2 each), with the
// triangle filter of chromaOnLumaGrid.
func upsample(dst []uint8, w, h int, src []uint8, stride, cw, ch, hdiv, vdiv int) {
	u := chromaUpsampler{src: src, stride: stride, cw: cw, ch: ch, hdiv: hdiv, vdiv: vdiv, rowMix: make([]int32, cw)}
	for y := range h {
		u.row(dst[y*w:(y+1)*w], y)
	}
}

// chromaUpsampler interpolates one subsampled chroma plane to luma's grid
// a row at a time, with the triangle filter of chromaOnLumaGrid.
type chromaUpsampler struct {
	src                        []uint8 // the plane's first sample, rows stride apart
	stride, cw, ch, hdiv, vdiv int
	// rowMix holds, for one output row, 4× (vdiv 2) or 1× the vertically
	// interpolated chroma row.
	rowMix []int32
}

// row fills out, output row y, with the interpolated chroma.
func (u *chromaUpsampler) row(out []uint8, y int) {
	src, stride, cw, ch := u.src, u.stride, u.cw, u.ch
	rowMix := u.rowMix[:cw]
	cy := y / u.vdiv
	near := src[cy*stride : cy*stride+cw]
	if u.vdiv == 2 {
		fy := cy - 1 // the other chroma row: above for even rows, below for odd
		if y%2 == 1 {
			fy = cy + 1
		}
		fy = min(max(fy, 0), ch-1)
		far := src[fy*stride : fy*stride+cw]
		for x := range rowMix {
			rowMix[x] = 3*int32(near[x]) + int32(far[x])
		}
	} else {
		for x := range rowMix {
			rowMix[x] = 4 * int32(near[x])
		}
	}
	if u.hdiv == 1 {
		for x := range out {
			out[x] = uint8((rowMix[x] + 2) >> 2)
		}
		return
	}
	for x := range out {
		cx := x / 2
		fx := cx - 1
		if x%2 == 1 {
			fx = cx + 1
		}
		fx = min(max(fx, 0), cw-1)
		out[x] = uint8((3*rowMix[cx] + rowMix[fx] + 8) >> 4)
	}
}

// chromaRows returns what gives the Cb and Cr rows of m on its luma grid
// one at a time: nothing for 4:4:4 (m's own rows serve), else one
// upsampler per plane. It reports false for layouts that chromaOnLumaGrid
// only repeats samples for, which are converted whole instead.
func chromaRows(m *image.YCbCr) (up [2]*chromaUpsampler, ok bool) {
	if m.SubsampleRatio == image.YCbCrSubsampleRatio444 {
		return up, true
	}
	r := m.Rect
	hdiv, vdiv := subsampling(m.SubsampleRatio)
	if r.Min.X%hdiv != 0 || r.Min.Y%vdiv != 0 || hdiv > 2 || vdiv > 2 {
		return up, false
	}
	w, h := r.Dx(), r.Dy()
	cw, ch := (w+hdiv-1)/hdiv, (h+vdiv-1)/vdiv
	base := m.COffset(r.Min.X, r.Min.Y)
	for i, plane := range [2][]uint8{m.Cb, m.Cr} {
		up[i] = &chromaUpsampler{src: plane[base:], stride: m.CStride, cw: cw, ch: ch, hdiv: hdiv, vdiv: vdiv, rowMix: make([]int32, cw)}
	}
	return up, true
}

// toRGB returns p with R, G and B planes in place of YCbCr, for the steps
// that work on whole planes (the box shrink).
func toRGB(p picture) picture {
	if p.ycc != nil {
		p.colour, p.ycc = ycbcrToRGB(p.ycc), nil
	}
	return p
}

// resize scales p to exactly w×h pixels with a Lanczos-3 filter, plane by
// plane in fixed point, and returns them as NRGBA.
func resize(p picture, w, h int) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	var s scratch
	if p.ycc != nil {
		planes := resizeYCbCr(p, w, h, &s)
		interleave(out, planes)
		return out
	}
	if p.alpha == nil {
		var planes [3][]uint8
		for c, pl := range p.colour {
			planes[c] = resizePlane(pl, p, w, h, 8, &s)
		}
		if len(p.colour) == 1 {
			planes[1], planes[2] = planes[0], planes[0]
		}
		interleave(out, planes)
		return out
	}
	a := resizePlane(p.alpha, p, w, h, 0, &s)
	var planes [3][]uint16
	for c, pl := range p.premultiplied {
		planes[c] = resizePlane(pl, p, w, h, 0, &s)
	}
	for i, av := range a {
		alpha := (uint32(av) + 127) / 255
		if alpha == 0 {
			continue
		}
		px := out.Pix[4*i : 4*i+4 : 4*i+4]
		div := uint32(av)
		for c := range planes {
			px[c] = uint8(min((uint32(planes[c][i])*255+div/2)/div, 255))
		}
		px[3] = uint8(alpha)
	}
	return out
}

// interleave fills out, opaque, from its R, G and B planes.
func interleave(out *image.NRGBA, planes [3][]uint8) {
	r, g, b := planes[0], planes[1][:len(planes[0])], planes[2][:len(planes[0])]
	for i := range r {
		px := out.Pix[4*i : 4*i+4 : 4*i+4]
		px[0], px[1], px[2], px[3] = r[i], g[i], b[i], 255
	}
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
// fractional bits, and the rows between the two passes fracBits for 8-bit
// planes (none for 16-bit ones, whose samples are 255 times finer). Integer
// arithmetic gives the same bytes on every machine, where floating point
// could differ by a fused multiply-add.
const (
	weightBits = 12
	fracBits   = 8
)

// scratch is what resizing the planes of one picture to one size shares:
// the taps and the buffers of the two passes.
type scratch struct {
	across, down taps
	rows, acc    []int32 // 16-bit samples: the rows between the passes, a row of sums
	// 8-bit samples: the rows between the passes, packed in pairs, of up
	// to three planes; a row of their sums; the sums of four rows across;
	// the packed rows of acrossBytes4.
	pairs  [3][]int64
	acc64  []int64
	sums   []int32
	packed []uint64
}

// packedRows returns room for the packed rows of acrossBytes4 of rows of
// n samples.
func (s *scratch) packedRows(n int) []uint64 {
	if len(s.packed) < 2*n {
		s.packed = make([]uint64, 2*n)
	}
	return s.packed
}

// sample is the type of the samples of a plane.
type sample interface{ ~uint8 | ~uint16 }

// resizePlane resamples src, a p.w×p.h plane of p, to w×h samples with a
// Lanczos-3 filter, first across then down, in fixed-point arithmetic
// keeping frac fractional bits between the passes, and returns them row by
// row, clamped to the range of 8-bit or premultiplied 16-bit samples. It
// fills s on first use and reuses it for the other planes of p.
func resizePlane[T sample](src []T, p picture, w, h int, frac int, s *scratch) []T {
	s.prepare(p, w, h)
	dst := make([]T, w*h)
	if bytes, ok := any(src).([]uint8); ok {
		pairs := s.pairPlane(0, w, p.h)
		y := 0
		for ; y+3 < p.h; y += 4 {
			s.acrossBytes(bytes[y*p.w:(y+4)*p.w], p.w, pairs, y, 4, w)
		}
		for ; y < p.h; y++ {
			s.acrossBytes(bytes[y*p.w:(y+1)*p.w], p.w, pairs, y, 1, w)
		}
		downBytes(&s.down, pairs, w, any(dst).([]uint8), s.acc64)
		return dst
	}
	if len(s.rows) < w*p.h {
		s.rows = make([]int32, w*p.h)
	}
	tmp := s.rows
	shift := weightBits - frac
	y := 0
	for ; y+3 < p.h; y += 4 { // four rows at a time share the loads of the weights
		across4(&s.across, src[y*p.w:(y+4)*p.w], p.w, tmp[y*w:(y+4)*w], w, shift)
	}
	for ; y < p.h; y++ {
		across1(&s.across, src[y*p.w:(y+1)*p.w], tmp[y*w:(y+1)*w], shift)
	}
	down(&s.down, tmp, w, dst, frac, s.acc)
	return dst
}

// prepare fills s, on first use, with the taps that resample p to w×h
// and a row of sums.
func (s *scratch) prepare(p picture, w, h int) {
	if s.across.first == nil {
		s.across, s.down = lanczosTaps(p.w, p.extentX, w), lanczosTaps(p.h, p.extentY, h)
		s.acc, s.acc64 = make([]int32, w), make([]int64, (w+1)/2)
		s.sums = make([]int32, 4*w)
	}
}

// pairPlane returns the i-th plane (0–2) of rows between the passes of
// 8-bit samples: h rows of w sums packed in pairs (see packPairs).
func (s *scratch) pairPlane(i, w, h int) []int64 {
	n := (w + 1) / 2 * h
	if len(s.pairs[i]) < n {
		s.pairs[i] = make([]int64, n)
	}
	return s.pairs[i][:n]
}

// acrossBytes resamples n (1 or 4) rows of 8-bit samples across, held one
// after the other in src (srcW samples each), into rows y to y+n of pairs,
// w sums a row packed in pairs.
func (s *scratch) acrossBytes(src []uint8, srcW int, pairs []int64, y, n, w int) {
	const shift = weightBits - fracBits
	sums := s.sums[:n*w]
	if n == 4 {
		acrossBytes4(&s.across, src, srcW, sums, w, shift, s.packedRows(srcW))
	} else {
		across1(&s.across, src, sums, shift)
	}
	half := (w + 1) / 2
	packPairs(sums, w, pairs[y*half:(y+n)*half])
}

// packPairs packs rows of w sums, held one after the other in src, into
// rows of (w+1)/2 words of dst: sum 2i of a row in the low half of word i,
// as a signed 32-bit number, and sum 2i+1 added to the high half.
func packPairs(src []int32, w int, dst []int64) {
	half := (w + 1) / 2
	for r := range len(src) / w {
		row := src[r*w : (r+1)*w]
		out := dst[r*half : (r+1)*half]
		for i := range w / 2 {
			out[i] = int64(row[2*i]) + int64(row[2*i+1])<<32
		}
		if w%2 == 1 {
			out[half-1] = int64(row[w-1])
		}
	}
}

// resizeYCbCr resamples p, whose pixels are in p.ycc, to w×h with the
// filter of resizePlane and returns R, G and B planes. It makes each
// output row as soon as the source rows under its taps have been
// resampled across, so that only a window of those rows is kept: source
// rows are converted to R, G and B four at a time, just before the pass
// across reads them, giving the same samples as ycbcrToRGB.
func resizeYCbCr(p picture, w, h int, s *scratch) [3][]uint8 {
	m := p.ycc
	s.prepare(p, w, h)
	// The window: the rows under one output row's taps, and the three
	// more that a batch of four can bring; a multiple of four, so that a
	// batch of four, which starts at a multiple of four, never wraps.
	window := (s.down.n + 3 + 3) &^ 3
	half := (w + 1) / 2
	var pairs [3][]int64
	for c := range pairs {
		pairs[c] = s.pairPlane(c, w, window)
	}
	up, _ := chromaRows(m)
	var chroma [2][]uint8 // one row of Cb and Cr on luma's grid
	if up[0] != nil {
		chroma[0], chroma[1] = make([]uint8, p.w), make([]uint8, p.w)
	}
	var rgb [3][]uint8 // four rows of each plane
	for c := range rgb {
		rgb[c] = make([]uint8, 4*p.w)
	}
	r := m.Rect
	convert := func(y, n int) {
		for i := range n {
			yrow := m.Y[m.YOffset(r.Min.X, r.Min.Y+y+i):]
			cb, cr := chroma[0], chroma[1]
			if up[0] == nil {
				o := m.COffset(r.Min.X, r.Min.Y+y+i)
				cb, cr = m.Cb[o:o+p.w], m.Cr[o:o+p.w]
			} else {
				up[0].row(cb, y+i)
				up[1].row(cr, y+i)
			}
			rowToRGB(yrow[:p.w], cb, cr, rgb[0][i*p.w:(i+1)*p.w], rgb[1][i*p.w:(i+1)*p.w], rgb[2][i*p.w:(i+1)*p.w])
		}
	}
	done := 0 // source rows resampled across so far
	var out [3][]uint8
	for c := range out {
		out[c] = make([]uint8, w*h)
	}
	for y := range h {
		for need := s.down.first[y] + s.down.count[y]; done < need; {
			n := 1
			if done+4 <= p.h {
				n = 4
			}
			convert(done, n)
			for c := range rgb {
				s.acrossBytes(rgb[c][:n*p.w], p.w, pairs[c], done%window, n, w)
			}
			done += n
		}
		for c := range out {
			rowAt := func(r int) []int64 {
				i := r % window
				return pairs[c][i*half : (i+1)*half]
			}
			downBytesRow(&s.down, y, rowAt, out[c][y*w:(y+1)*w], s.acc64)
		}
	}
	return out
}

// rowToRGB converts a row of Y, Cb and Cr samples (Cb and Cr at least as
// long as Y) to R, G and B the way libjpeg does: each chroma term is
// rounded to the nearest integer on its own and added to the luma.
// color.YCbCrToRGB instead truncates after adding luma/255, which biases
// bright pictures up and dark ones down by up to half a level.
func rowToRGB(y, cb, cr, r, g, b []uint8) {
	cb, cr = cb[:len(y)], cr[:len(y)]
	r, g, b = r[:len(y)], g[:len(y)], b[:len(y)]
	const half = 1 << 15
	for x, lum := range y {
		l := int32(lum)
		cb1 := int32(cb[x]) - 128
		cr1 := int32(cr[x]) - 128
		r[x] = clamp8(l + (91881*cr1+half)>>16)
		g[x] = clamp8(l + (-22554*cb1-46802*cr1+half)>>16)
		b[x] = clamp8(l + (116130*cb1+half)>>16)
	}
}

// across4 resamples four rows across, held one after the other in src
// (srcW samples each), into four rows of out (w samples each), keeping
// weightBits-shift fractional bits. The four rows share the loads of the
// weights.
func across4[T sample](t *taps, src []T, srcW int, out []int32, w int, shift int) {
	row0 := src[:srcW]
	row1 := src[srcW : 2*srcW]
	row2 := src[2*srcW : 3*srcW]
	row3 := src[3*srcW : 4*srcW]
	out0, out1, out2, out3 := out[:w], out[w:2*w], out[2*w:3*w], out[3*w:4*w]
	for x := range out0 {
		ws := t.weights[x*t.n : x*t.n+t.count[x]]
		f := t.first[x]
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
		out0[x], out1[x], out2[x], out3[x] = sum0>>shift, sum1>>shift, sum2>>shift, sum3>>shift
	}
}

// acrossBytes4 is across4 for 8-bit samples, two multiplications in one:
// rows 0 and 1, and rows 2 and 3, are packed into the low and high halves
// of 64-bit words (packed holds 2·srcW of them), and each weight multiplies
// a pair at once. The low half's sum, under 2³¹ in magnitude, may borrow
// from the high one; it is taken back exactly, so the sums are those of
// across4.
func acrossBytes4(t *taps, src []uint8, srcW int, out []int32, w int, shift int, packed []uint64) {
	row0 := src[:srcW]
	row1 := src[srcW : 2*srcW]
	row2 := src[2*srcW : 3*srcW]
	row3 := src[3*srcW : 4*srcW]
	p01, p23 := packed[:srcW], packed[srcW:2*srcW]
	for x, v := range row0 {
		p01[x] = uint64(v) | uint64(row1[x])<<32
		p23[x] = uint64(row2[x]) | uint64(row3[x])<<32
	}
	out0, out1, out2, out3 := out[:w], out[w:2*w], out[2*w:3*w], out[3*w:4*w]
	for x := range out0 {
		ws := t.wide[x*t.n : x*t.n+t.count[x]]
		f := t.first[x]
		a := p01[f : f+len(ws)]
		b := p23[f : f+len(ws)]
		var sumA, sumB int64
		k := 0
		for ; k+1 < len(ws); k += 2 { // two taps a turn: half the loop's overhead
			w0, w1 := ws[k], ws[k+1]
			sumA += w0*int64(a[k]) + w1*int64(a[k+1])
			sumB += w0*int64(b[k]) + w1*int64(b[k+1])
		}
		if k < len(ws) {
			sumA += ws[k] * int64(a[k])
			sumB += ws[k] * int64(b[k])
		}
		lowA, lowB := int32(sumA), int32(sumB)
		highA, highB := int32((sumA-int64(lowA))>>32), int32((sumB-int64(lowB))>>32)
		out0[x], out1[x], out2[x], out3[x] = lowA>>shift, highA>>shift, lowB>>shift, highB>>shift
	}
}

// downBytes is down for 8-bit samples whose rows between the passes are
// packed in pairs (see packPairs): each weight multiplies two sums at
// once. A low half's total stays under 2³¹ in magnitude (sums of at most
// 255·1.3 levels with fracBits fractional bits, weights that add up to at
// most 1.3 in magnitude), so it is taken back exactly, as in acrossBytes4.
func downBytes(t *taps, pairs []int64, w int, dst []uint8, acc []int64) {
	half := (w + 1) / 2
	rowAt := func(r int) []int64 { return pairs[r*half : (r+1)*half] }
	for y := range len(dst) / w {
		downBytesRow(t, y, rowAt, dst[y*w:(y+1)*w], acc)
	}
}

// downBytesRow fills out, output row y of downBytes, from the packed rows
// between the passes that rowAt returns by source row.
func downBytesRow(t *taps, y int, rowAt func(int) []int64, out []uint8, acc []int64) {
	const final = weightBits + fracBits
	const round = int64(1) << (final - 1)
	w := len(out)
	half := (w + 1) / 2
	acc = acc[:half]
	for i := range acc {
		acc[i] = round + round<<32
	}
	first := t.first[y]
	for k, wt := range t.wide[y*t.n : y*t.n+t.count[y]] {
		src := rowAt(first + k)
		src = src[:len(acc)]
		for i, v := range src {
			acc[i] += wt * v
		}
	}
	for i := range w / 2 {
		v := acc[i]
		low := int32(v)
		high := int32((v - int64(low)) >> 32)
		out[2*i] = uint8(min(max(low>>final, 0), 255))
		out[2*i+1] = uint8(min(max(high>>final, 0), 255))
	}
	if w%2 == 1 {
		out[w-1] = uint8(min(max(int32(acc[half-1])>>final, 0), 255))
	}
}

// across1 is across4 for a single row.
func across1[T sample](t *taps, row []T, out []int32, shift int) {
	for x := range out {
		ws := t.weights[x*t.n : x*t.n+t.count[x]]
		s := row[t.first[x]:]
		s = s[:len(ws)]
		var sum int32
		for k, wt := range ws {
			sum += wt * int32(s[k])
		}
		out[x] = sum >> shift
	}
}

// down resamples tmp, rows of w samples with frac fractional bits, down
// into dst, w×len(dst)/w samples, rounded and clamped to the range of 8-bit
// or (frac 0) premultiplied 16-bit samples. acc is a row of scratch.
func down[T sample](t *taps, tmp []int32, w int, dst []T, frac int, acc []int32) {
	final := weightBits + frac
	round := int32(1) << (final - 1)
	peak := int32(255)
	if frac == 0 {
		peak = 255 * 255
	}
	acc = acc[:w]
	for y := range len(dst) / w {
		for x := range acc {
			acc[x] = round
		}
		first := t.first[y]
		for k, wt := range t.weights[y*t.n : y*t.n+t.count[y]] {
			src := tmp[(first+k)*w : (first+k+1)*w]
			acc := acc[:len(src)]
			for x, v := range src {
				acc[x] += wt * v
			}
		}
		out := dst[y*w : (y+1)*w]
		for x, v := range acc[:len(out)] {
			out[x] = T(min(max(v>>final, 0), peak))
		}
	}
}

// taps holds, for each output sample, the first source sample it reads
// and the fixed-point weights of the count samples from there on (n slots
// each).
type taps struct {
	first, count []int
	weights      []int32
	wide         []int64 // weights, widened for acrossBytes4
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
	t.wide = make([]int64, len(t.weights))
	for i, wt := range t.weights {
		t.wide[i] = int64(wt)
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
