package decode

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"

	"github.com/thumbs-dev/thumbs/internal/vp8"
	"golang.org/x/image/vp8l"
)

// errAlphaUnsupported is wrapped by the errors of the lossy-with-alpha
// decoding for what it leaves to golang.org/x/image/webp: an ALPH header
// with values the WebP container specification does not define, or a
// frame whose size is not the canvas's.
var errAlphaUnsupported = errors.New("webp: alpha not supported by internal/vp8")

// The compression methods of an ALPH chunk.
const (
	alphaRaw      = 0 // the w×h filtered alpha values as they are
	alphaLossless = 1 // a VP8L image stream, alpha in its green channel
)

// The filters of an ALPH chunk, each predicting a value from its
// neighbours already decoded: none, left, above, and left + above −
// above-left clamped to 0–255.
const (
	filterNone = iota
	filterHorizontal
	filterVertical
	filterGradient
)

// alphaPlane gives the rows of the alpha plane of a WebP's ALPH chunk, one
// at a time from the top, with its filter undone.
type alphaPlane struct {
	w, h   int
	filter byte
	// The filtered values of row y are pix[y·stride + i·step] for i below
	// w: the chunk's bytes, or the green samples of the VP8L picture.
	pix          []byte
	stride, step int
	y            int // the row next returns
}

// newAlphaPlane returns the alpha plane of w×h pixels that alph, the
// payload of an ALPH chunk, holds. Its error wraps errAlphaUnsupported
// when the header byte has values that the WebP specification does not
// define (pre-processing above 1, reserved bits set, compression above
// 1); other errors mean that the chunk is damaged. A losslessly
// compressed plane is decoded whole, to 4 bytes a pixel, by
// golang.org/x/image/vp8l; a raw one is read from alph as rows are asked
// for.
func newAlphaPlane(alph []byte, w, h int) (*alphaPlane, error) {
	if len(alph) < 1 {
		return nil, errors.New("webp: empty ALPH chunk")
	}
	hdr := alph[0]
	compression, filter, preprocessing, reserved := hdr&3, hdr>>2&3, hdr>>4&3, hdr>>6
	if compression > alphaLossless || preprocessing > 1 || reserved != 0 {
		return nil, fmt.Errorf("%w: ALPH header %#02x", errAlphaUnsupported, hdr)
	}
	a := &alphaPlane{w: w, h: h, filter: filter}
	data := alph[1:]
	if compression == alphaRaw {
		if int64(len(data)) < int64(w)*int64(h) {
			return nil, fmt.Errorf("webp: alpha plane cut short: %d of %d bytes", len(data), w*h)
		}
		a.pix, a.stride, a.step = data, w, 1
		return a, nil
	}
	m, err := vp8l.Decode(io.MultiReader(bytes.NewReader(vp8lHeader(w, h)), bytes.NewReader(data)))
	if err != nil {
		return nil, fmt.Errorf("webp: alpha plane: %w", err)
	}
	nrgba, ok := m.(*image.NRGBA)
	if !ok || nrgba.Rect != image.Rect(0, 0, w, h) {
		return nil, fmt.Errorf("webp: alpha plane decoded to a %T of %v", m, m.Bounds())
	}
	a.pix, a.stride, a.step = nrgba.Pix[1:], nrgba.Stride, 4
	return a, nil
}

// vp8lHeader returns the header of a VP8L stream of a w×h picture (each
// side at most 16384), which an ALPH chunk's lossless stream lacks: the
// signature byte, then, least significant bit first, the width and height
// less one in 14 bits each, an alpha hint bit and a 3-bit version, both 0.
func vp8lHeader(w, h int) []byte {
	bits := uint32(w-1)&0x3fff | uint32(h-1)&0x3fff<<14
	return []byte{0x2f, byte(bits), byte(bits >> 8), byte(bits >> 16), byte(bits >> 24)}
}

