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

// clamp255 clamps any v to a byte.
func clamp255(v int32) uint8 {
	if uint32(v) <= 255 {
		return uint8(v)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// addIDCT adds the inverse DCT of block (RFC 6386 section 14.3) to the
// 4x4 pixels of ws at offset off.
func addIDCT(block *[16]int16, ws *[wsSize]byte, off int) {
	const (
		c1 = 85627 // 65536·√2·cos(π/8)
		c2 = 35468 // 65536·√2·sin(π/8)
	)
	var t [16]int32
	for i := range 4 {
		i0, i4, i8, i12 := int32(block[i]), int32(block[4+i]), int32(block[8+i]), int32(block[12+i])
		a := i0 + i8
		b := i0 - i8
		c := (i4*c2)>>16 - (i12*c1)>>16
		d := (i4*c1)>>16 + (i12*c2)>>16
		t[4*i] = a + d
		t[4*i+1] = b + c
		t[4*i+2] = b - c
		t[4*i+3] = a - d
	}
	px := (*[3*wsStride + 4]byte)(ws[off:])
	for j := range 4 {
		dc := t[j] + 4
		a := dc + t[8+j]
		b := dc - t[8+j]
		c := (t[4+j]*c2)>>16 - (t[12+j]*c1)>>16
		d := (t[4+j]*c1)>>16 + (t[12+j]*c2)>>16
		o := j * wsStride
		px[o] = clamp255(int32(px[o]) + (a+d)>>3)
		px[o+1] = clamp255(int32(px[o+1]) + (b+c)>>3)
		px[o+2] = clamp255(int32(px[o+2]) + (b-c)>>3)
		px[o+3] = clamp255(int32(px[o+3]) + (a-d)>>3)
	}
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
