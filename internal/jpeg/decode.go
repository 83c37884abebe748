package jpeg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"math/bits"
)

// DecodeConfig reads only the header (up to the first SOF) and returns the
// stored (un-rotated) dimensions and color model.
func DecodeConfig(data []byte) (image.Config, error) {
	d := &decoder{data: data, scale: 1}
	err := d.parse(true)
	if errors.Is(err, errUnsupported) {
		if d.arithmetic {
			return image.Config{}, d.arithUnsupported()
		}
		return stdjpeg.DecodeConfig(bytes.NewReader(data))
	}
	if err == nil && d.ncomp == 0 {
		err = formatError("missing SOF marker")
	}
	if err != nil {
		return image.Config{}, err
	}
	cfg := image.Config{Width: d.width, Height: d.height, ColorModel: color.YCbCrModel}
	switch {
	case d.ncomp == 1:
		cfg.ColorModel = color.GrayModel
	case d.ncomp == 4:
		cfg.ColorModel = color.CMYKModel
	case d.isRGB():
		cfg.ColorModel = color.RGBAModel
	}
	return cfg, nil
}

// Decode decodes data at 1/scale of its size, scale being 1, 2, 4 or 8. The
// result's bounds are ceil(w/scale) x ceil(h/scale) with Min at (0,0). It
// returns *image.YCbCr (3-component files, any subsampling the std lib's
// image.YCbCrSubsampleRatio can express; others converted to 4:4:4),
// *image.Gray (1 component), or *image.CMYK (4 components, Adobe CMYK/YCCK
// handled with the same inversion/transform conventions as image/jpeg so the
// pixels agree with image/jpeg's).
// Huffman and arithmetic coding are both read, sequential and progressive;
// arithmetic-coded RGB comes out as *image.RGBA. Lossless and hierarchical
// files, and arithmetic-coded ones of a layout not read here, fail with an
// error naming what they are. Other files it does not support (12-bit,
// RGB, odd component counts) fall back to image/jpeg (full decode;
// then, for scale>1, box-average down to the scaled size) so the user gets
// what image/jpeg would give. Errors for malformed data are returned, never
// panics.
//
// A file with more than MaxScans scans is refused before its pixels are
// decoded past that scan. Decode watches ctx between scans and between rows
// of blocks and returns ctx.Err() once ctx is done; the image/jpeg fallback
// is not interruptible, but it is only reached for files within MaxScans.
func Decode(ctx context.Context, data []byte, scale int) (image.Image, error) {
	img, err := decode(ctx, data, scale, false)
	if errors.Is(err, errUnsupported) {
		if countScans(data) > MaxScans {
			return nil, errTooManyScans
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return fallback(data, scale)
	}
	return img, err
}

// MaxScans is the largest number of scans (SOS segments) Decode accepts in
// one file. A progressive file made by a real encoder has about ten; each
// scan can cost as much as decoding the whole picture once, so a small
// file that repeats a scan hundreds of thousands of times would otherwise
// keep a decoder busy for minutes. libjpeg-turbo's TurboJPEG API refuses
// files with more than 500 scans for the same reason; so does Decode.
const MaxScans = 500

var errTooManyScans = fmt.Errorf("jpeg: too many scans (over %d)", MaxScans)

func decode(ctx context.Context, data []byte, scale int, noSkip bool) (image.Image, error) {
	if scale != 1 && scale != 2 && scale != 4 && scale != 8 {
		return nil, fmt.Errorf("jpeg: bad scale %d", scale)
	}
	d := &decoder{data: data, scale: scale, noSkip: noSkip, done: ctx.Done(), ctx: ctx}
	var damage error
	if err := d.parse(false); err != nil {
		if d.arithmetic && errors.Is(err, errUnsupported) {
			return nil, d.arithUnsupported()
		}
		if !d.salvage(err) {
			return nil, err
		}
		damage = err
	}
	if d.damage != nil {
		damage = d.damage
	}
	if d.leftToStd() {
		if d.arithmetic {
			return nil, d.arithUnsupported()
		}
		return nil, errUnsupported
	}
	if d.progressive {
		if err := d.reconstruct(); err != nil {
			return nil, err
		}
	}
	if damage != nil {
		return d.image(), &DamagedError{Err: damage}
	}
	return d.image(), nil
}

// cancelled returns ctx's error once the context Decode was given is done.
// It costs a channel poll, cheap enough for once per row of blocks.
func (d *decoder) cancelled() error {
	select {
	case <-d.done:
		return d.ctx.Err()
	default:
		return nil
	}
}

// countScans returns the number of SOS markers in data, found by walking
// its segments and skipping entropy-coded data, for files that fall back to
// image/jpeg.
func countScans(data []byte) int {
	d := &decoder{data: data, pos: 2}
	n := 0
	for {
		m, err := d.readMarker()
		if err != nil || m == mEOI {
			return n
		}
		if mRST0 <= m && m <= mRST7 || m == mSOI || m == 0x01 {
			continue
		}
		if m == mSOS {
			n++
		}
		if d.pos+2 > len(data) {
			return n
		}
		d.pos += int(data[d.pos])<<8 | int(data[d.pos+1])
	}
}

// reconstruct dequantises and inverse-transforms the progressive
// coefficients into the planes.
func (d *decoder) reconstruct() error {
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		if c.coef == nil {
			continue
		}
		q := &d.qt[c.tq]
		nx, ny := (c.cw+7)/8, (c.ch+7)/8
		for by := 0; by < ny; by++ {
			if err := d.cancelled(); err != nil {
				return err
			}
			for bx := 0; bx < nx; bx++ {
				b := by*c.bw + bx
				if c.dcOnly {
					c.pix[by*c.stride+bx] = dcValue(int32(c.coef[b]) * q[0])
					continue
				}
				coef := c.coef[b*c.keep.n : (b+1)*c.keep.n]
				d.blk[0] = int32(coef[0]) * q[0]
				m := c.mask[b]
				for set := m & c.keep.bits; set != 0; set &= set - 1 {
					k := bits.TrailingZeros64(set) & 63
					d.blk[zigzag[k]] = int32(coef[c.keep.slot[k]]) * q[k]
				}
				// Non-zero coefficients the transform ignores still count
				// here, as they do for baseline files, so that a block is
				// rounded the same way whatever its coding.
				last := 63 - bits.LeadingZeros64(m|1)
				d.store(c, bx, by, last)
			}
		}
	}
	return nil
}

