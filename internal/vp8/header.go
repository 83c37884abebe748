package vp8

import (
	"errors"
	"fmt"
)

const (
	numTypes         = 4  // token plane types: Y after Y2, Y2, chroma, Y with DC
	numBands         = 8  // coefficient position bands
	numContexts      = 3  // token contexts: neighbours zero, one, larger
	numTokenProbs    = 11 // nodes of the token tree
	numSegments      = 4  // macroblock segments
	numSubblockModes = 10 // 4x4 prediction modes
)

// Plane types of RFC 6386 section 13.3, the first index of the token
// probabilities.
const (
	typeYAfterY2 = 0
	typeY2       = 1
	typeChroma   = 2
	typeYWithDC  = 3
)

// ErrUnsupported is wrapped by the error Decode returns for a valid
// stream that this package does not decode (an inter frame); the caller
// may try another decoder.
var ErrUnsupported = errors.New("vp8: unsupported")

// ErrTruncated is wrapped by the error Decode returns when the data ends
// before the frame does.
var ErrTruncated = errors.New("vp8: truncated frame")

// FrameSize reports the width and height that the frame header of data
// declares, with the same checks as Decode's header parsing.
func FrameSize(data []byte) (width, height int, err error) {
	var h frameHeader
	if err := h.parseTag(data); err != nil {
		return 0, 0, err
	}
	return h.width, h.height, nil
}

// frameHeader is the uncompressed data chunk of RFC 6386 section 9.1.
type frameHeader struct {
	width, height  int
	firstPartition []byte
	rest           []byte // the partition sizes and token partitions
}

func (h *frameHeader) parseTag(data []byte) error {
	if len(data) < 10 {
		return ErrTruncated
	}
	tag := uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16
	if tag&1 != 0 {
		return fmt.Errorf("%w: inter frame", ErrUnsupported)
	}
	if version := tag >> 1 & 7; version > 3 {
		return fmt.Errorf("vp8: unknown version %d", version)
	}
	if tag>>4&1 == 0 {
		return errors.New("vp8: frame is not shown")
	}
	if data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a {
		return errors.New("vp8: bad start code")
	}
	h.width = int(data[6]) | int(data[7]&0x3f)<<8
	h.height = int(data[8]) | int(data[9]&0x3f)<<8
	if h.width == 0 || h.height == 0 {
		return errors.New("vp8: zero width or height")
	}
	size := int(tag >> 5)
	if size > len(data)-10 {
		return ErrTruncated
	}
	h.firstPartition = data[10 : 10+size]
	h.rest = data[10+size:]
	return nil
}

// segmentHeader is RFC 6386 section 9.3.
type segmentHeader struct {
	enabled   bool
	updateMap bool
	absolute  bool
	quant     [numSegments]int
	filter    [numSegments]int
	mapProbs  [3]uint8
}

// filterHeader is RFC 6386 section 9.6.
type filterHeader struct {
	simple     bool
	level      int
	sharpness  int
	useDeltas  bool
	refDelta0  int // the delta of intra frames
	modeDelta0 int // the delta of B_PRED macroblocks
}

// quantSteps are one segment's dequantisation factors, DC then AC.
type quantSteps struct {
	y1, y2, uv [2]int32
}

func (d *decoder) parseSegmentHeader() {
	r := &d.first
	s := &d.segment
	// Without feature data, segments have absolute values of zero, as
	// in libwebp.
	s.absolute = true
	s.enabled = r.readBit(128)
	if !s.enabled {
		return
	}
	s.updateMap = r.readBit(128)
	if r.readBit(128) { // update_segment_feature_data
		s.absolute = r.readBit(128)
		for i := range s.quant {
			s.quant[i] = r.readOptionalSigned(7)
		}
		for i := range s.filter {
			s.filter[i] = r.readOptionalSigned(6)
		}
	}
	if s.updateMap {
		for i := range s.mapProbs {
			s.mapProbs[i] = 255
			if r.readBit(128) {
				s.mapProbs[i] = uint8(r.readLiteral(8))
			}
		}
	}
}

