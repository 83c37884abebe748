package icc

import (
	"math"
	"sync"
)

// mat3 is a 3x3 matrix, row-major.
type mat3 [3][3]float64

func (m *mat3) apply(v [3]float64) [3]float64 {
	return [3]float64{
		m[0][0]*v[0] + m[0][1]*v[1] + m[0][2]*v[2],
		m[1][0]*v[0] + m[1][1]*v[1] + m[1][2]*v[2],
		m[2][0]*v[0] + m[2][1]*v[1] + m[2][2]*v[2],
	}
}

func (m *mat3) mul(n *mat3) mat3 {
	var p mat3
	for i := range 3 {
		for j := range 3 {
			p[i][j] = m[i][0]*n[0][j] + m[i][1]*n[1][j] + m[i][2]*n[2][j]
		}
	}
	return p
}

// inverse returns m's inverse and whether m is invertible.
func (m *mat3) inverse() (mat3, bool) {
	a := m
	det := a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) -
		a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) +
		a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	if math.Abs(det) < 1e-12 || !finite(det) {
		return mat3{}, false
	}
	var inv mat3
	inv[0][0] = (a[1][1]*a[2][2] - a[1][2]*a[2][1]) / det
	inv[0][1] = (a[0][2]*a[2][1] - a[0][1]*a[2][2]) / det
	inv[0][2] = (a[0][1]*a[1][2] - a[0][2]*a[1][1]) / det
	inv[1][0] = (a[1][2]*a[2][0] - a[1][0]*a[2][2]) / det
	inv[1][1] = (a[0][0]*a[2][2] - a[0][2]*a[2][0]) / det
	inv[1][2] = (a[0][2]*a[1][0] - a[0][0]*a[1][2]) / det
	inv[2][0] = (a[1][0]*a[2][1] - a[1][1]*a[2][0]) / det
	inv[2][1] = (a[0][1]*a[2][0] - a[0][0]*a[2][1]) / det
	inv[2][2] = (a[0][0]*a[1][1] - a[0][1]*a[1][0]) / det
	return inv, true
}

// d50 is the ICC profile connection space white, as Little CMS spells it.
var d50 = [3]float64{0.9642, 1.0, 0.8249}

// bradford is the Bradford cone response matrix.
var bradford = mat3{
	{0.8951, 0.2664, -0.1614},
	{-0.7502, 1.7135, 0.0367},
	{0.0389, -0.0685, 1.0296},
}

// xyYToXYZ converts a chromaticity with luminance 1.
func xyYToXYZ(x, y float64) [3]float64 {
	return [3]float64{x / y, 1, (1 - x - y) / y}
}

// adaptation returns the Bradford matrix taking colours seen under white
// from to colours seen under white to.
func adaptation(from, to [3]float64) mat3 {
	src, dst := bradford.apply(from), bradford.apply(to)
	scale := mat3{{dst[0] / src[0], 0, 0}, {0, dst[1] / src[1], 0}, {0, 0, dst[2] / src[2]}}
	inv, _ := bradford.inverse()
	s := scale.mul(&bradford)
	return inv.mul(&s)
}

// srgbToXYZ returns the matrix from linear sRGB to D50 XYZ: the matrix of
// the Rec. 709 primaries with a D65 white, Bradford-adapted to D50.
func srgbToXYZ() mat3 {
	white := xyYToXYZ(0.3127, 0.3290)
	prim := [3][2]float64{{0.64, 0.33}, {0.30, 0.60}, {0.15, 0.06}}
	var p mat3
	for j, c := range prim {
		xyz := xyYToXYZ(c[0], c[1])
		for i := range 3 {
			p[i][j] = xyz[i]
		}
	}
	pinv, _ := p.inverse()
	s := pinv.apply(white)
	for i := range 3 {
		for j := range 3 {
			p[i][j] *= s[j]
		}
	}
	a := adaptation(white, d50)
	return a.mul(&p)
}

// xyzToSRGB is the matrix from D50 XYZ to linear sRGB.
var xyzToSRGB = sync.OnceValue(func() mat3 {
	m := srgbToXYZ()
	inv, _ := m.inverse()
	return inv
})

// srgbEncode applies the sRGB transfer function to a linear value in [0, 1].
func srgbEncode(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

// srgbDecode is the inverse of srgbEncode.
func srgbDecode(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// encodeSteps is the resolution of the table mapping linear light to 8-bit
// sRGB: fine enough that no 8-bit value is off by more than rounding.
const encodeSteps = 1 << 16

// srgbEncodeTable maps linear light in steps of 1/(encodeSteps-1) to 8-bit sRGB.
var srgbEncodeTable = sync.OnceValue(func() []uint8 {
	t := make([]uint8, encodeSteps)
	for i := range t {
		t[i] = uint8(math.Round(255 * srgbEncode(float64(i)/(encodeSteps-1))))
	}
	return t
})

// labToXYZ converts CIE Lab relative to the D50 white to XYZ.
func labToXYZ(l, a, b float64) [3]float64 {
	fy := (l + 16) / 116
	f := [3]float64{fy + a/500, fy, fy - b/200}
	var xyz [3]float64
	for i, t := range f {
		if t > 6.0/29 {
			xyz[i] = t * t * t
		} else {
			xyz[i] = 3 * (6.0 / 29) * (6.0 / 29) * (t - 4.0/29)
		}
		xyz[i] *= d50[i]
	}
	return xyz
}

// pcsToXYZ converts a lookup table's normalized PCS output to D50 XYZ.
func pcsToXYZ(v [3]float64, pcs ColorSpace, legacyLab bool) [3]float64 {
	if pcs == XYZ {
		const scale = 65535.0 / 32768
		return [3]float64{v[0] * scale, v[1] * scale, v[2] * scale}
	}
	if legacyLab {
		const scale = 65535.0 / 65280
		v = [3]float64{v[0] * scale, v[1] * scale, v[2] * scale}
	}
	return labToXYZ(100*v[0], 255*v[1]-128, 255*v[2]-128)
}
