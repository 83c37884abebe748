package vp8

// Extra-bits probabilities of the token categories 3 to 6, RFC 6386
// section 13.2; categories 1 and 2 are read inline.
var (
	cat3Probs = [...]uint8{173, 148, 140}
	cat4Probs = [...]uint8{176, 155, 140, 135}
	cat5Probs = [...]uint8{180, 157, 141, 134, 130}
	cat6Probs = [...]uint8{254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129}
)

// positionProbs are the token probabilities of one plane type by
// coefficient position (RFC 6386 section 13.3 gives them by band), and
// for a 17th position past the last, whose probabilities are never read.
type positionProbs [17][numContexts][numTokenProbs]uint8

// readCoeffs decodes the tokens of one 4x4 block, from position first,
// with the probabilities of its plane type and the context ctx (how many
// of the blocks above and to the left had coefficients), and stores the
// dequantised coefficients in block (which must be zero on entry) in
// natural order. It returns the position after the last token before
// the end of block: more than first if any token other than an
// immediate end of block was read.
//
// The common tokens are decoded with the decoder's state in local
// variables; the rarer values from 5 on go through readLargeToken.
func readCoeffs(r *boolDecoder, probs *positionProbs, ctx int, q *[2]int32, first int, block *[16]int16) int {
	value, count, rng := r.value, r.count, r.rng
	n := first
	p := &probs[n&15][ctx]
	for n < 16 {
		if count < 0 {
			value, count = r.more(value, count)
		}
		s, big := split(rng, p[0])
		if value < big {
			value, count, rng = renormalize(value, count, s+1)
			break // end of block
		}
		value, count, rng = renormalize(value-big, count, rng-s)
		for {
			if count < 0 {
				value, count = r.more(value, count)
			}
			s, big := split(rng, p[1])
			if value >= big {
				value, count, rng = renormalize(value-big, count, rng-s)
				break
			}
			value, count, rng = renormalize(value, count, s+1)
			n++ // a zero
			if n == 16 {
				r.value, r.count, r.rng = value, count, rng
				return 16
			}
			p = &probs[n&15][0]
		}
		if count < 0 {
			value, count = r.more(value, count)
		}
		var v int32
		next := 2
		if s, big := split(rng, p[2]); value < big {
			value, count, rng = renormalize(value, count, s+1)
			v = 1
			next = 1
		} else {
			value, count, rng = renormalize(value-big, count, rng-s)
			if count < 0 {
				value, count = r.more(value, count)
			}
			if s, big := split(rng, p[3]); value < big {
				// 2, 3 or 4, the most common of the larger values.
				value, count, rng = renormalize(value, count, s+1)
				if count < 0 {
					value, count = r.more(value, count)
				}
				v = 2
				var bit bool
				if bit, value, count, rng = decodeBit(value, count, rng, p[4]); bit {
					if count < 0 {
						value, count = r.more(value, count)
					}
					bit, value, count, rng = decodeBit(value, count, rng, p[5])
					v = 3 + int32(b2i(bit))
				}
			} else {
				value, count, rng = renormalize(value-big, count, rng-s)
				v, value, count, rng = readLargeToken(r, p, value, count, rng)
			}
		}
		if count < 0 {
			value, count = r.more(value, count)
		}
		var sign int32
		sign, value, count, rng = decodeSign(value, count, rng)
		v = v ^ sign - sign
		block[zigzag[n&15]&15] = int16(v * q[b2i(n > 0)])
		n++
		p = &probs[n][next]
	}
	r.value, r.count, r.rng = value, count, rng
	return n
}

