package jpeg

import "encoding/binary"

// lutBits is the number of bits the Huffman look-up tables resolve at once.
const lutBits = 11

// huffTable is a Huffman decoding table (T.81 section C and F.2.2.3).
type huffTable struct {
	// lut maps the next lutBits bits to code length<<8 | symbol, or to 0
	// when the code is longer than lutBits.
	lut [1 << lutBits]uint16
	// ac maps the next lutBits bits to a whole coefficient when the code and
	// its value bits fit: value<<16 | run<<9 | codeLen<<5 | totalLen, the
	// run being 64 for symbol 0 (EOB for AC, a zero difference for DC). It
	// is 0 otherwise, and for other symbols without value bits.
	ac [1 << lutBits]int32
	// maxCode[l] is the largest code of length l, or -1 if there is none;
	// valOff[l] + code is that code's index into vals.
	maxCode [17]int32
	valOff  [17]int32
	vals    [256]byte
	defined bool
}

// build fills h from the BITS and HUFFVAL lists of a DHT segment. It reports
// false if the lengths describe more codes than fit (an invalid table that
// decoders disagree about).
func (h *huffTable) build(counts *[16]byte, vals []byte) bool {
	*h = huffTable{defined: true}
	copy(h.vals[:], vals)
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		h.maxCode[l] = -1
		if n > 0 {
			h.valOff[l] = k - code
			for i := int32(0); i < n; i++ {
				if code >= 1<<l {
					return false
				}
				if l <= lutBits {
					h.fill(code, l, vals[k])
				}
				code++
				k++
			}
			h.maxCode[l] = code - 1
		}
		code <<= 1
	}
	return true
}

// fill sets the look-up entries for symbol sym with the given code.
func (h *huffTable) fill(code int32, l int, sym byte) {
	shift := lutBits - l
	base := int(code) << shift
	run, size := int(sym>>4), int(sym&15)
	for i := 0; i < 1<<shift; i++ {
		h.lut[base+i] = uint16(l)<<8 | uint16(sym)
		if sym == 0 {
			h.ac[base+i] = 64<<9 | int32(l)<<5 | int32(l)
			continue
		}
		if size == 0 || l+size > lutBits {
			continue
		}
		v := int32(i>>(shift-size)) & (1<<size - 1)
		if v < 1<<(size-1) {
			v -= 1<<size - 1
		}
		h.ac[base+i] = v<<16 | int32(run)<<9 | int32(l)<<5 | int32(l+size)
	}
}

// fill tops up the bit buffer to at least 57 bits. Past the end of the
// entropy-coded segment (a marker or the end of data) it appends zero bits
// and counts them in d.pad, so that over-reading is detected by d.short.
func (d *decoder) fill() {
	data, pos, acc, n := d.data, d.pos, d.acc, d.nbit
	// Fast path: eight bytes without 0xFF can be loaded at once.
	if pos+8 <= len(data) {
		w := binary.BigEndian.Uint64(data[pos:])
		x := ^w
		if (x-0x0101010101010101)&^x&0x8080808080808080 == 0 {
			k := (64 - n) >> 3
			w &^= 1<<(64-8*k) - 1
			d.acc = acc | w>>n
			d.nbit = n + 8*k
			d.pos = pos + int(k)
			return
		}
	}
	for n <= 56 {
		var c byte
		if pos < len(data) {
			c = data[pos]
			if c != 0xFF {
				pos++
			} else if pos+1 < len(data) && data[pos+1] == 0 {
				pos += 2
			} else {
				c = 0
				d.pad += 8
			}
		} else {
			d.pad += 8
		}
		acc |= uint64(c) << (56 - n)
		n += 8
	}
	d.pos, d.acc, d.nbit = pos, acc, n
}

// refill is fill for callers that keep the bit buffer in locals.
func (d *decoder) refill(acc uint64, n uint) (uint64, uint) {
	d.acc, d.nbit = acc, n
	d.fill()
	return d.acc, d.nbit
}

// extend turns the n-bit value v into the signed value it codes (T.81
// F.2.2.1, EXTEND).
func extend(v int32, n uint) int32 {
	if v < 1<<n>>1 {
		v -= 1<<n - 1
	}
	return v
}

// short reports whether decoding has consumed bits beyond the end of the
// entropy-coded segment.
func (d *decoder) short() bool { return d.nbit < d.pad }

// resetBits discards the bit buffer, at the start of a scan or restart interval.
func (d *decoder) resetBits() { d.acc, d.nbit, d.pad = 0, 0, 0 }

// decodeSym decodes one Huffman-coded symbol.
func (d *decoder) decodeSym(h *huffTable) (byte, error) {
	if d.nbit < 32 {
		d.fill()
	}
	if e := h.lut[d.acc>>(64-lutBits)]; e != 0 {
		l := uint(e >> 8)
		d.acc <<= l
		d.nbit -= l
		return byte(e), nil
	}
	return d.decodeSlow(h)
}

// decodeSlow decodes a symbol whose code is longer than lutBits bits.
// The caller has made sure at least 32 bits are buffered.
func (d *decoder) decodeSlow(h *huffTable) (byte, error) {
	if !h.defined {
		return 0, formatError("uninitialized Huffman table")
	}
	for l := uint(lutBits + 1); l <= 16; l++ {
		code := int32(d.acc >> (64 - l))
		if code <= h.maxCode[l] {
			d.acc <<= l
			d.nbit -= l
			return h.vals[byte(code+h.valOff[l])], nil
		}
	}
	return 0, errBadCode
}

// bits returns the next n bits, n <= 16.
func (d *decoder) bits(n uint) int32 {
	if d.nbit < 16 {
		d.fill()
	}
	v := int32(d.acc >> 1 >> (63 - n))
	d.acc <<= n
	d.nbit -= n
	return v
}

// receiveExtend reads an n-bit magnitude category value (T.81 F.2.2.1).
func (d *decoder) receiveExtend(n uint) int32 {
	return extend(d.bits(n), n)
}
