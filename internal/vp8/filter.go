package vp8

// The loop filter, RFC 6386 section 15. Each function filters n pixels
// across one edge of pix: the pixel at off is the first beyond the edge
// (q0), step goes across the edge and next along it.

// abs returns |v|, without a branch.
func abs(v int32) int32 {
	m := v >> 31
	return v ^ m - m
}

// clampS8 clamps v, from -1024 to 1023, to a signed byte.
func clampS8(v int32) int32 { return int32(s8Clamps[(v+1024)&2047]) }

// u8 moves a pixel from the signed range the filters use, -1152 to 895,
// back to a byte, clamping it.
func u8(v int32) byte { return clampByte(v + 128) }

// s8Clamps[v+1024] is clampS8(v): one look-up instead of two comparisons.
var s8Clamps = func() (t [2048]int8) {
	for i := range t {
		t[i] = int8(min(max(i-1024, -128), 127))
	}
	return t
}()

// simpleEdge applies the simple filter to 16 pixels along an edge.
func simpleEdge(pix []byte, off, step, next int, limit int32) {
	for range 16 {
		p1, p0, q0, q1 := int32(pix[off-2*step]), int32(pix[off-step]), int32(pix[off]), int32(pix[off+step])
		if 2*abs(p0-q0)+abs(p1-q1)>>1 <= limit {
			a := clampS8(clampS8(p1-q1) + 3*(q0-p0))
			f1 := clampS8(a+4) >> 3
			f2 := clampS8(a+3) >> 3
			pix[off-step] = u8(p0 - 128 + f2)
			pix[off] = u8(q0 - 128 - f1)
		}
		off += next
	}
}

// normalEdgeV applies the normal filter to a vertical edge (between
// columns) of n rows, the first pixel right of it at off: the
// macroblock-edge variant when mbEdge is set, the inner-edge one
// otherwise.
func normalEdgeV(pix []byte, off, stride, n int, limit, interior, hevThresh int32, mbEdge bool) {
	for range n {
		row := pix[off-4 : off+4]
		p3, p2, p1, p0 := int32(row[0]), int32(row[1]), int32(row[2]), int32(row[3])
		q0, q1, q2, q3 := int32(row[4]), int32(row[5]), int32(row[6]), int32(row[7])
		if 2*abs(p0-q0)+abs(p1-q1)>>1 > limit ||
			abs(p3-p2) > interior || abs(p2-p1) > interior || abs(p1-p0) > interior ||
			abs(q1-q0) > interior || abs(q2-q1) > interior || abs(q3-q2) > interior {
			off += stride
			continue
		}
		sp1, sp0, sq0, sq1 := p1-128, p0-128, q0-128, q1-128
		switch {
		case abs(p1-p0) > hevThresh || abs(q1-q0) > hevThresh:
			a := clampS8(clampS8(sp1-sq1) + 3*(sq0-sp0))
			row[3] = u8(sp0 + clampS8(a+3)>>3)
			row[4] = u8(sq0 - clampS8(a+4)>>3)
		case mbEdge:
			w := clampS8(clampS8(sp1-sq1) + 3*(sq0-sp0))
			a := clampS8((27*w + 63) >> 7)
			row[3] = u8(sp0 + a)
			row[4] = u8(sq0 - a)
			a = clampS8((18*w + 63) >> 7)
			row[2] = u8(sp1 + a)
			row[5] = u8(sq1 - a)
			a = clampS8((9*w + 63) >> 7)
			row[1] = u8(p2 - 128 + a)
			row[6] = u8(q2 - 128 - a)
		default:
			a := clampS8(3 * (sq0 - sp0))
			f1 := clampS8(a+4) >> 3
			row[3] = u8(sp0 + clampS8(a+3)>>3)
			row[4] = u8(sq0 - f1)
			a = (f1 + 1) >> 1
			row[2] = u8(sp1 + a)
			row[5] = u8(sq1 - a)
		}
		off += stride
	}
}