// next writes the next row of the plane into dst (w bytes), given prev,
// the row above as next wrote it (ignored for the first row).
func (a *alphaPlane) next(dst, prev []byte) {
	y := a.y
	a.y++
	src := a.pix[y*a.stride:]
	if a.step == 1 {
		copy(dst, src[:a.w])
	} else {
		for x := range dst[:a.w] {
			dst[x] = src[x*a.step]
		}
	}
	dst = dst[:a.w]
	if a.filter == filterNone {
		return
	}
	if y == 0 {
		// Every filter predicts the first row from the left, and its
		// first value from 0.
		for x := 1; x < len(dst); x++ {
			dst[x] += dst[x-1]
		}
		return
	}
	prev = prev[:a.w]
	switch a.filter {
	case filterHorizontal:
		dst[0] += prev[0]
		for x := 1; x < len(dst); x++ {
			dst[x] += dst[x-1]
		}
	case filterVertical:
		for x := range dst {
			dst[x] += prev[x]
		}
	case filterGradient:
		dst[0] += prev[0]
		for x := 1; x < len(dst); x++ {
			g := int(dst[x-1]) + int(prev[x]) - int(prev[x-1])
			dst[x] += uint8(min(max(g, 0), 255))
		}
	}
}

// decodeVP8Alpha decodes a still lossy WebP with alpha, of a w×h canvas,
// from its VP8 frame and the payload of its ALPH chunk: at full size into
// a 4:2:0 *image.NYCbCrA, limited range as stored, when k is 1, else (k
// even) straight to the shrunk picture of decodeVP8AlphaShrunk, in full
// range. Its error wraps vp8.ErrUnsupported or errAlphaUnsupported for
// what it leaves to golang.org/x/image/webp.
func decodeVP8Alpha(frame, alph []byte, w, h, k int) (*image.NYCbCrA, error) {
	fw, fh, err := vp8.FrameSize(frame)
	if err != nil {
		return nil, err
	}
	if fw != w || fh != h {
		return nil, fmt.Errorf("%w: a %dx%d frame on a %dx%d canvas", errAlphaUnsupported, fw, fh, w, h)
	}
	alpha, err := newAlphaPlane(alph, w, h)
	if err != nil {
		return nil, err
	}
	if k > 1 {
		return decodeVP8AlphaShrunk(frame, alpha, k)
	}
	ycc, err := vp8.Decode(frame)
	if err != nil {
		return nil, err
	}
	img := &image.NYCbCrA{YCbCr: *ycc, A: make([]byte, w*h), AStride: w}
	var prev []byte
	for y := range h {
		row := img.A[y*w : y*w+w]
		alpha.next(row, prev)
		prev = row
	}
	return img, nil
}

// decodeVP8AlphaShrunk decodes a VP8 frame of w×h pixels and its alpha
// plane straight to a 4:4:4 picture with alpha of ceil(w/k)×ceil(h/k) (k
// even), in full range, holding only two macroblock rows of the full
// picture and two rows of alpha at a time (besides what newAlphaPlane
// holds). Each alpha sample is the mean of a k×k block; each luma sample
// is the mean of the block's luma weighted by alpha, and each chroma
// sample the mean of the (k/2)×(k/2) chroma block under it, each chroma
// sample weighted by the summed alpha of the up to 2×2 pixels it covers.
// Weighting by alpha is averaging premultiplied colour, as
// internal/thumbnail shrinks pictures with transparency, so that the
// colour of transparent pixels does not bleed into their neighbours; and
// since the conversion to RGB is affine, it gives the weighted mean of
// their RGB colour (but for clamping). A block with no opacity at all
// is transparent black. Blocks at the right and bottom edges are taken
// over the pixels they hold. From unfilteredShrink on, the frame is
// decoded without its loop filter, as in decodeVP8Shrunk.
func decodeVP8AlphaShrunk(frame []byte, alpha *alphaPlane, k int) (*image.NYCbCrA, error) {
	w, h := alpha.w, alpha.h
	dw, dh := (w+k-1)/k, (h+k-1)/k
	b := &alphaBox{
		img: image.NewNYCbCrA(image.Rect(0, 0, dw, dh), image.YCbCrSubsampleRatio444),
		w:   w, h: h, k: k,
		sa: make([]uint64, dw), sy: make([]uint64, dw), scb: make([]uint64, dw), scr: make([]uint64, dw),
		weights: make([]uint32, (w+1)/2),
	}
	rows := [2][]byte{make([]byte, w), make([]byte, w)}
	decodeRows := vp8.DecodeRows
	if k >= unfilteredShrink {
		decodeRows = vp8.DecodeRowsUnfiltered
	}
	err := decodeRows(frame, func(band *vp8.Band) {
		cw := (w + 1) / 2
		for j := range band.ChromaRows {
			// Luma rows 2j and 2j+1 of the band (only 2j in the last
			// row of an odd height) and the chroma row j under them.
			y0 := band.Y[2*j*band.YStride : 2*j*band.YStride+w]
			a0, a1 := rows[0], rows[1]
			alpha.next(a0, a1)
			var y1 []byte
			if 2*j+1 < band.Rows {
				y1 = band.Y[(2*j+1)*band.YStride : (2*j+1)*band.YStride+w]
				alpha.next(a1, a0)
			} else {
				a1 = nil
			}
			c := j * band.CStride
			b.add(y0, y1, a0, a1, band.Cb[c:c+cw], band.Cr[c:c+cw])
		}
	})
	if err != nil {
		return nil, err
	}
	return b.img, nil
}

