package vp8

import (
	"fmt"
	"image"
)

// Prediction modes. The 4x4 modes are numbered so that the 16x16 and
// chroma modes DC, TM, V and H share the numbers of their 4x4 namesakes,
// which is what the 4x4 mode contexts of RFC 6386 section 11.3 need.
const (
	modeDC4 = iota // also the 16x16 and chroma DC_PRED
	modeTM4        // also TM_PRED
	modeVE4        // also V_PRED
	modeHE4        // also H_PRED
	modeRD4
	modeVR4
	modeLD4
	modeVL4
	modeHD4
	modeHU4
)

// zigzag maps a coefficient's position in decoding order to its index in
// the 4x4 block, RFC 6386 section 13.
var zigzag = [16]uint8{0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15}

// bands maps a coefficient's position in decoding order to its band; the
// 17th entry lets the decoder look one past the last position.
var bands = [17]uint8{0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0}

// Workspace layout: one macroblock with its top and left neighbours, rows
// of wsStride bytes. Luma rows 1..16 at columns 8..23 (its top row is row
// 0, its left column 7, the 4 pixels above and to the right at row 0,
// columns 24..27); Cb rows 18..25 at columns 8..15 and Cr at columns 24..31,
// their top row 17 and left columns 7 and 23.
const (
	wsStride = 32
	wsY      = 1*wsStride + 8
	wsU      = 18*wsStride + 8
	wsV      = 18*wsStride + 24
	wsSize   = 26 * wsStride
)

// macroblock is what the first partition says of one macroblock.
type macroblock struct {
	segment  uint8
	skip     bool // no coefficients are coded
	is4x4    bool
	ymode    uint8
	uvmode   uint8
	submodes [16]uint8
}

// decoder holds the state of one frame's decoding.
type decoder struct {
	width, height int
	mbw, mbh      int

	first      boolDecoder
	partitions []boolDecoder

	segment    segmentHeader
	filter     filterHeader
	quant      [numSegments]quantSteps
	coeffProbs [numTypes][numBands][numContexts][numTokenProbs]uint8
	// posProbs are coeffProbs by coefficient position, each position
	// with its band's, and a 17th past the last.
	posProbs  [numTypes]positionProbs
	useSkip   bool
	skipProb  uint8
	strengths [numSegments][2]filterStrength

	// Non-zero contexts: per macroblock column above, and for the
	// macroblock to the left. Bits 0-3 are the luma blocks' columns (or
	// rows), 4-5 Cb, 6-7 Cr, 8 the Y2 block.
	topNZ  []uint16
	leftNZ uint16
	// 4x4 mode contexts: the modes of the bottom row of each macroblock
	// above, and of the right column of the macroblock to the left.
	topModes  []uint8
	leftModes [4]uint8

	// The unfiltered bottom rows of the previous macroblock row, each with
	// the pixel above-left of the first macroblock in front, and (luma)
	// 4 pixels to the right of the last.
	yTop, uTop, vTop []byte

	mb macroblock
	// coeffs are the 16 luma, 4 Cb, 4 Cr and the Y2 block, zero between
	// macroblocks.
	coeffs [25 * 16]int16
	// codedBlocks has bit i set when block i of coeffs may have a
	// non-zero coefficient (clear: the block adds nothing), and acBlocks
	// when that may be one other than its DC one (clear: the block needs
	// at most addDC).
	codedBlocks, acBlocks uint32
	ws                    [wsSize]byte

	// The loop filter of each macroblock of the current row (nil when the
	// frame is not filtered).
	rowFilters []*filterStrength
	rowInner   []bool

	// The rows of two macroblocks: the previous row (0-15 luma, 0-7
	// chroma), which the loop filter of the current one still changes,
	// and the current row (16-31, 8-15).
	y, cb, cr        []byte
	yStride, cStride int
}

// Band is a run of finished rows of a frame: luma rows Y0 to Y0+Rows-1
// and the chroma rows that go with them, Y0/2 to Y0/2+ChromaRows-1. Its
// rows are cut to the frame's width and height.
type Band struct {
	Y0, Rows, ChromaRows int
	Y, Cb, Cr            []byte
	YStride, CStride     int
}

// Decode decodes the VP8 key frame in data (the payload of a WebP "VP8 "
// chunk) into a 4:2:0 image whose rectangle is the frame's size and whose
// planes are padded to whole macroblocks. It returns an error wrapping
// ErrUnsupported for inter frames and ErrTruncated when data ends early.
func Decode(data []byte) (*image.YCbCr, error) {
	w, h, err := FrameSize(data)
	if err != nil {
		return nil, err
	}
	img := image.NewYCbCr(image.Rect(0, 0, (w+15)&^15, (h+15)&^15), image.YCbCrSubsampleRatio420)
	img.Rect = image.Rect(0, 0, w, h)
	err = DecodeRows(data, func(b *Band) {
		for i := range b.Rows {
			copy(img.Y[(b.Y0+i)*img.YStride:], b.Y[i*b.YStride:i*b.YStride+w])
		}
		cw := (w + 1) / 2
		for i := range b.ChromaRows {
			o := (b.Y0/2 + i) * img.CStride
			copy(img.Cb[o:], b.Cb[i*b.CStride:i*b.CStride+cw])
			copy(img.Cr[o:], b.Cr[i*b.CStride:i*b.CStride+cw])
		}
	})
	if err != nil {
		return nil, err
	}
	return img, nil
}

