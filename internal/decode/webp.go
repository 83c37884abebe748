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
	luma := newBoxRows(img.Y, dw, w, h, k, true)
	cw, ch := (w+1)/2, (h+1)/2
	cb := newBoxRows(img.Cb, dw, cw, ch, k/2, false)
	cr := newBoxRows(img.Cr, dw, cw, ch, k/2, false)
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

// boxRows box-averages the rows of a w×h plane of limited-range samples,
// given one at a time, by k×k blocks into out (rows of stride samples),
// and brings the means to full range.
type boxRows struct {
	out     []byte
	stride  int
	w, h, k int
	y       int // rows added so far
	sums    []uint32
	luma    bool
	// blockMeans[s] is fullRangeMean(s, k·k, luma), for every sum s of a
	// whole block.
	blockMeans []uint8
}

func newBoxRows(out []byte, stride, w, h, k int, luma bool) *boxRows {
	b := &boxRows{out: out, stride: stride, w: w, h: h, k: k, sums: make([]uint32, (w+k-1)/k), luma: luma}
	b.blockMeans = make([]uint8, 255*k*k+1)
	for s := range b.blockMeans {
		b.blockMeans[s] = fullRangeMean(int64(s), int64(k*k), luma)
	}
	return b
}

// fullRangeMean returns s/n, the mean of limited-range luma or chroma
// samples (n > 0: their count, or the sum of their weights when s is a
// weighted sum), brought to full range (see fromStudioSwing) and rounded
// half away from zero.
func fullRangeMean(s, n int64, luma bool) uint8 {
	// The mapping to full range: (mean−zero)·255/scale, around offset.
	zero, scale, offset := int64(16), int64(219), int64(0)
	if !luma {
		zero, scale, offset = 128, 224, 128
	}
	// round(((s/n) − zero)·255/scale) + offset, in integers.
	num := (s - zero*n) * 255
	den := n * scale
	v := (num + den/2) / den
	if num < 0 {
		v = -((-num + den/2) / den)
	}
	return uint8(min(max(v+offset, 0), 255))
}

// add adds the next row of w samples, and writes a row of means once a
// row of blocks is complete.
func (b *boxRows) add(row []byte) {
	k, sums := b.k, b.sums
	full := b.w / k
	row = row[:b.w]
	dx := sumBlocks(sums[:full], row, k)
	for ; dx < full; dx++ {
		var s uint32
		for _, v := range row[dx*k : dx*k+k] {
			s += uint32(v)
		}
		sums[dx] += s
	}
	for _, v := range row[full*k:] {
		sums[full] += uint32(v)
	}
	b.y++
	if b.y%k != 0 && b.y != b.h {
		return
	}
	dy := (b.y - 1) / k
	rows := b.y - dy*k
	dst := b.out[dy*b.stride : dy*b.stride+len(sums)]
	dx = 0
	if rows == k {
		means := b.blockMeans
		for ; dx < full; dx++ {
			dst[dx] = means[sums[dx]]
		}
	}
	for ; dx < len(sums); dx++ {
		dst[dx] = fullRangeMean(int64(sums[dx]), int64(rows*(min((dx+1)*k, b.w)-dx*k)), b.luma)
	}
	clear(sums)
}

// evenBytes selects the even bytes of a word of 8 samples.
const evenBytes = 0x00ff00ff00ff00ff

// sumBlocks adds to sums the sums of the first blocks of k samples of
// row, a word of 8 samples at a time for k up to 16, and returns how many
// blocks it summed, leaving the rest (whose words would reach past the
// row) to the caller.
func sumBlocks(sums []uint32, row []byte, k int) int {
	dx := 0
	switch {
	case k == 1:
		for dx, v := range row[:len(sums)] {
			sums[dx] += uint32(v)
		}
		return len(sums)
	case k == 2:
		for ; dx+4 <= len(sums); dx += 4 {
			pairs := pairSums(binary.LittleEndian.Uint64(row[2*dx:]))
			s := sums[dx : dx+4 : dx+4]
			s[0] += uint32(pairs & 0xffff)
			s[1] += uint32(pairs >> 16 & 0xffff)
			s[2] += uint32(pairs >> 32 & 0xffff)
			s[3] += uint32(pairs >> 48)
		}
	case k == 4:
		for ; dx+2 <= len(sums); dx += 2 {
			pairs := pairSums(binary.LittleEndian.Uint64(row[4*dx:]))
			s := sums[dx : dx+2 : dx+2]
			s[0] += uint32(pairs&0xffff + pairs>>16&0xffff)
			s[1] += uint32(pairs>>32&0xffff + pairs>>48)
		}
	case k <= 8:
		last := ^uint64(0) >> (64 - 8*k)
		n := blocksWithin(len(sums), len(row), k, 8)
		o := 0
		if k == 3 {
			// Two blocks a word: the second block's samples moved to the
			// high half, the pair sums of each half add up to its sum.
			for ; dx+2 <= n; dx, o = dx+2, o+6 {
				x := binary.LittleEndian.Uint64(row[o : o+8])
				q := pairSums(x&last | x>>24&last<<32)
				q += q >> 16
				s := sums[dx : dx+2 : dx+2]
				s[0] += uint32(q & 0xffff)
				s[1] += uint32(q >> 32 & 0xffff)
			}
		}
		for ; dx < n; dx, o = dx+1, o+k {
			sums[dx] += wordSum(binary.LittleEndian.Uint64(row[o:o+8]) & last)
		}
	case k <= 16:
		last := ^uint64(0) >> (64 - 8*(k-8))
		n := blocksWithin(len(sums), len(row), k, 16)
		for o := 0; dx < n; dx, o = dx+1, o+k {
			sums[dx] += wordSum(binary.LittleEndian.Uint64(row[o:o+8])) +
				wordSum(binary.LittleEndian.Uint64(row[o+8:o+16])&last)
		}
	}
	return dx
}

// blocksWithin returns how many of the first blocks of k samples, at most
// blocks, a read of span bytes from each block's start keeps within a
// row of n samples.
func blocksWithin(blocks, n, k, span int) int {
	if n < span {
		return 0
	}
	return min(blocks, (n-span)/k+1)
}

// pairSums returns the four sums of pairs of adjacent samples of the word
// x, in 16-bit lanes: at most 510 each, so that adding lanes cannot carry
// from one into the next.
func pairSums(x uint64) uint64 {
	return x&evenBytes + x>>8&evenBytes
}

// wordSum returns the sum of the 8 samples of the word x.
func wordSum(x uint64) uint32 {
	return uint32(pairSums(x) * 0x0001000100010001 >> 48)
}

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
