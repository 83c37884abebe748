package vp8

import "encoding/binary"

// Intra prediction, RFC 6386 section 12. Each function fills a block of
// ws at offset off from the pixels above it (off-wsStride) and to its left
// (off-1), which the caller has put in place.

func avg2(a, b byte) byte    { return byte((uint16(a) + uint16(b) + 1) >> 1) }
func avg3(a, b, c byte) byte { return byte((uint16(a) + 2*uint16(b) + uint16(c) + 2) >> 2) }

// predictBlock fills the size×size block (16 luma, 8 chroma) with mode,
// one of modeDC4, modeTM4, modeVE4 and modeHE4; hasTop and hasLeft say
// whether the neighbours lie inside the frame, which only DC looks at.
func predictBlock(ws *[wsSize]byte, off, size int, mode uint8, hasTop, hasLeft bool) {
	switch mode {
	case modeDC4:
		shift := 3
		if size == 16 {
			shift = 4
		}
		sum := 0
		var dc byte
		switch {
		case hasTop && hasLeft:
			for i := range size {
				sum += int(ws[off-wsStride+i]) + int(ws[off-1+i*wsStride])
			}
			dc = byte((sum + size) >> (shift + 1))
		case hasTop:
			for i := range size {
				sum += int(ws[off-wsStride+i])
			}
			dc = byte((sum + size/2) >> shift)
		case hasLeft:
			for i := range size {
				sum += int(ws[off-1+i*wsStride])
			}
			dc = byte((sum + size/2) >> shift)
		default:
			dc = 128
		}
		fillRows(ws, off, size, func(int) byte { return dc })
	case modeVE4:
		top0 := binary.LittleEndian.Uint64(ws[off-wsStride:])
		top1 := binary.LittleEndian.Uint64(ws[off-wsStride+8:])
		for y := range size {
			o := off + y*wsStride
			binary.LittleEndian.PutUint64(ws[o:], top0)
			if size == 16 {
				binary.LittleEndian.PutUint64(ws[o+8:], top1)
			}
		}
	case modeHE4:
		fillRows(ws, off, size, func(y int) byte { return ws[off+y*wsStride-1] })
	case modeTM4:
		predictTM(ws, off, size)
	}
}

// fillRows sets each row y of the size×size block at off (size 8 or 16)
// to the value v(y).
func fillRows(ws *[wsSize]byte, off, size int, v func(y int) byte) {
	for y := range size {
		o := off + y*wsStride
		w := uint64(v(y)) * 0x0101010101010101
		binary.LittleEndian.PutUint64(ws[o:], w)
		if size == 16 {
			binary.LittleEndian.PutUint64(ws[o+8:], w)
		}
	}
}

// predictTM fills a size×size block (4, 8 or 16) with left + above −
// above-left, clamped, 8 pixels a word (the 4 of a 4x4 row in the low
// half of one).
func predictTM(ws *[wsSize]byte, off, size int) {
	top0 := binary.LittleEndian.Uint64(ws[off-wsStride:])
	top1 := binary.LittleEndian.Uint64(ws[off-wsStride+8:])
	corner := int32(ws[off-wsStride-1])
	for y := range size {
		o := off + y*wsStride
		d := int32(ws[o-1]) - corner
		switch size {
		case 4:
			binary.LittleEndian.PutUint32(ws[o:], uint32(addClamped(top0, d)))
		case 16:
			binary.LittleEndian.PutUint64(ws[o+8:], addClamped(top1, d))
			fallthrough
		default:
			binary.LittleEndian.PutUint64(ws[o:], addClamped(top0, d))
		}
	}
}

// addClamped adds d, from -255 to 255, to each of the 8 pixels of the
// word x, clamping each sum to 0..255.
//
// The low 7 bits of each byte are added apart, so that no carry crosses
// into the next byte; the top bits then give each byte's sum and whether
// it overflowed, and an overflowed byte is set to 255. For a negative d,
// x−|d| clamped at 0 is 255 − ((255−x)+|d| clamped at 255): the
// complements are taken, without a branch, by xor with neg.
func addClamped(x uint64, d int32) uint64 {
	const high = 0x8080808080808080
	neg := uint64(int64(d) >> 63)
	x ^= neg
	c := uint64(d^int32(neg)-int32(neg)) * 0x0101010101010101
	low := x&^high + c&^high
	sum := low ^ (x^c)&high
	over := (x&c | (x|c)&low) & high
	return (sum | (over>>7)*0xff) ^ neg
}