// DecodeRows decodes the VP8 key frame in data, as Decode does, and
// hands its rows to emit as they are finished, top to bottom, in bands
// of 16 luma rows (fewer at the bottom). Only two macroblock rows are
// held at a time. The band's slices are reused once emit returns. When
// DecodeRows returns an error, the bands it emitted are not to be used:
// a truncated frame is only known as such at its end.
func DecodeRows(data []byte, emit func(*Band)) error {
	return decodeRows(data, emit, true)
}

// DecodeRowsUnfiltered is DecodeRows without the loop filter, like
// libwebp's bypass_filtering option: faster, and the rows differ from
// the frame's by the deblocking the encoder asked for, which a box
// average over several macroblock edges mostly evens out.
func DecodeRowsUnfiltered(data []byte, emit func(*Band)) error {
	return decodeRows(data, emit, false)
}

func decodeRows(data []byte, emit func(*Band), loopFilter bool) error {
	var d decoder
	if err := d.parseHeader(data); err != nil {
		return err
	}
	ys, cs := 16*d.mbw, 8*d.mbw
	d.yStride, d.cStride = ys, cs
	d.y = make([]byte, 32*ys)
	d.cb = make([]byte, 16*cs)
	d.cr = make([]byte, 16*cs)
	band := Band{YStride: ys, CStride: cs, Y: d.y[:16*ys], Cb: d.cb[:8*cs], Cr: d.cr[:8*cs]}
	chromaHeight := (d.height + 1) / 2
	emitRow := func(mby int) {
		band.Y0 = 16 * mby
		band.Rows = min(16, d.height-band.Y0)
		band.ChromaRows = min(8, chromaHeight-8*mby)
		emit(&band)
	}
	for mby := range d.mbh {
		d.decodeRow(mby)
		// Reading past the end of a partition is an error however the
		// frame goes on: stop at once.
		if d.first.eof || d.partitions[mby&(len(d.partitions)-1)].eof {
			return ErrTruncated
		}
		if loopFilter {
			d.filterRow(mby)
		}
		if mby > 0 {
			emitRow(mby - 1)
		}
		copy(d.y[:16*ys], d.y[16*ys:])
		copy(d.cb[:8*cs], d.cb[8*cs:])
		copy(d.cr[:8*cs], d.cr[8*cs:])
	}
	emitRow(d.mbh - 1)
	return nil
}

func (d *decoder) parseHeader(data []byte) error {
	var h frameHeader
	if err := h.parseTag(data); err != nil {
		return err
	}
	d.width, d.height = h.width, h.height
	d.mbw, d.mbh = (h.width+15)/16, (h.height+15)/16
	r := &d.first
	r.init(h.firstPartition)
	r.readBit(128) // colour space: the decoder ignores it
	r.readBit(128) // clamping type: reconstruction always clamps
	d.parseSegmentHeader()
	d.parseFilterHeader()
	if err := d.parsePartitions(h.rest); err != nil {
		return err
	}
	d.parseQuant()
	r.readBit(128) // refresh_entropy_probs: one frame only
	d.parseTokenProbs()
	d.useSkip = r.readBit(128)
	if d.useSkip {
		d.skipProb = uint8(r.readLiteral(8))
	}
	if r.eof {
		return fmt.Errorf("frame header: %w", ErrTruncated)
	}
	d.computeFilterStrengths()

	d.topNZ = make([]uint16, d.mbw)
	d.topModes = make([]uint8, 4*d.mbw)
	d.yTop = make([]byte, 1+16*d.mbw+4)
	d.uTop = make([]byte, 1+8*d.mbw)
	d.vTop = make([]byte, 1+8*d.mbw)
	for _, top := range [][]byte{d.yTop, d.uTop, d.vTop} {
		for i := range top {
			top[i] = 127
		}
	}
	d.rowFilters = make([]*filterStrength, d.mbw)
	d.rowInner = make([]bool, d.mbw)
	return nil
}

