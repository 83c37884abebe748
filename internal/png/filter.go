package png

import "encoding/binary"

// The PNG row filter types.
const (
	filterNone = iota
	filterSub
	filterUp
	filterAverage
	filterPaeth
)

// unfilter undoes filter on the row cur, given the previous row prev
// (all zero for the first row) and bpp, the bytes per complete pixel
// (at least 1). It reports false for an unknown filter type.
func unfilter(filter byte, cur, prev []byte, bpp int) bool {
	prev = prev[:len(cur)]
	switch filter {
	case filterNone:
	case filterSub:
		unsub(cur, bpp)
	case filterUp:
		unup(cur, prev)
	case filterAverage:
		for i := range min(bpp, len(cur)) {
			cur[i] += prev[i] / 2
		}
		for i := bpp; i < len(cur); i++ {
			cur[i] += uint8((int(cur[i-bpp]) + int(prev[i])) / 2)
		}
	case filterPaeth:
		unpaeth(cur, prev, bpp)
	default:
		return false
	}
	return true
}

// unpaeth undoes the Paeth filter. For 3 and 4 bytes per pixel it works
// a pixel at a time, so that the lanes' chains of dependent bytes run
// side by side; otherwise one byte lane at a time. The predictor is
// chosen without branches, which photographs would mispredict.
func unpaeth(cur, prev []byte, bpp int) {
	switch bpp {
	case 3:
		var a0, a1, a2, c0, c1, c2 int // left and upper-left, zero at the start of the row
		for i := 0; i+2 < len(cur); i += 3 {
			p, q := cur[i:i+3:i+3], prev[i:i+3:i+3]
			b0, b1, b2 := int(q[0]), int(q[1]), int(q[2])
			{ // lane 0: paeth written out, since it does not inline
				da, db := b0-c0, a0-c0
				pa, pb, pc := da^da>>63-da>>63, db^db>>63-db>>63, (da+db)^(da+db)>>63-(da+db)>>63
				m := (pb - pa) >> 63
				pred := a0 ^ (a0^b0)&m
				pa ^= (pa ^ pb) & m
				pred ^= (pred ^ c0) & ((pc - pa) >> 63)
				a0 = int(p[0] + uint8(pred))
			}
			{ // lane 1: paeth written out, since it does not inline
				da, db := b1-c1, a1-c1
				pa, pb, pc := da^da>>63-da>>63, db^db>>63-db>>63, (da+db)^(da+db)>>63-(da+db)>>63
				m := (pb - pa) >> 63
				pred := a1 ^ (a1^b1)&m
				pa ^= (pa ^ pb) & m
				pred ^= (pred ^ c1) & ((pc - pa) >> 63)
				a1 = int(p[1] + uint8(pred))
			}
			{ // lane 2: paeth written out, since it does not inline
				da, db := b2-c2, a2-c2
				pa, pb, pc := da^da>>63-da>>63, db^db>>63-db>>63, (da+db)^(da+db)>>63-(da+db)>>63
				m := (pb - pa) >> 63
				pred := a2 ^ (a2^b2)&m
				pa ^= (pa ^ pb) & m
				pred ^= (pred ^ c2) & ((pc - pa) >> 63)
				a2 = int(p[2] + uint8(pred))
			}
			p[0], p[1], p[2] = uint8(a0), uint8(a1), uint8(a2)
			c0, c1, c2 = b0, b1, b2
		}
	case 4:
		var a0, a1, a2, a3, c0, c1, c2, c3 int
		for i := 0; i+3 < len(cur); i += 4 {
			p, q := cur[i:i+4:i+4], prev[i:i+4:i+4]
			b0, b1, b2, b3 := int(q[0]), int(q[1]), int(q[2]), int(q[3])
			{ // lane 0: paeth written out, since it does not inline
				da, db := b0-c0, a0-c0
				pa, pb, pc := da^da>>63-da>>63, db^db>>63-db>>63, (da+db)^(da+db)>>63-(da+db)>>63
				m := (pb - pa) >> 63
				pred := a0 ^ (a0^b0)&m
				pa ^= (pa ^ pb) & m
				pred ^= (pred ^ c0) & ((pc - pa) >> 63)
				a0 = int(p[0] + uint8(pred))
			}
			{ // lane 1: paeth written out, since it does not inline
				da, db := b1-c1, a1-c1
				pa, pb, pc := da^da>>63-da>>63, db^db>>63-db>>63, (da+db)^(da+db)>>63-(da+db)>>63
				m := (pb - pa) >> 63
				pred := a1 ^ (a1^b1)&m
				pa ^= (pa ^ pb) & m
				pred ^= (pred ^ c1) & ((pc - pa) >> 63)
				a1 = int(p[1] + uint8(pred))
			}
			{ // lane 2: paeth written out, since it does not inline
				da, db := b2-c2, a2-c2
				pa, pb, pc := da^da>>63-da>>63, db^db>>63-db>>63, (da+db)^(da+db)>>63-(da+db)>>63
				m := (pb - pa) >> 63
				pred := a2 ^ (a2^b2)&m
				pa ^= (pa ^ pb) & m
				pred ^= (pred ^ c2) & ((pc - pa) >> 63)
				a2 = int(p[2] + uint8(pred))
			}
			{ // lane 3: paeth written out, since it does not inline
				da, db := b3-c3, a3-c3
				pa, pb, pc := da^da>>63-da>>63, db^db>>63-db>>63, (da+db)^(da+db)>>63-(da+db)>>63
				m := (pb - pa) >> 63
				pred := a3 ^ (a3^b3)&m
				pa ^= (pa ^ pb) & m
				pred ^= (pred ^ c3) & ((pc - pa) >> 63)
				a3 = int(p[3] + uint8(pred))
			}
			p[0], p[1], p[2], p[3] = uint8(a0), uint8(a1), uint8(a2), uint8(a3)
			c0, c1, c2, c3 = b0, b1, b2, b3
		}
	default:
		for lane := range min(bpp, len(cur)) {
			var a, c int
			for i := lane; i < len(cur); i += bpp {
				b := int(prev[i])
				a = int(cur[i] + uint8(paeth(a, b, c)))
				cur[i] = uint8(a)
				c = b
			}
		}
	}
}

