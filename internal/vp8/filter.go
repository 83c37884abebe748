package vp8

// The loop filter, RFC 6386 section 15. Each function filters n pixels
// across one edge of pix: the pixel at off is the first beyond the edge
// (q0), step goes across the edge and next along it.

func abs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// clampS8 clamps v to a signed byte.
func clampS8(v int32) int32 { return min(max(v, -128), 127) }

// s8 and u8 move a pixel to and from the signed range the filters use.
func s8(p byte) int32 { return int32(p) - 128 }
func u8(v int32) byte { return byte(clampS8(v) + 128) }

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

// normalEdge applies the normal filter to n pixels along an edge: the
// macroblock-edge variant when mbEdge is set, the inner-edge one
// otherwise.
func normalEdge(pix []byte, off, step, next, n int, limit, interior, hevThresh int32, mbEdge bool) {
	for range n {
		p3, p2, p1, p0 := int32(pix[off-4*step]), int32(pix[off-3*step]), int32(pix[off-2*step]), int32(pix[off-step])
		q0, q1, q2, q3 := int32(pix[off]), int32(pix[off+step]), int32(pix[off+2*step]), int32(pix[off+3*step])
		if 2*abs(p0-q0)+abs(p1-q1)>>1 > limit ||
			abs(p3-p2) > interior || abs(p2-p1) > interior || abs(p1-p0) > interior ||
			abs(q1-q0) > interior || abs(q2-q1) > interior || abs(q3-q2) > interior {
			off += next
			continue
		}
		sp1, sp0, sq0, sq1 := p1-128, p0-128, q0-128, q1-128
		hev := abs(p1-p0) > hevThresh || abs(q1-q0) > hevThresh
		switch {
		case hev:
			a := clampS8(clampS8(sp1-sq1) + 3*(sq0-sp0))
			f1 := clampS8(a+4) >> 3
			f2 := clampS8(a+3) >> 3
			pix[off-step] = u8(sp0 + f2)
			pix[off] = u8(sq0 - f1)
		case mbEdge:
			w := clampS8(clampS8(sp1-sq1) + 3*(sq0-sp0))
			a := clampS8((27*w + 63) >> 7)
			pix[off-step] = u8(sp0 + a)
			pix[off] = u8(sq0 - a)
			a = clampS8((18*w + 63) >> 7)
			pix[off-2*step] = u8(sp1 + a)
			pix[off+step] = u8(sq1 - a)
			a = clampS8((9*w + 63) >> 7)
			pix[off-3*step] = u8(p2 - 128 + a)
			pix[off+2*step] = u8(q2 - 128 - a)
		default:
			a := clampS8(3 * (sq0 - sp0))
			f1 := clampS8(a+4) >> 3
			f2 := clampS8(a+3) >> 3
			pix[off-step] = u8(sp0 + f2)
			pix[off] = u8(sq0 - f1)
			a = (f1 + 1) >> 1
			pix[off-2*step] = u8(sp1 + a)
			pix[off+step] = u8(sq1 - a)
		}
		off += next
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
			normalEdge(Y, yo, 1, ys, 16, limit+4, interior, hev, true)
			normalEdge(Cb, co, 1, cs, 8, limit+4, interior, hev, true)
			normalEdge(Cr, co, 1, cs, 8, limit+4, interior, hev, true)
		}
		if inner {
			for x := 4; x < 16; x += 4 {
				normalEdge(Y, yo+x, 1, ys, 16, limit, interior, hev, false)
			}
			normalEdge(Cb, co+4, 1, cs, 8, limit, interior, hev, false)
			normalEdge(Cr, co+4, 1, cs, 8, limit, interior, hev, false)
		}
		if mby > 0 {
			normalEdge(Y, yo, ys, 1, 16, limit+4, interior, hev, true)
			normalEdge(Cb, co, cs, 1, 8, limit+4, interior, hev, true)
			normalEdge(Cr, co, cs, 1, 8, limit+4, interior, hev, true)
		}
		if inner {
			for y := 4; y < 16; y += 4 {
				normalEdge(Y, yo+y*ys, ys, 1, 16, limit, interior, hev, false)
			}
			normalEdge(Cb, co+4*cs, cs, 1, 8, limit, interior, hev, false)
			normalEdge(Cr, co+4*cs, cs, 1, 8, limit, interior, hev, false)
		}
	}
}
