package jpeg

import "math"

// The 8x8 inverse DCT follows the Loeffler-Ligtenberg-Moschytz factorisation
// with 13-bit fixed-point constants, keeping pass1Bits extra bits between
// the column and row passes.
const (
	constBits = 13
	pass1Bits = 2

	fix0_298631336 = 2446
	fix0_390180644 = 3196
	fix0_541196100 = 4433
	fix0_765366865 = 6270
	fix0_899976223 = 7373
	fix1_175875602 = 9633
	fix1_501321110 = 12299
	fix1_847759065 = 15137
	fix1_961570560 = 16069
	fix2_053119869 = 16819
	fix2_562915447 = 20995
	fix3_072711026 = 25172
)

func clamp(v int32) byte {
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return byte(v)
}

// dcValue is the sample value of a block whose only non-zero coefficient is
// the dequantised DC dc: the block mean.
func dcValue(dc int32) byte { return clamp((dc+4)>>3 + 128) }

// store writes d.blk (dequantised, natural order; last is the zig-zag index
// of its last non-zero coefficient) into c's plane at block (bx, by), as an
// 8/scale square block, and clears d.blk.
func (d *decoder) store(c *component, bx, by, last int) {
	bs := c.bs
	dst := c.pix[by*bs*c.stride+bx*bs:]
	blk := &d.blk
	if last == 0 || bs == 1 {
		v := dcValue(blk[0])
		for y := 0; y < bs; y++ {
			row := dst[y*c.stride : y*c.stride+bs]
			for x := range row {
				row[x] = v
			}
		}
		if last == 0 {
			blk[0] = 0
			return
		}
		*blk = [64]int32{}
		return
	}
	switch bs {
	case 8:
		idct8(blk, dst, c.stride)
	case 4:
		idct4(blk, dst, c.stride)
	case 2:
		idct2(blk, dst, c.stride)
	}
	*blk = [64]int32{}
}

