package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"

	gwebp "github.com/gen2brain/webp"
	"github.com/thumbs-dev/thumbs/internal/vp8"
	"golang.org/x/image/webp"
)

// decodeWebP decodes the first frame of a WebP file, its samples in full
// range (see fromStudioSwing). A still lossy picture goes to
// internal/vp8, and comes out shrunk by shrink when that is even (see
// decodeVP8Shrunk, and decodeVP8AlphaShrunk for one with alpha, which
// gives an *image.NYCbCrA); anything that decoder does not support, and
// every other kind of WebP, goes to golang.org/x/image/webp, or to
// github.com/gen2brain/webp when animated, at full size.
func decodeWebP(data []byte, shrink int) (img image.Image, err error) {
	lossy, ok := stillVP8(data)
	frame := lossy.frame
	switch {
	case webpAnimated(data):
		img, err = gwebp.Decode(bytes.NewReader(data))
	case ok && lossy.alph != nil:
		k := 1
		if shrink > 1 && shrink%2 == 0 {
			k = shrink
		}
		var m *image.NYCbCrA
		m, err = decodeVP8Alpha(frame, lossy.alph, lossy.w, lossy.h, k)
		switch {
		case err == nil && k > 1:
			return m, nil // already in full range
		case err == nil:
			img = m
		case errors.Is(err, vp8.ErrUnsupported) || errors.Is(err, errAlphaUnsupported):
			img, err = webp.Decode(bytes.NewReader(data))
		}
	case ok && shrink > 1 && shrink%2 == 0:
		var shrunk *image.YCbCr
		if shrunk, err = decodeVP8Shrunk(frame, shrink); err == nil {
			return shrunk, nil // already in full range
		}
		if !errors.Is(err, vp8.ErrUnsupported) {
			return nil, err
		}
		img, err = webp.Decode(bytes.NewReader(data))
	case ok:
		img, err = vp8.Decode(frame)
		if errors.Is(err, vp8.ErrUnsupported) {
			img, err = webp.Decode(bytes.NewReader(data))
		}
	default:
		img, err = webp.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, err
	}
	return fromStudioSwing(img), nil
}

// decodeVP8Shrunk decodes a VP8 frame of w×h pixels straight to a 4:4:4
// picture of ceil(w/k)×ceil(h/k) (k even), each luma sample the mean of
// a k×k block and each chroma sample the mean of the (k/2)×(k/2) chroma
// block under it, those at the right and bottom edges taken over the
// samples they hold, as libwebp's own scaled decoding averages in YCbCr.
// The means are brought to full range (see fromStudioSwing). Only two
// macroblock rows of the full picture exist at a time. From
// unfilteredShrink on, the frame is decoded without its loop filter.
func decodeVP8Shrunk(frame []byte, k int) (*image.YCbCr, error) {
	w, h, err := vp8.FrameSize(frame)
	if err != nil {
		return nil, err
	}
	dw, dh := (w+k-1)/k, (h+k-1)/k
	img := image.NewYCbCr(image.Rect(0, 0, dw, dh), image.YCbCrSubsampleRatio444)
	luma := newBoxRows(img.Y, dw, w, h, k, limitedLuma)
	cw, ch := (w+1)/2, (h+1)/2
	cb := newBoxRows(img.Cb, dw, cw, ch, k/2, limitedChroma)
	cr := newBoxRows(img.Cr, dw, cw, ch, k/2, limitedChroma)
	decodeRows := vp8.DecodeRows
	if k >= unfilteredShrink {
		decodeRows = vp8.DecodeRowsUnfiltered
	}
	err = decodeRows(frame, func(b *vp8.Band) {
		for i := range b.Rows {
			luma.add(b.Y[i*b.YStride : i*b.YStride+w])
		}
		for i := range b.ChromaRows {
			cb.add(b.Cb[i*b.CStride : i*b.CStride+cw])
			cr.add(b.Cr[i*b.CStride : i*b.CStride+cw])
		}
	})
	if err != nil {
		return nil, err
	}
	return img, nil
}

// unfilteredShrink is the least shrink at which decodeVP8Shrunk leaves
// out the loop filter, a third to a half of the decoding time: averaging
// blocks of 4×4 or more, then resampling by 2 or more, evens out what
// deblocking changes. On 12 photos (q85, 256 px box, k from 4 to 10) it
// moved the mean RGB PSNR against a full-resolution Lanczos reference by
// 0.07 dB, from 48.55 to 48.48 (vipsthumbnail: 42.88).
const unfilteredShrink = 4

// opaqueVP8 returns the VP8 frame of a still, lossy WebP without alpha:
// the payload of its "VP8 " chunk, which must be complete. It reports
// false for lossless, animated and alpha pictures.
func opaqueVP8(b []byte) ([]byte, bool) {
	l, ok := stillVP8(b)
	return l.frame, ok && l.alph == nil
}

// lossyWebP is what a still, lossy WebP is decoded from: its VP8 frame,
// the payload of its ALPH chunk when it has one, and its canvas size
// (0×0 for a simple file, which holds only the frame).
type lossyWebP struct {
	frame, alph []byte
	w, h        int
}

// stillVP8 returns the frame and alpha of a still, lossy WebP. It reports
// false for lossless and animated pictures, where the "VP8 " chunk is
// missing or cut short, and where an ALPH chunk comes after the frame or
// without the VP8X alpha flag.
func stillVP8(b []byte) (lossyWebP, bool) {
	if len(b) < 20 {
		return lossyWebP{}, false
	}
	switch string(b[12:16]) {
	case "VP8 ":
		n := int64(binary.LittleEndian.Uint32(b[16:]))
		if 20+n > int64(len(b)) {
			return lossyWebP{}, false
		}
		return lossyWebP{frame: b[20 : 20+n]}, true
	case "VP8X":
		var l lossyWebP
		hasAlpha := false
		for i, ch := range riffChunks(b) {
			switch ch.id {
			case "VP8X":
				if i != 0 || len(ch.data) < 10 {
					return lossyWebP{}, false
				}
				hasAlpha = ch.data[0]&0x10 != 0
				l.w, l.h = int(uint24(ch.data[4:]))+1, int(uint24(ch.data[7:]))+1
			case "ANIM", "ANMF", "VP8L":
				return lossyWebP{}, false
			case "ALPH":
				if !hasAlpha || l.frame != nil || l.alph != nil {
					return lossyWebP{}, false
				}
				l.alph = ch.data
			case "VP8 ":
				if l.frame == nil {
					l.frame = ch.data
				}
			}
		}
		return l, l.frame != nil
	}
	return lossyWebP{}, false
}