// image assembles the decoded planes into the result.
func (d *decoder) image() image.Image {
	w, h := (d.width+d.scale-1)/d.scale, (d.height+d.scale-1)/d.scale
	r := image.Rect(0, 0, w, h)
	for i := 0; i < d.ncomp; i++ {
		if c := &d.comp[i]; c.pix == nil { // no scan mentioned it: 0, as in image/jpeg
			c.stride = c.bw * c.bs
			c.pix = make([]byte, c.stride*c.bh*c.bs)
		}
	}
	y := &d.comp[0]
	switch d.ncomp {
	case 1:
		return &image.Gray{Pix: y.pix, Stride: y.stride, Rect: r}
	case 3:
		if d.isRGB() { // arithmetic-coded: see leftToStd
			m := image.NewRGBA(r)
			for i := range 3 {
				d.upsample(m.Pix[i:], m.Stride, 4, w, h, &d.comp[i])
			}
			for i := 3; i < len(m.Pix); i += 4 {
				m.Pix[i] = 0xFF
			}
			return m
		}
		cb, cr := &d.comp[1], &d.comp[2]
		if cbPix, crPix, ok := d.chromaOnGrid(); ok {
			return &image.YCbCr{Y: y.pix, Cb: cbPix, Cr: crPix, YStride: y.stride, CStride: y.stride,
				SubsampleRatio: image.YCbCrSubsampleRatio444, Rect: r}
		}
		if ratio, ok := d.ratio(); ok {
			return &image.YCbCr{Y: y.pix, Cb: cb.pix, Cr: cr.pix, YStride: y.stride, CStride: cb.stride,
				SubsampleRatio: ratio, Rect: r}
		}
		m := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
		d.upsample(m.Y, m.YStride, 1, w, h, y)
		d.upsample(m.Cb, m.CStride, 1, w, h, cb)
		d.upsample(m.Cr, m.CStride, 1, w, h, cr)
		return m
	}
	m := image.NewCMYK(r)
	for i := 0; i < 4; i++ {
		d.upsample(m.Pix[i:], m.Stride, 4, w, h, &d.comp[i])
	}
	if d.transform == 0 {
		for i, v := range m.Pix {
			m.Pix[i] = 255 - v
		}
		return m
	}
	// YCCK: as image/jpeg, convert YCbCr to RGB, which is also the CMY of
	// inverted (Adobe) CMYK, and invert K.
	for i := 0; i < len(m.Pix); i += 4 {
		p := m.Pix[i : i+4 : i+4]
		p[0], p[1], p[2] = color.YCbCrToRGB(p[0], p[1], p[2])
		p[3] = 255 - p[3]
	}
	return m
}

