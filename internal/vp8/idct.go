package vp8

// inverseWHT undoes the Walsh-Hadamard transform of the Y2 block in, RFC
// 6386 section 14.3, writing the DC coefficient of each of the 16 luma
// blocks of coeffs.
func inverseWHT(in *[16]int16, coeffs *[25 * 16]int16) {
	var t [16]int32
	for i := range 4 {
		a0 := int32(in[i]) + int32(in[12+i])
		a1 := int32(in[4+i]) + int32(in[8+i])
		a2 := int32(in[4+i]) - int32(in[8+i])
		a3 := int32(in[i]) - int32(in[12+i])
		t[i] = a0 + a1
		t[8+i] = a0 - a1
		t[4+i] = a3 + a2
		t[12+i] = a3 - a2
	}
	for i := range 4 {
		dc := t[4*i] + 3
		a0 := dc + t[4*i+3]
		a1 := t[4*i+1] + t[4*i+2]
		a2 := t[4*i+1] - t[4*i+2]
		a3 := dc - t[4*i+3]
		coeffs[16*(4*i)] = int16((a0 + a1) >> 3)
		coeffs[16*(4*i+1)] = int16((a3 + a2) >> 3)
		coeffs[16*(4*i+2)] = int16((a0 - a1) >> 3)
		coeffs[16*(4*i+3)] = int16((a3 - a2) >> 3)
	}
}

// byteClamps[v+1024] is v clamped to 0..255, for v from -1024 to 1023.
var byteClamps = func() (t [2048]uint8) {
	for i := range t {
		t[i] = uint8(min(max(i-1024, 0), 255))
	}
	return t
}()

// clampByte clamps v, from -1024 to 1023, to a byte by one table look-up,
// without a branch.
func clampByte(v int32) uint8 { return byteClamps[(v+1024)&2047] }

// addIDCT adds the inverse DCT of block (RFC 6386 section 14.3) to the
// 4x4 pixels of ws at offset off: the columns first, then the rows, each
// through idct4.
func addIDCT(block *[16]int16, ws *[wsSize]byte, off int) {
	c00, c01, c02, c03 := idct4(int32(block[0]), int32(block[4]), int32(block[8]), int32(block[12]))
	c10, c11, c12, c13 := idct4(int32(block[1]), int32(block[5]), int32(block[9]), int32(block[13]))
	c20, c21, c22, c23 := idct4(int32(block[2]), int32(block[6]), int32(block[10]), int32(block[14]))
	c30, c31, c32, c33 := idct4(int32(block[3]), int32(block[7]), int32(block[11]), int32(block[15]))
	px := (*[3*wsStride + 4]byte)(ws[off:])
	// The +4 rounds the final >>3.
	v0, v1, v2, v3 := idct4(c00+4, c10, c20, c30)
	addRow((*[4]byte)(px[0:]), v0, v1, v2, v3)
	v0, v1, v2, v3 = idct4(c01+4, c11, c21, c31)
	addRow((*[4]byte)(px[wsStride:]), v0, v1, v2, v3)
	v0, v1, v2, v3 = idct4(c02+4, c12, c22, c32)
	addRow((*[4]byte)(px[2*wsStride:]), v0, v1, v2, v3)
	v0, v1, v2, v3 = idct4(c03+4, c13, c23, c33)
	addRow((*[4]byte)(px[3*wsStride:]), v0, v1, v2, v3)
}

// idct4 is the one-dimensional inverse DCT of 4 coefficients.
func idct4(i0, i1, i2, i3 int32) (int32, int32, int32, int32) {
	const (
		c1 = 85627 // 65536·√2·cos(π/8)
		c2 = 35468 // 65536·√2·sin(π/8)
	)
	a := i0 + i2
	b := i0 - i2
	c := (i1*c2)>>16 - (i3*c1)>>16
	d := (i1*c1)>>16 + (i3*c2)>>16
	return a + d, b + c, b - c, a - d
}

// addRow adds v0>>3 to v3>>3 to the 4 pixels of px, clamped (by min and
// max, without branches, and small enough to be inlined).
func addRow(px *[4]byte, v0, v1, v2, v3 int32) {
	px[0] = uint8(min(max(int32(px[0])+v0>>3, 0), 255))
	px[1] = uint8(min(max(int32(px[1])+v1>>3, 0), 255))
	px[2] = uint8(min(max(int32(px[2])+v2>>3, 0), 255))
	px[3] = uint8(min(max(int32(px[3])+v3>>3, 0), 255))
}

// addDC adds the inverse DCT of a block whose only coefficient is dc.
func addDC(dc int16, ws *[wsSize]byte, off int) {
	// Beyond ±255, the sum clamps the same as at ±255.
	v := min(max((int32(dc)+4)>>3, -255), 255)
	px := (*[3*wsStride + 4]byte)(ws[off:])
	for j := range 4 {
		o := j * wsStride
		px[o] = clampByte(int32(px[o]) + v)
		px[o+1] = clampByte(int32(px[o+1]) + v)
		px[o+2] = clampByte(int32(px[o+2]) + v)
		px[o+3] = clampByte(int32(px[o+3]) + v)
	}
}