// predictSubblock fills the 4x4 block at off with one of the ten 4x4
// modes. Above are the 4 pixels over the block and the 4 to their right;
// the edge array E of the RFC is L[3], L[2], L[1], L[0], P, A[0..7].
// Each row is made as a word, first pixel in the low byte.
func predictSubblock(ws *[wsSize]byte, off int, mode uint8) {
	a := (*[8]byte)(ws[off-wsStride : off-wsStride+8])
	p := ws[off-wsStride-1]
	l := [4]byte{ws[off-1], ws[off-1+wsStride], ws[off-1+2*wsStride], ws[off-1+3*wsStride]}
	switch mode {
	case modeDC4:
		sum := 4
		for i := range 4 {
			sum += int(a[i]) + int(l[i])
		}
		row := uint32(sum>>3) * 0x01010101
		putRows(ws, off, row, row, row, row)
	case modeTM4:
		predictTM(ws, off, 4)
	case modeVE4:
		row := pack4(avg3(p, a[0], a[1]), avg3(a[0], a[1], a[2]), avg3(a[1], a[2], a[3]), avg3(a[2], a[3], a[4]))
		putRows(ws, off, row, row, row, row)
	case modeHE4:
		putRows(ws, off,
			uint32(avg3(p, l[0], l[1]))*0x01010101,
			uint32(avg3(l[0], l[1], l[2]))*0x01010101,
			uint32(avg3(l[1], l[2], l[3]))*0x01010101,
			uint32(avg3(l[2], l[3], l[3]))*0x01010101)
	case modeLD4:
		// Row r is diagonal values r to r+3.
		var d uint64
		for i := range 6 {
			d |= uint64(avg3(a[i], a[i+1], a[i+2])) << (8 * i)
		}
		d |= uint64(avg3(a[6], a[7], a[7])) << 48
		putRows(ws, off, uint32(d), uint32(d>>8), uint32(d>>16), uint32(d>>24))
	case modeRD4:
		// Row r is diagonal values 3-r to 6-r.
		e := edges(&l, p, a)
		var d uint64
		for i := range 7 {
			d |= uint64(avg3(e[i], e[i+1], e[i+2])) << (8 * i)
		}
		putRows(ws, off, uint32(d>>24), uint32(d>>16), uint32(d>>8), uint32(d))
	case modeVR4:
		e := edges(&l, p, a)
		r0 := pack4(avg2(e[4], e[5]), avg2(e[5], e[6]), avg2(e[6], e[7]), avg2(e[7], e[8]))
		r1 := pack4(avg3(e[3], e[4], e[5]), avg3(e[4], e[5], e[6]), avg3(e[5], e[6], e[7]), avg3(e[6], e[7], e[8]))
		putRows(ws, off, r0, r1, r0<<8|uint32(avg3(e[2], e[3], e[4])), r1<<8|uint32(avg3(e[1], e[2], e[3])))
	case modeVL4:
		r0 := pack4(avg2(a[0], a[1]), avg2(a[1], a[2]), avg2(a[2], a[3]), avg2(a[3], a[4]))
		r1 := pack4(avg3(a[0], a[1], a[2]), avg3(a[1], a[2], a[3]), avg3(a[2], a[3], a[4]), avg3(a[3], a[4], a[5]))
		putRows(ws, off, r0, r1, r0>>8|uint32(avg3(a[4], a[5], a[6]))<<24, r1>>8|uint32(avg3(a[5], a[6], a[7]))<<24)
	case modeHD4:
		// Rows 3 to 1 are values 0-3, 2-5 and 4-7 of g; row 0 continues
		// the pattern with the values above.
		e := edges(&l, p, a)
		g := uint64(pack4(avg2(e[0], e[1]), avg3(e[0], e[1], e[2]), avg2(e[1], e[2]), avg3(e[1], e[2], e[3]))) |
			uint64(pack4(avg2(e[2], e[3]), avg3(e[2], e[3], e[4]), avg2(e[3], e[4]), avg3(e[3], e[4], e[5])))<<32
		r0 := uint32(g>>48) | uint32(avg3(e[4], e[5], e[6]))<<16 | uint32(avg3(e[5], e[6], e[7]))<<24
		putRows(ws, off, r0, uint32(g>>32), uint32(g>>16), uint32(g))
	case modeHU4:
		// Rows 0 to 2 are values 0-3, 2-5 and 4-7 of h; row 3 is L[3].
		l3 := uint32(l[3]) * 0x01010101
		h := uint64(pack4(avg2(l[0], l[1]), avg3(l[0], l[1], l[2]), avg2(l[1], l[2]), avg3(l[1], l[2], l[3]))) |
			uint64(uint32(avg2(l[2], l[3]))|uint32(avg3(l[2], l[3], l[3]))<<8|l3<<16)<<32
		putRows(ws, off, uint32(h), uint32(h>>16), uint32(h>>32), l3)
	}
}

// pack4 returns the word of the 4 pixels of a row, b0 first.
func pack4(b0, b1, b2, b3 byte) uint32 {
	return uint32(b0) | uint32(b1)<<8 | uint32(b2)<<16 | uint32(b3)<<24
}

// putRows stores the rows r0 to r3, made by pack4, as the 4x4 block at
// off.
func putRows(ws *[wsSize]byte, off int, r0, r1, r2, r3 uint32) {
	binary.LittleEndian.PutUint32(ws[off:], r0)
	binary.LittleEndian.PutUint32(ws[off+wsStride:], r1)
	binary.LittleEndian.PutUint32(ws[off+2*wsStride:], r2)
	binary.LittleEndian.PutUint32(ws[off+3*wsStride:], r3)
}

// edges returns the edge array E of RFC 6386 section 12.3.
func edges(l *[4]byte, p byte, a *[8]byte) [13]byte {
	return [13]byte{l[3], l[2], l[1], l[0], p, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]}
}
