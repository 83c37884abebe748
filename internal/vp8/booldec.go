package vp8

import (
	"encoding/binary"
	"math/bits"
)

// boolDecoder reads the boolean entropy-coded data of RFC 6386 section 7
// from one partition.
//
// value is a window on the arithmetic-coded number, its most significant
// bit first: its top 8 bits are compared with the range, and count more
// bits below them are loaded. count drops below zero when more input is
// needed; refill then appends 56 bits at once where it can.
type boolDecoder struct {
	buf   []byte
	pos   int
	value uint64
	count int
	rng   uint32 // the range minus one, 127..254 between calls
	// eof is set when a bit was decoded past the end of buf, as if the
	// partition were followed by zeros: the frame is truncated.
	eof bool
}

func (d *boolDecoder) init(buf []byte) {
	*d = boolDecoder{buf: buf, rng: 254, count: -8}
	d.refill()
}

// refill appends input to value; it is called when count < 0 (and count
// is at least -8).
func (d *boolDecoder) refill() {
	if d.pos+8 <= len(d.buf) {
		v := binary.BigEndian.Uint64(d.buf[d.pos:]) >> 8
		d.pos += 7
		d.value |= v << uint(-d.count&63)
		d.count += 56
		return
	}
	if d.pos < len(d.buf) {
		d.value |= uint64(d.buf[d.pos]) << uint((48-d.count)&63)
		d.pos++
		d.count += 8
		return
	}
	d.count += 8
	d.eof = true
}

// readBit decodes one bit whose probability of being 0 is prob/256.
func (d *boolDecoder) readBit(prob uint8) bool {
	if d.count < 0 {
		d.refill()
	}
	bit, value, count, rng := decodeBit(d.value, d.count, d.rng, prob)
	d.value, d.count, d.rng = value, count, rng
	return bit
}

// renorm[r] is, for a range r of 1 to 255, how far it must be shifted
// left to be at least 128 (the low 3 bits), and that shifted range minus
// one (the bits from 8 on): the two parts of renormalising after a bit,
// looked up at once.
var renorm = func() (t [256]uint32) {
	for r := 1; r < 256; r++ {
		shift := 8 - bits.Len8(uint8(r))
		t[r] = uint32(shift) | uint32(r<<shift-1)<<8
	}
	return t
}()

// readLiteral reads an n-bit unsigned number, most significant bit first,
// each bit at even odds.
func (d *boolDecoder) readLiteral(n int) int {
	v := 0
	for range n {
		v <<= 1
		if d.readBit(128) {
			v |= 1
		}
	}
	return v
}

// readSigned reads an n-bit magnitude and then its sign.
func (d *boolDecoder) readSigned(n int) int {
	v := d.readLiteral(n)
	if d.readBit(128) {
		return -v
	}
	return v
}

// readOptionalSigned reads a flag and, if it is set, an n-bit signed
// number; it returns 0 when the flag is clear.
func (d *boolDecoder) readOptionalSigned(n int) int {
	if !d.readBit(128) {
		return 0
	}
	return d.readSigned(n)
}

// decodeBit is readBit on a decoder state held in local variables, for
// loops that read many bits: value, count and rng are a boolDecoder's,
// count must be at least 0, and the new state is returned.
//
// Hot loops take the two steps themselves, branching once on the bit:
// split gives the split and the value a set bit starts at, and either
// renormalize(value, count, split+1) for a clear bit or
// renormalize(value-big, count, rng-split) for a set one.
func decodeBit(value uint64, count int, rng uint32, prob uint8) (bool, uint64, int, uint32) {
	s := rng * uint32(prob) >> 8
	big := uint64(s+1) << 56
	bit := value >= big
	if bit {
		value -= big
		rng -= s
	} else {
		rng = s + 1
	}
	t := renorm[uint8(rng)]
	return bit, value << (t & 7), count - int(t&7), t >> 8
}

// split returns, for the range minus one rng, the split minus one,
// rng·prob/256, and the smallest value whose bit is set: the split in
// the top byte.
func split(rng uint32, prob uint8) (uint32, uint64) {
	s := rng * uint32(prob) >> 8
	return s, uint64(s+1) << 56
}

// renormalize shifts value left until the new range r (1 to 255) is at
// least 128, counting the bits it consumed, and returns the new state
// with the range minus one.
func renormalize(value uint64, count int, r uint32) (uint64, int, uint32) {
	t := renorm[uint8(r)]
	shift := t & 7
	return value << shift, count - int(shift), t >> 8
}

// decodeSign is decodeBit at even odds (prob 128), as the sign of every
// coefficient is read, without a branch: it returns -1 for a set bit and
// 0 for a clear one, so that (v^sign)-sign gives v that sign.
func decodeSign(value uint64, count int, rng uint32) (int32, uint64, int, uint32) {
	s := rng >> 1
	m := uint32(int32(s-uint32(value>>56)) >> 31)
	value -= uint64(m&(s+1)) << 56
	// The new range is rng−s when the bit is set, s+1 otherwise.
	t := renorm[uint8(s+1+m&(rng-s-s-1))]
	return int32(m), value << (t & 7), count - int(t&7), t >> 8
}

// more refills a decoder state held in local variables.
func (d *boolDecoder) more(value uint64, count int) (uint64, int) {
	d.value, d.count = value, count
	d.refill()
	return d.value, d.count
}
