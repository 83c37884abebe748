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
	rng   uint32 // the range, 128..255 between calls
	// eof is set when a bit was decoded past the end of buf, as if the
	// partition were followed by zeros: the frame is truncated.
	eof bool
}

func (d *boolDecoder) init(buf []byte) {
	*d = boolDecoder{buf: buf, rng: 255, count: -8}
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

// norm is how far a range must be shifted left to be at least 128.
var norm = func() (t [256]uint8) {
	for r := 1; r < 256; r++ {
		t[r] = uint8(8 - bits.Len8(uint8(r)))
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
func decodeBit(value uint64, count int, rng uint32, prob uint8) (bool, uint64, int, uint32) {
	split := 1 + (rng-1)*uint32(prob)>>8
	bigSplit := uint64(split) << 56
	bit := value >= bigSplit
	if bit {
		rng -= split
		value -= bigSplit
	} else {
		rng = split
	}
	shift := norm[rng&0xff] & 7
	return bit, value << shift, count - int(shift), rng << shift
}

// decodeSign is decodeBit at even odds (prob 128), as the sign of every
// coefficient is read: the split is then (rng+1)/2, and the new range is
// below 128, needing a shift by one, unless it is that split of 128.
func decodeSign(value uint64, count int, rng uint32) (bool, uint64, int, uint32) {
	split := (rng + 1) >> 1
	bigSplit := uint64(split) << 56
	bit := value >= bigSplit
	if bit {
		rng -= split
		value -= bigSplit
	} else {
		rng = split
	}
	shift := (rng>>7 ^ 1) & 1
	return bit, value << shift, count - int(shift), rng << shift
}

// more refills a decoder state held in local variables.
func (d *boolDecoder) more(value uint64, count int) (uint64, int) {
	d.value, d.count = value, count
	d.refill()
	return d.value, d.count
}