// alphaBox box-averages, by k×k blocks (k even), the rows of limited-range
// 4:2:0 Y, Cb and Cr planes of w×h pixels weighted by their alpha, given
// two luma rows at a time, into img (see decodeVP8AlphaShrunk).
type alphaBox struct {
	img     *image.NYCbCrA
	w, h, k int
	y       int // luma rows added so far
	// The sums of the current row of blocks, per block: of alpha, and
	// of luma, Cb and Cr weighted by alpha.
	sa, sy, scb, scr []uint64
	// weights[cx] is the summed alpha of the pixels that chroma sample cx
	// of the current chroma row covers.
	weights []uint32
}

// add adds luma rows y0 and y1 (nil below the last row of an odd
// height), with their alpha rows a0 and a1, and the chroma rows cb and cr
// that cover them, and writes a row of means once a row of blocks is
// complete.
func (b *alphaBox) add(y0, y1, a0, a1, cb, cr []byte) {
	k, w := b.k, b.w
	b.addLuma(y0, a0)
	weights := b.weights
	for cx := range weights {
		x := 2 * cx
		s := uint32(a0[x])
		if x+1 < w {
			s += uint32(a0[x+1])
		}
		weights[cx] = s
	}
	b.y++
	if y1 != nil {
		b.addLuma(y1, a1)
		for cx := range weights {
			x := 2 * cx
			s := uint32(a1[x])
			if x+1 < w {
				s += uint32(a1[x+1])
			}
			weights[cx] += s
		}
		b.y++
	}
	half := k / 2
	for dx := range b.scb {
		x0, x1 := dx*half, min(dx*half+half, len(weights))
		var scb, scr uint64
		for cx := x0; cx < x1; cx++ {
			wt := uint64(weights[cx])
			scb += uint64(cb[cx]) * wt
			scr += uint64(cr[cx]) * wt
		}
		b.scb[dx] += scb
		b.scr[dx] += scr
	}
	if b.y%k != 0 && b.y != b.h {
		return
	}
	dy := (b.y - 1) / k
	rows := b.y - dy*k
	img := &b.img.YCbCr
	o := dy * img.YStride
	dstY, dstCb, dstCr := img.Y[o:o+len(b.sa)], img.Cb[o:o+len(b.sa)], img.Cr[o:o+len(b.sa)]
	dstA := b.img.A[dy*b.img.AStride : dy*b.img.AStride+len(b.sa)]
	for dx, sa := range b.sa {
		n := uint64(rows * (min((dx+1)*k, w) - dx*k))
		dstA[dx] = uint8((sa + n/2) / n)
		if sa == 0 {
			dstY[dx], dstCb[dx], dstCr[dx] = 0, 128, 128
			continue
		}
		dstY[dx] = fullRangeMean(int64(b.sy[dx]), int64(sa), limitedLuma)
		dstCb[dx] = fullRangeMean(int64(b.scb[dx]), int64(sa), limitedChroma)
		dstCr[dx] = fullRangeMean(int64(b.scr[dx]), int64(sa), limitedChroma)
	}
	clear(b.sa)
	clear(b.sy)
	clear(b.scb)
	clear(b.scr)
}

// addLuma adds a row of luma, weighted by its row of alpha, to the sums.
func (b *alphaBox) addLuma(y, a []byte) {
	k, w := b.k, b.w
	for dx := range b.sa {
		x0, x1 := dx*k, min(dx*k+k, w)
		var sy, sa uint64
		for x := x0; x < x1; x++ {
			av := uint64(a[x])
			sy += uint64(y[x]) * av
			sa += av
		}
		b.sy[dx] += sy
		b.sa[dx] += sa
	}
}