// chromaOnGrid returns the Cb and Cr planes of a 3-component frame on
// luma's grid, with luma's stride, when they were decoded at whole
// multiples of it (see setScales): as they are, or averaged over the
// samples that make up one output sample.
func (d *decoder) chromaOnGrid() (cb, cr []byte, ok bool) {
	y := &d.comp[0]
	if rx, ry, ok := d.gridFactors(y); !ok || rx != 1 || ry != 1 {
		return nil, nil, false
	}
	var planes [2][]byte
	for i := range planes {
		c := &d.comp[1+i]
		rx, ry, ok := d.gridFactors(c)
		if !ok {
			return nil, nil, false
		}
		if rx == 1 && ry == 1 {
			planes[i] = c.pix
			continue
		}
		rows := y.bh * y.bs
		out := make([]byte, y.stride*rows)
		if rx == 1 && ry == 2 { // 4:2:2, the common case
			for oy := range rows {
				dst := out[oy*y.stride : (oy+1)*y.stride]
				a := c.pix[2*oy*c.stride:]
				b := c.pix[(2*oy+1)*c.stride:]
				a, b = a[:len(dst)], b[:len(dst)]
				for x := range dst {
					// Halves round up and down by turns, so that the plane
					// keeps its mean.
					dst[x] = byte((uint16(a[x]) + uint16(b[x]) + uint16(x&1)) >> 1)
				}
			}
			planes[i] = out
			continue
		}
		n := uint32(rx * ry)
		for oy := range rows {
			dst := out[oy*y.stride : (oy+1)*y.stride]
			for ox := range dst {
				var sum uint32
				for j := range ry {
					src := c.pix[(oy*ry+j)*c.stride+ox*rx:]
					for _, v := range src[:rx] {
						sum += uint32(v)
					}
				}
				dst[ox] = byte((sum + n/2) / n)
			}
		}
		planes[i] = out
	}
	return planes[0], planes[1], true
}

// ratio reports the image.YCbCrSubsampleRatio of a 3-component frame whose
// chroma planes can be used as they are.
func (d *decoder) ratio() (image.YCbCrSubsampleRatio, bool) {
	y, cb, cr := &d.comp[0], &d.comp[1], &d.comp[2]
	if y.h != d.hmax || y.v != d.vmax || cb.h != cr.h || cb.v != cr.v || y.h%cb.h != 0 || y.v%cb.v != 0 {
		return 0, false
	}
	switch (y.h/cb.h)<<4 | y.v/cb.v {
	case 0x11:
		return image.YCbCrSubsampleRatio444, true
	case 0x12:
		return image.YCbCrSubsampleRatio440, true
	case 0x21:
		return image.YCbCrSubsampleRatio422, true
	case 0x22:
		return image.YCbCrSubsampleRatio420, true
	case 0x41:
		return image.YCbCrSubsampleRatio411, true
	case 0x42:
		return image.YCbCrSubsampleRatio410, true
	}
	return 0, false
}

// upsample copies c's plane, replicating samples (as image/jpeg does for
// subsampled CMYK), into a w x h destination with the given pixel step.
// Output pixel x covers full-scale sample x*scale*h/hmax of c, which is
// pixel x*scale*h/hmax * bs/8 of c's plane.
func (d *decoder) upsample(dst []byte, stride, step, w, h int, c *component) {
	xs := make([]int, w)
	for x := range xs {
		xs[x] = x * d.scale * c.h * c.bs / (d.hmax * 8)
	}
	for y := 0; y < h; y++ {
		src := c.pix[y*d.scale*c.v*c.bs/(d.vmax*8)*c.stride:]
		row := dst[y*stride:]
		for x, sx := range xs {
			row[x*step] = src[sx]
		}
	}
}