func idct8(in *[64]int32, dst []byte, stride int) {
	var ws [64]int32
	for x := 0; x < 8; x++ {
		if in[8+x]|in[16+x]|in[24+x]|in[32+x]|in[40+x]|in[48+x]|in[56+x] == 0 {
			dc := in[x] << pass1Bits
			for y := 0; y < 64; y += 8 {
				ws[y+x] = dc
			}
			continue
		}
		// Even part.
		z2, z3 := in[16+x], in[48+x]
		z1 := (z2 + z3) * fix0_541196100
		t2 := z1 - z3*fix1_847759065
		t3 := z1 + z2*fix0_765366865
		z2, z3 = in[x], in[32+x]
		t0 := (z2 + z3) << constBits
		t1 := (z2 - z3) << constBits
		t10, t13 := t0+t3, t0-t3
		t11, t12 := t1+t2, t1-t2
		// Odd part.
		t0, t1, t2, t3 = in[56+x], in[40+x], in[24+x], in[8+x]
		z1, z2, z3 = t0+t3, t1+t2, t0+t2
		z4 := t1 + t3
		z5 := (z3 + z4) * fix1_175875602
		t0 *= fix0_298631336
		t1 *= fix2_053119869
		t2 *= fix3_072711026
		t3 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 = z3*-fix1_961570560 + z5
		z4 = z4*-fix0_390180644 + z5
		t0 += z1 + z3
		t1 += z2 + z4
		t2 += z2 + z3
		t3 += z1 + z4
		const sh, rnd = constBits - pass1Bits, 1 << (constBits - pass1Bits - 1)
		ws[x] = (t10 + t3 + rnd) >> sh
		ws[56+x] = (t10 - t3 + rnd) >> sh
		ws[8+x] = (t11 + t2 + rnd) >> sh
		ws[48+x] = (t11 - t2 + rnd) >> sh
		ws[16+x] = (t12 + t1 + rnd) >> sh
		ws[40+x] = (t12 - t1 + rnd) >> sh
		ws[24+x] = (t13 + t0 + rnd) >> sh
		ws[32+x] = (t13 - t0 + rnd) >> sh
	}
	for y := 0; y < 8; y++ {
		w := (*[8]int32)(ws[y*8:])
		out := dst[y*stride : y*stride+8]
		if w[1]|w[2]|w[3]|w[4]|w[5]|w[6]|w[7] == 0 {
			v := clamp((w[0]+1<<(pass1Bits+2))>>(pass1Bits+3) + 128)
			for x := range out {
				out[x] = v
			}
			continue
		}
		z2, z3 := w[2], w[6]
		z1 := (z2 + z3) * fix0_541196100
		t2 := z1 - z3*fix1_847759065
		t3 := z1 + z2*fix0_765366865
		t0 := (w[0] + w[4]) << constBits
		t1 := (w[0] - w[4]) << constBits
		t10, t13 := t0+t3, t0-t3
		t11, t12 := t1+t2, t1-t2
		t0, t1, t2, t3 = w[7], w[5], w[3], w[1]
		z1, z2, z3 = t0+t3, t1+t2, t0+t2
		z4 := t1 + t3
		z5 := (z3 + z4) * fix1_175875602
		t0 *= fix0_298631336
		t1 *= fix2_053119869
		t2 *= fix3_072711026
		t3 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 = z3*-fix1_961570560 + z5
		z4 = z4*-fix0_390180644 + z5
		t0 += z1 + z3
		t1 += z2 + z4
		t2 += z2 + z3
		t3 += z1 + z4
		const sh, rnd = constBits + pass1Bits + 3, 1<<(constBits+pass1Bits+2) + 128<<(constBits+pass1Bits+3)
		out[0] = clamp((t10 + t3 + rnd) >> sh)
		out[7] = clamp((t10 - t3 + rnd) >> sh)
		out[1] = clamp((t11 + t2 + rnd) >> sh)
		out[6] = clamp((t11 - t2 + rnd) >> sh)
		out[2] = clamp((t12 + t1 + rnd) >> sh)
		out[5] = clamp((t12 - t1 + rnd) >> sh)
		out[3] = clamp((t13 + t0 + rnd) >> sh)
		out[4] = clamp((t13 - t0 + rnd) >> sh)
	}
}

// The reduced transforms give, exactly up to rounding, the mean of each
// 2x2 (idct4) or 4x4 (idct2) group of samples of the full 8x8 inverse DCT.
// In one dimension, output n of an N-point reduction is
//
//	sum over u of C(u)/2 * F(u) * mean over j<8/N of cos((2(8n/N+j)+1)uπ/16),
//
// with C(0) = 1/√2 and C(u) = 1 otherwise. Outputs n and N-1-n share the
// even and odd sums with opposite signs of the odd part.
var red4, red2 [8][8]int32 // [n][u], constBits fixed point

func init() {
	for _, r := range []struct {
		m *[8][8]int32
		n int
	}{{&red4, 4}, {&red2, 2}} {
		g := 8 / r.n
		for n := 0; n < r.n; n++ {
			for u := 0; u < 8; u++ {
				s := 0.0
				for j := 0; j < g; j++ {
					s += math.Cos(float64(2*(g*n+j)+1) * float64(u) * math.Pi / 16)
				}
				s /= float64(g) * 2
				if u == 0 {
					s /= math.Sqrt2
				}
				r.m[n][u] = int32(math.Round(s * (1 << constBits)))
			}
		}
	}
}

// The weights of red4 and red2 as constants, so that the transforms
// multiply by immediates; TestReducedWeights checks them against the
// tables. In red4 the even weights of rows 0 and 1 differ only in sign
// beyond u = 0: both rows share one product per even coefficient.
const (
	r4e0 = 2896 // red4[n][0]
	r4e2 = 2676 // red4[0][2], -red4[1][2]
	r4e6 = 1108 // -red4[0][6], red4[1][6]

	r4o01, r4o03, r4o05, r4o07 = 3711, 1303, -871, -738  // red4[0][odd]
	r4o11, r4o13, r4o15, r4o17 = 1537, -3146, 2102, -306 // red4[1][odd]

	r2e0                   = 2896 // red2[0][0]
	r2o1, r2o3, r2o5, r2o7 = 2624, -922, 616, -522
)