// decodeRow parses and reconstructs macroblock row mby into the current
// row of d.y, d.cb and d.cr,
// unfiltered, and keeps its bottom rows for the next row's prediction.
func (d *decoder) decodeRow(mby int) {
	tokens := &d.partitions[mby&(len(d.partitions)-1)]
	d.leftNZ = 0
	d.leftModes = [4]uint8{}
	ws := &d.ws
	for y := 0; y < 16; y++ {
		ws[wsY-1+y*wsStride] = 129
	}
	for y := 0; y < 8; y++ {
		ws[wsU-1+y*wsStride] = 129
		ws[wsV-1+y*wsStride] = 129
	}
	for mbx := range d.mbw {
		d.parseModes(mbx)
		d.codedBlocks = 0
		if !d.mb.skip {
			d.parseResiduals(tokens, mbx)
		} else {
			d.leftNZ &^= 0xff
			d.topNZ[mbx] &^= 0xff
			if !d.mb.is4x4 {
				d.leftNZ = 0
				d.topNZ[mbx] = 0
			}
		}
		d.rowFilters[mbx] = nil
		if st := &d.strengths[d.mb.segment][b2i(d.mb.is4x4)]; d.filter.level != 0 && st.limit != 0 {
			d.rowFilters[mbx] = st
		}
		d.rowInner[mbx] = d.mb.is4x4 || d.codedBlocks != 0
		d.reconstruct(mbx, mby)
	}
	d.saveTop()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseModes reads the segment, skip flag and prediction modes of
// macroblock mbx from the first partition, RFC 6386 sections 10 and 11,
// with the boolean decoder's state in local variables.
func (d *decoder) parseModes(mbx int) {
	r := &d.first
	value, count, rng := r.value, r.count, r.rng
	var bit bool
	next := func(prob uint8) bool {
		if count < 0 {
			value, count = r.more(value, count)
		}
		bit, value, count, rng = decodeBit(value, count, rng, prob)
		return bit
	}
	mb := &d.mb
	mb.segment = 0
	if d.segment.updateMap {
		p := &d.segment.mapProbs
		if !next(p[0]) {
			mb.segment = uint8(b2i(next(p[1])))
		} else {
			mb.segment = 2 + uint8(b2i(next(p[2])))
		}
	}
	mb.skip = d.useSkip && next(d.skipProb)
	mb.is4x4 = !next(145)
	top := (*[4]uint8)(d.topModes[4*mbx : 4*mbx+4])
	if !mb.is4x4 {
		var m uint8
		switch {
		case !next(156):
			m = modeDC4
			if next(163) {
				m = modeVE4
			}
		case next(128):
			m = modeTM4
		default:
			m = modeHE4
		}
		mb.ymode = m
		*top = [4]uint8{m, m, m, m}
		d.leftModes = [4]uint8{m, m, m, m}
	} else {
		r.value, r.count, r.rng = value, count, rng
		readSubblockModes(r, top, &d.leftModes, &mb.submodes)
		value, count, rng = r.value, r.count, r.rng
	}
	switch {
	case !next(142):
		mb.uvmode = modeDC4
	case !next(114):
		mb.uvmode = modeVE4
	case next(183):
		mb.uvmode = modeTM4
	default:
		mb.uvmode = modeHE4
	}
	r.value, r.count, r.rng = value, count, rng
}

// readSubblockModes reads the 16 modes of a macroblock's 4x4 blocks
// into modes from r, in the contexts of the modes above (top) and to the
// left (left) of each block, and leaves top and left as the next
// macroblocks below and to the right see them. It holds little state, so
// that the decoder's fits in registers.
func readSubblockModes(r *boolDecoder, top, left *[4]uint8, modes *[16]uint8) {
	value, count, rng := r.value, r.count, r.rng
	var bit bool
	next := func(prob uint8) bool {
		if count < 0 {
			value, count = r.more(value, count)
		}
		bit, value, count, rng = decodeBit(value, count, rng, prob)
		return bit
	}
	for i := range 16 {
		y, x := i>>2, i&3
		// The tree of RFC 6386 section 11.2.
		p := &subblockModeProbs[top[x]%numSubblockModes][left[y]%numSubblockModes]
		var m uint8
		switch {
		case !next(p[0]):
			m = modeDC4
		case !next(p[1]):
			m = modeTM4
		case !next(p[2]):
			m = modeVE4
		case !next(p[3]):
			switch {
			case !next(p[4]):
				m = modeHE4
			case !next(p[5]):
				m = modeRD4
			default:
				m = modeVR4
			}
		case !next(p[6]):
			m = modeLD4
		case !next(p[7]):
			m = modeVL4
		case !next(p[8]):
			m = modeHD4
		default:
			m = modeHU4
		}
		top[x], left[y], modes[i] = m, m, m
	}
	r.value, r.count, r.rng = value, count, rng
}

// saveTop copies the bottom rows of macroblock row mby, before the loop
// filter touches them, for the intra prediction of the next row.
func (d *decoder) saveTop() {
	y := d.y[31*d.yStride:]
	copy(d.yTop[1:], y[:16*d.mbw])
	last := d.yTop[16*d.mbw]
	for i := range 4 {
		d.yTop[1+16*d.mbw+i] = last
	}
	c := 15 * d.cStride
	copy(d.uTop[1:], d.cb[c:c+8*d.mbw])
	copy(d.vTop[1:], d.cr[c:c+8*d.mbw])
	d.yTop[0], d.uTop[0], d.vTop[0] = 129, 129, 129
}