// readLargeToken reads the rest of a token whose value is at least 5,
// the bits of p[2] and p[3] read, with the decoder's state in local
// variables, as readCoeffs holds it.
func readLargeToken(r *boolDecoder, p *[numTokenProbs]uint8, value uint64, count int, rng uint32) (int32, uint64, int, uint32) {
	var bit bool
	next := func(prob uint8) bool {
		if count < 0 {
			value, count = r.more(value, count)
		}
		bit, value, count, rng = decodeBit(value, count, rng, prob)
		return bit
	}
	var v int32
	if !next(p[6]) {
		if !next(p[7]) {
			return 5 + int32(b2i(next(159))), value, count, rng
		}
		v = 7 + 2*int32(b2i(next(165)))
		return v + int32(b2i(next(145))), value, count, rng
	}
	var extra []uint8
	var base int32
	if !next(p[8]) {
		if !next(p[9]) {
			extra, base = cat3Probs[:], 11
		} else {
			extra, base = cat4Probs[:], 19
		}
	} else if !next(p[10]) {
		extra, base = cat5Probs[:], 35
	} else {
		extra, base = cat6Probs[:], 67
	}
	for _, prob := range extra {
		v = v<<1 | int32(b2i(next(prob)))
	}
	return base + v, value, count, rng
}

// parseResiduals reads the coefficients of the current macroblock from
// the token partition r into d.coeffs, dequantised, sets d.codedBlocks
// and d.acBlocks, and updates the non-zero contexts. The blocks must be
// zero: reconstruct clears those it used.
func (d *decoder) parseResiduals(r *boolDecoder, mbx int) {
	q := &d.quant[d.mb.segment]
	top, left := d.topNZ[mbx], d.leftNZ
	first := 0
	yProbs := &d.posProbs[typeYWithDC]
	var coded, acBlocks uint32
	if !d.mb.is4x4 {
		y2 := (*[16]int16)(d.coeffs[384:400])
		ctx := int(top>>8&1 + left>>8&1)
		n := readCoeffs(r, &d.posProbs[typeY2], ctx, &q.y2, 0, y2)
		nz := uint16(b2i(n > 0))
		top = top&^0x100 | nz<<8
		left = left&^0x100 | nz<<8
		if n > 0 {
			inverseWHT(y2, &d.coeffs)
			*y2 = [16]int16{}
		}
		first = 1
		yProbs = &d.posProbs[typeYAfterY2]
	}
	// The blocks in one loop each: a context bit for each column (top)
	// and row (left) of blocks, set when the last block there had a
	// coefficient.
	for i := range 16 {
		tb, lb := uint16(1)<<(i&3), uint16(1)<<(i>>2)
		ctx := b2i(top&tb != 0) + b2i(left&lb != 0)
		block := (*[16]int16)(d.coeffs[16*i : 16*i+16])
		n := readCoeffs(r, yProbs, ctx, &q.y1, first, block)
		acBlocks |= uint32(b2i(n > 1)) << i
		coded |= uint32(b2i(n > first || block[0] != 0)) << i
		nz := -uint16(b2i(n > first)) // all ones when the block had a coefficient
		top, left = top&^tb|tb&nz, left&^lb|lb&nz
	}
	for i := range 8 {
		// Cb then Cr, each 2x2 blocks, their columns and rows from bit 4.
		c := i >> 2
		tb, lb := uint16(1)<<(4+2*c+i&1), uint16(1)<<(4+2*c+i>>1&1)
		ctx := b2i(top&tb != 0) + b2i(left&lb != 0)
		block := (*[16]int16)(d.coeffs[256+16*i : 256+16*i+16])
		n := readCoeffs(r, &d.posProbs[typeChroma], ctx, &q.uv, 0, block)
		acBlocks |= uint32(b2i(n > 1)) << (16 + i)
		coded |= uint32(b2i(n > 0)) << (16 + i)
		nz := -uint16(b2i(n > 0)) // all ones when the block had a coefficient
		top, left = top&^tb|tb&nz, left&^lb|lb&nz
	}
	d.topNZ[mbx], d.leftNZ = top, left
	d.codedBlocks, d.acBlocks = coded, acBlocks
}