func idct4(in *[64]int32, dst []byte, stride int) {
	var ws [4][8]int32 // [output row][input column]
	for x := 0; x < 8; x++ {
		if x == 4 { // red4[n][4] is 0: the row pass never reads column 4
			continue
		}
		f0, f1, f2, f3 := in[x], in[8+x], in[16+x], in[24+x]
		f5, f6, f7 := in[40+x], in[48+x], in[56+x]
		const rnd = 1 << (constBits - pass1Bits - 1)
		if f1|f2|f3|in[32+x]|f5|f6|f7 == 0 {
			v := (f0*r4e0 + rnd) >> (constBits - pass1Bits)
			ws[0][x], ws[1][x], ws[2][x], ws[3][x] = v, v, v, v
			continue
		}
		a, b := f0*r4e0, f2*r4e2-f6*r4e6
		e0, e1 := a+b, a-b
		o0 := f1*r4o01 + f3*r4o03 + f5*r4o05 + f7*r4o07
		o1 := f1*r4o11 + f3*r4o13 + f5*r4o15 + f7*r4o17
		ws[0][x] = (e0 + o0 + rnd) >> (constBits - pass1Bits)
		ws[3][x] = (e0 - o0 + rnd) >> (constBits - pass1Bits)
		ws[1][x] = (e1 + o1 + rnd) >> (constBits - pass1Bits)
		ws[2][x] = (e1 - o1 + rnd) >> (constBits - pass1Bits)
	}
	for y := 0; y < 4; y++ {
		w := &ws[y]
		out := dst[y*stride : y*stride+4]
		const sh = constBits + pass1Bits
		const rnd = 1<<(sh-1) + 128<<sh
		a, b := w[0]*r4e0, w[2]*r4e2-w[6]*r4e6
		e0, e1 := a+b, a-b
		o0 := w[1]*r4o01 + w[3]*r4o03 + w[5]*r4o05 + w[7]*r4o07
		o1 := w[1]*r4o11 + w[3]*r4o13 + w[5]*r4o15 + w[7]*r4o17
		out[0] = clamp((e0 + o0 + rnd) >> sh)
		out[3] = clamp((e0 - o0 + rnd) >> sh)
		out[1] = clamp((e1 + o1 + rnd) >> sh)
		out[2] = clamp((e1 - o1 + rnd) >> sh)
	}
}

func idct2(in *[64]int32, dst []byte, stride int) {
	// red2[0][u] is 0 for u = 2, 4 and 6: those rows and columns of the
	// coefficients, and columns of ws, are never read.
	const m0, m1, m3, m5, m7 = r2e0, r2o1, r2o3, r2o5, r2o7
	var ws [2][8]int32
	for x := 0; x < 8; x++ {
		if x&1 == 0 && x != 0 {
			continue
		}
		e := in[x] * m0
		o := in[8+x]*m1 + in[24+x]*m3 + in[40+x]*m5 + in[56+x]*m7
		const rnd = 1 << (constBits - pass1Bits - 1)
		ws[0][x] = (e + o + rnd) >> (constBits - pass1Bits)
		ws[1][x] = (e - o + rnd) >> (constBits - pass1Bits)
	}
	for y := 0; y < 2; y++ {
		w := &ws[y]
		e := w[0] * m0
		o := w[1]*m1 + w[3]*m3 + w[5]*m5 + w[7]*m7
		const sh = constBits + pass1Bits
		const rnd = 1<<(sh-1) + 128<<sh
		dst[y*stride] = clamp((e + o + rnd) >> sh)
		dst[y*stride+1] = clamp((e - o + rnd) >> sh)
	}
}
