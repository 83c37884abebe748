package vp8

// reconstruct predicts macroblock (mbx, mby) in the workspace, adds the
// residuals of its coded blocks (d.codedBlocks) and copies it into the
// current row of d.y, d.cb and d.cr.
func (d *decoder) reconstruct(mbx, mby int) {
	coded := d.codedBlocks
	ws := &d.ws
	mb := &d.mb
	copy(ws[wsY-wsStride-1:wsY-wsStride+20], d.yTop[16*mbx:16*mbx+21])
	copy(ws[wsU-wsStride-1:wsU-wsStride+8], d.uTop[8*mbx:8*mbx+9])
	copy(ws[wsV-wsStride-1:wsV-wsStride+8], d.vTop[8*mbx:8*mbx+9])
	hasTop, hasLeft := mby > 0, mbx > 0

	if mb.is4x4 {
		// The blocks of the right column see, above to their right, the
		// pixels above-right of the macroblock.
		aboveRight := ws[wsY-wsStride+16 : wsY-wsStride+20]
		for r := 1; r < 4; r++ {
			copy(ws[wsY+(4*r-1)*wsStride+16:], aboveRight)
		}
		for i := range 16 {
			off := wsY + (i/4)*4*wsStride + (i%4)*4
			predictSubblock(ws, off, mb.submodes[i])
			if coded>>i&1 != 0 {
				addResidual((*[16]int16)(d.coeffs[16*i:]), ws, off, d.acBlocks>>i&1 != 0)
			}
		}
	} else {
		predictBlock(ws, wsY, 16, mb.ymode, hasTop, hasLeft)
		for i := range 16 {
			if coded>>i&1 != 0 {
				addResidual((*[16]int16)(d.coeffs[16*i:]), ws, wsY+(i/4)*4*wsStride+(i%4)*4, d.acBlocks>>i&1 != 0)
			}
		}
	}
	predictBlock(ws, wsU, 8, mb.uvmode, hasTop, hasLeft)
	predictBlock(ws, wsV, 8, mb.uvmode, hasTop, hasLeft)
	for i := range 8 {
		if coded>>(16+i)&1 != 0 {
			base := wsU
			if i >= 4 {
				base = wsV
			}
			off := base + (i&3)/2*4*wsStride + i%2*4
			addResidual((*[16]int16)(d.coeffs[256+16*i:]), ws, off, d.acBlocks>>(16+i)&1 != 0)
		}
	}

	for y := range 16 {
		row := (*[16]byte)(ws[wsY+y*wsStride:])
		*(*[16]byte)(d.y[(16+y)*d.yStride+16*mbx:]) = *row
		// The right column is the next macroblock's left.
		ws[wsY+y*wsStride-1] = row[15]
	}
	for y := range 8 {
		o := (8+y)*d.cStride + 8*mbx
		u, v := (*[8]byte)(ws[wsU+y*wsStride:]), (*[8]byte)(ws[wsV+y*wsStride:])
		*(*[8]byte)(d.cb[o:]) = *u
		*(*[8]byte)(d.cr[o:]) = *v
		ws[wsU+y*wsStride-1] = u[7]
		ws[wsV+y*wsStride-1] = v[7]
	}
}

// addResidual adds the inverse transform of block to the 4x4 pixels at
// off, taking the short way when only the DC coefficient may be set
// (ac is false), and clears the block for the next macroblock. The two
// ways agree on a block of only a DC coefficient.
func addResidual(block *[16]int16, ws *[wsSize]byte, off int, ac bool) {
	if ac {
		addIDCT(block, ws, off)
	} else {
		addDC(block[0], ws, off)
	}
	*block = [16]int16{}
}