// normalEdgeH is normalEdgeV for a horizontal edge (between rows) of n
// columns, the first pixel below it at off.
func normalEdgeH(pix []byte, off, stride, n int, limit, interior, hevThresh int32, mbEdge bool) {
	r0 := pix[off-4*stride : off-4*stride+n]
	r1 := pix[off-3*stride:][:len(r0)]
	r2 := pix[off-2*stride:][:len(r0)]
	r3 := pix[off-stride:][:len(r0)]
	r4 := pix[off:][:len(r0)]
	r5 := pix[off+stride:][:len(r0)]
	r6 := pix[off+2*stride:][:len(r0)]
	r7 := pix[off+3*stride:][:len(r0)]
	for x := range r0 {
		p3, p2, p1, p0 := int32(r0[x]), int32(r1[x]), int32(r2[x]), int32(r3[x])
		q0, q1, q2, q3 := int32(r4[x]), int32(r5[x]), int32(r6[x]), int32(r7[x])
		if 2*abs(p0-q0)+abs(p1-q1)>>1 > limit ||
			abs(p3-p2) > interior || abs(p2-p1) > interior || abs(p1-p0) > interior ||
			abs(q1-q0) > interior || abs(q2-q1) > interior || abs(q3-q2) > interior {
			continue
		}
		sp1, sp0, sq0, sq1 := p1-128, p0-128, q0-128, q1-128
		switch {
		case abs(p1-p0) > hevThresh || abs(q1-q0) > hevThresh:
			a := clampS8(clampS8(sp1-sq1) + 3*(sq0-sp0))
			r3[x] = u8(sp0 + clampS8(a+3)>>3)
			r4[x] = u8(sq0 - clampS8(a+4)>>3)
		case mbEdge:
			w := clampS8(clampS8(sp1-sq1) + 3*(sq0-sp0))
			a := clampS8((27*w + 63) >> 7)
			r3[x] = u8(sp0 + a)
			r4[x] = u8(sq0 - a)
			a = clampS8((18*w + 63) >> 7)
			r2[x] = u8(sp1 + a)
			r5[x] = u8(sq1 - a)
			a = clampS8((9*w + 63) >> 7)
			r1[x] = u8(p2 - 128 + a)
			r6[x] = u8(q2 - 128 - a)
		default:
			a := clampS8(3 * (sq0 - sp0))
			f1 := clampS8(a+4) >> 3
			r3[x] = u8(sp0 + clampS8(a+3)>>3)
			r4[x] = u8(sq0 - f1)
			a = (f1 + 1) >> 1
			r2[x] = u8(sp1 + a)
			r5[x] = u8(sq1 - a)
		}
	}
}

// filterRow applies the loop filter to macroblock row mby, the current
// row, in raster order, which changes up to 3 pixel rows of the previous
// one.
func (d *decoder) filterRow(mby int) {
	ys, cs := d.yStride, d.cStride
	Y, Cb, Cr := d.y, d.cb, d.cr
	for mbx, st := range d.rowFilters {
		if st == nil {
			continue
		}
		inner := d.rowInner[mbx]
		limit, interior, hev := int32(st.limit), int32(st.interior), int32(st.hevThresh)
		yo := 16*ys + 16*mbx
		if d.filter.simple {
			if mbx > 0 {
				simpleEdge(Y, yo, 1, ys, limit+4)
			}
			if inner {
				for x := 4; x < 16; x += 4 {
					simpleEdge(Y, yo+x, 1, ys, limit)
				}
			}
			if mby > 0 {
				simpleEdge(Y, yo, ys, 1, limit+4)
			}
			if inner {
				for y := 4; y < 16; y += 4 {
					simpleEdge(Y, yo+y*ys, ys, 1, limit)
				}
			}
			continue
		}
		co := 8*cs + 8*mbx
		if mbx > 0 {
			normalEdgeV(Y, yo, ys, 16, limit+4, interior, hev, true)
			normalEdgeV(Cb, co, cs, 8, limit+4, interior, hev, true)
			normalEdgeV(Cr, co, cs, 8, limit+4, interior, hev, true)
		}
		if inner {
			for x := 4; x < 16; x += 4 {
				normalEdgeV(Y, yo+x, ys, 16, limit, interior, hev, false)
			}
			normalEdgeV(Cb, co+4, cs, 8, limit, interior, hev, false)
			normalEdgeV(Cr, co+4, cs, 8, limit, interior, hev, false)
		}
		if mby > 0 {
			normalEdgeH(Y, yo, ys, 16, limit+4, interior, hev, true)
			normalEdgeH(Cb, co, cs, 8, limit+4, interior, hev, true)
			normalEdgeH(Cr, co, cs, 8, limit+4, interior, hev, true)
		}
		if inner {
			for y := 4; y < 16; y += 4 {
				normalEdgeH(Y, yo+y*ys, ys, 16, limit, interior, hev, false)
			}
			normalEdgeH(Cb, co+4*cs, cs, 8, limit, interior, hev, false)
			normalEdgeH(Cr, co+4*cs, cs, 8, limit, interior, hev, false)
		}
	}
}