// fallback decodes with image/jpeg and box-averages to the scaled size.
func fallback(data []byte, scale int) (image.Image, error) {
	img, err := stdjpeg.Decode(bytes.NewReader(data))
	if err != nil || scale == 1 {
		return img, err
	}
	return shrink(img, scale), nil
}

// shrink box-averages m (as returned by image/jpeg) by scale, averaging the
// partial boxes at the right and bottom edges over the samples they hold.
func shrink(m image.Image, s int) image.Image {
	b := m.Bounds()
	r := image.Rect(0, 0, (b.Dx()+s-1)/s, (b.Dy()+s-1)/s)
	switch m := m.(type) {
	case *image.Gray:
		o := image.NewGray(r)
		boxPlane(o.Pix, o.Stride, m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, b.Dx(), b.Dy(), 1, s)
		return o
	case *image.RGBA:
		o := image.NewRGBA(r)
		boxPlane(o.Pix, o.Stride, m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, b.Dx(), b.Dy(), 4, s)
		return o
	case *image.CMYK:
		o := image.NewCMYK(r)
		boxPlane(o.Pix, o.Stride, m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, b.Dx(), b.Dy(), 4, s)
		return o
	case *image.YCbCr:
		o := image.NewYCbCr(r, m.SubsampleRatio)
		boxPlane(o.Y, o.YStride, m.Y[m.YOffset(b.Min.X, b.Min.Y):], m.YStride, b.Dx(), b.Dy(), 1, s)
		cw, ch := chromaSize(b, m.SubsampleRatio)
		co := m.COffset(b.Min.X, b.Min.Y)
		boxPlane(o.Cb, o.CStride, m.Cb[co:], m.CStride, cw, ch, 1, s)
		boxPlane(o.Cr, o.CStride, m.Cr[co:], m.CStride, cw, ch, 1, s)
		return o
	}
	o := image.NewRGBA(r)
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			var sum [4]uint32
			n := uint32(0)
			for sy := y * s; sy < min(y*s+s, b.Dy()); sy++ {
				for sx := x * s; sx < min(x*s+s, b.Dx()); sx++ {
					cr, cg, cb, ca := m.At(b.Min.X+sx, b.Min.Y+sy).RGBA()
					sum[0], sum[1], sum[2], sum[3] = sum[0]+cr>>8, sum[1]+cg>>8, sum[2]+cb>>8, sum[3]+ca>>8
					n++
				}
			}
			i := o.PixOffset(x, y)
			for c := range sum {
				o.Pix[i+c] = uint8((sum[c] + n/2) / n)
			}
		}
	}
	return o
}

// chromaSize returns the size of the chroma planes of a YCbCr image with bounds b.
func chromaSize(b image.Rectangle, r image.YCbCrSubsampleRatio) (int, int) {
	w, h := b.Dx(), b.Dy()
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

// boxPlane box-averages a w x h image of n interleaved channels by s into dst.
func boxPlane(dst []byte, dstride int, src []byte, sstride, w, h, n, s int) {
	ow, oh := (w+s-1)/s, (h+s-1)/s
	sum := make([]uint32, ow*n)
	for oy := 0; oy < oh; oy++ {
		clear(sum)
		y1 := min(oy*s+s, h)
		for y := oy * s; y < y1; y++ {
			row := src[y*sstride : y*sstride+w*n]
			for x := 0; x < w; x++ {
				for c := 0; c < n; c++ {
					sum[x/s*n+c] += uint32(row[x*n+c])
				}
			}
		}
		out := dst[oy*dstride:]
		for ox := 0; ox < ow; ox++ {
			cnt := uint32((min(ox*s+s, w) - ox*s) * (y1 - oy*s))
			for c := 0; c < n; c++ {
				out[ox*n+c] = uint8((sum[ox*n+c] + cnt/2) / cnt)
			}
		}
	}
}