// paeth returns the Paeth predictor of a byte from its left (a), upper
// (b) and upper-left (c) neighbours: whichever is nearest a + b - c,
// preferring a, then b. It selects with masks rather than branches, and
// is small enough to inline.
func paeth(a, b, c int) int {
	da, db := b-c, a-c // p - a and p - b, where p = a + b - c
	pa, pb, pc := da^da>>63-da>>63, db^db>>63-db>>63, (da+db)^(da+db)>>63-(da+db)>>63
	m := (pb - pa) >> 63 // all ones when b is nearer than a
	a ^= (a ^ b) & m
	pa ^= (pa ^ pb) & m
	return a ^ (a^c)&((pc-pa)>>63)
}

func abs(x int) int {
	m := x >> (64 - 1)
	return (x ^ m) - m
}

// unsub undoes the Sub filter, the left pixel kept in registers for the
// common pixel sizes.
func unsub(cur []byte, bpp int) {
	switch bpp {
	case 3:
		if len(cur) < 3 {
			return
		}
		a, b, c := cur[0], cur[1], cur[2]
		for i := 3; i+2 < len(cur); i += 3 {
			px := cur[i : i+3 : i+3]
			a += px[0]
			b += px[1]
			c += px[2]
			px[0], px[1], px[2] = a, b, c
		}
	case 4:
		if len(cur) < 4 {
			return
		}
		a, b, c, d := cur[0], cur[1], cur[2], cur[3]
		for i := 4; i+3 < len(cur); i += 4 {
			px := cur[i : i+4 : i+4]
			a += px[0]
			b += px[1]
			c += px[2]
			d += px[3]
			px[0], px[1], px[2], px[3] = a, b, c, d
		}
	default:
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	}
}

// unup undoes the Up filter eight bytes at a time: each byte is added to
// the one above it without a carry into the next byte.
func unup(cur, prev []byte) {
	const high = 0x8080808080808080
	i := 0
	for ; i+8 <= len(cur); i += 8 {
		x := binary.LittleEndian.Uint64(cur[i:])
		y := binary.LittleEndian.Uint64(prev[i:])
		sum := (x&^high + y&^high) ^ (x^y)&high
		binary.LittleEndian.PutUint64(cur[i:], sum)
	}
	for ; i < len(cur); i++ {
		cur[i] += prev[i]
	}
}