func (d *decoder) parseFilterHeader() {
	r := &d.first
	f := &d.filter
	f.simple = r.readBit(128)
	f.level = r.readLiteral(6)
	f.sharpness = r.readLiteral(3)
	f.useDeltas = r.readBit(128)
	if f.useDeltas && r.readBit(128) { // mode_ref_lf_delta_update
		var ref, mode [4]int
		for i := range ref {
			ref[i] = r.readOptionalSigned(6)
		}
		for i := range mode {
			mode[i] = r.readOptionalSigned(6)
		}
		f.refDelta0, f.modeDelta0 = ref[0], mode[0]
	}
}

func (d *decoder) parsePartitions(rest []byte) error {
	n := 1 << d.first.readLiteral(2)
	sizes := 3 * (n - 1)
	if len(rest) < sizes {
		return ErrTruncated
	}
	data := rest[sizes:]
	d.partitions = make([]boolDecoder, n)
	for i := range n - 1 {
		size := int(rest[3*i]) | int(rest[3*i+1])<<8 | int(rest[3*i+2])<<16
		if size > len(data) {
			return ErrTruncated
		}
		d.partitions[i].init(data[:size])
		data = data[size:]
	}
	d.partitions[n-1].init(data)
	return nil
}

func clampIndex(q int) int { return min(max(q, 0), 127) }

func (d *decoder) parseQuant() {
	r := &d.first
	base := r.readLiteral(7)
	y1DC := r.readOptionalSigned(4)
	y2DC := r.readOptionalSigned(4)
	y2AC := r.readOptionalSigned(4)
	uvDC := r.readOptionalSigned(4)
	uvAC := r.readOptionalSigned(4)
	for i := range d.quant {
		q := base
		if d.segment.enabled {
			q = d.segment.quant[i]
			if !d.segment.absolute {
				q += base
			}
		}
		s := &d.quant[i]
		s.y1[0] = int32(dcQuant[clampIndex(q+y1DC)])
		s.y1[1] = int32(acQuant[clampIndex(q)])
		s.y2[0] = int32(dcQuant[clampIndex(q+y2DC)]) * 2
		s.y2[1] = max(int32(acQuant[clampIndex(q+y2AC)])*155/100, 8)
		s.uv[0] = min(int32(dcQuant[clampIndex(q+uvDC)]), 132)
		s.uv[1] = int32(acQuant[clampIndex(q+uvAC)])
	}
}

func (d *decoder) parseTokenProbs() {
	r := &d.first
	for t := range numTypes {
		for b := range numBands {
			for c := range numContexts {
				for p := range numTokenProbs {
					if r.readBit(coeffUpdateProbs[t][b][c][p]) {
						d.coeffProbs[t][b][c][p] = uint8(r.readLiteral(8))
					} else {
						d.coeffProbs[t][b][c][p] = defaultCoeffProbs[t][b][c][p]
					}
				}
			}
		}
		for n := range d.posProbs[t] {
			d.posProbs[t][n] = d.coeffProbs[t][bands[n]]
		}
	}
}

// filterStrength is the loop filter of one kind of macroblock (a segment,
// with or without 4x4 prediction), RFC 6386 section 15.
type filterStrength struct {
	limit     int // the edge limit of inner edges; macroblock edges add 4
	interior  int
	hevThresh int
}

func (d *decoder) computeFilterStrengths() {
	f := &d.filter
	for s := range numSegments {
		base := f.level
		if d.segment.enabled {
			base = d.segment.filter[s]
			if !d.segment.absolute {
				base += f.level
			}
		}
		for i4 := range 2 {
			level := base
			if f.useDeltas {
				level += f.refDelta0
				if i4 == 1 {
					level += f.modeDelta0
				}
			}
			level = min(max(level, 0), 63)
			st := &d.strengths[s][i4]
			*st = filterStrength{}
			if level == 0 {
				continue
			}
			interior := level
			if f.sharpness > 0 {
				if f.sharpness > 4 {
					interior >>= 2
				} else {
					interior >>= 1
				}
				interior = min(interior, 9-f.sharpness)
			}
			interior = max(interior, 1)
			st.interior = interior
			st.limit = 2*level + interior
			switch {
			case level >= 40:
				st.hevThresh = 2
			case level >= 15:
				st.hevThresh = 1
			}
		}
	}
}
