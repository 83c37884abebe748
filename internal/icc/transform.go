package icc

import (
	"errors"
	"fmt"
	"image"
	"math"
)

// Transform converts 8-bit pixels described by one profile to sRGB. It is
// immutable after NewTransform and safe for concurrent use.
type Transform struct {
	// Space is the colour space of the pixels the transform takes.
	Space ColorSpace

	kind     transformKind
	identity bool

	// kindShaper: linear light of each 8-bit channel value and the matrix
	// from it to linear sRGB; encode maps linear sRGB to 8-bit.
	linear [3][256]float32
	matrix [3][3]float32
	encode []uint8

	// kindGray: the sRGB level of each gray level.
	gray [256]uint8

	// kindGrid: linear sRGB light sampled at points^inputs grid points, 3
	// values each, the first input varying slowest; cell and frac locate
	// each 8-bit input value on the grid. The values are not clipped to the
	// sRGB gamut, so that colours interpolated near its edge are clipped
	// once, after interpolation. Interpolating light rather than encoded
	// values follows the source table, which is linear in its PCS.
	points int
	grid   []float32
	cell   [256]int32
	frac   [256]float32
}

type transformKind uint8

const (
	kindShaper transformKind = iota
	kindGray
	kindGrid
)

// Grid sizes: points along each input of the sampled table. Little CMS uses
// 33 (RGB) and 17 (CMYK) for its own 8-bit precalculated transforms.
const (
	rgbGridPoints  = 33
	cmykGridPoints = 17
)

// NewTransform builds the transform from p's colours to sRGB with the
// perceptual intent, sampling p's whole chain once.
func NewTransform(p *Profile) (*Transform, error) {
	t := &Transform{Space: p.Space}
	switch {
	case p.Space == Gray:
		t.kind = kindGray
		for v := range 256 {
			c := p.toSRGB([]float64{float64(v) / 255})
			t.gray[v] = uint8(math.Round(255 * (c[0] + c[1] + c[2]) / 3))
		}
	case p.Space == RGB && p.a2b == nil:
		if err := t.buildShaper(p); err != nil {
			return nil, err
		}
	default:
		t.buildGrid(p)
	}
	t.identity = t.isIdentity()
	return t, nil
}

// buildShaper fills the curves and matrix of a matrix/TRC RGB profile.
func (t *Transform) buildShaper(p *Profile) error {
	t.kind = kindShaper
	toXYZ := mat3(p.matrix)
	if _, ok := toXYZ.inverse(); !ok {
		return errors.New("icc: colorant matrix is singular")
	}
	fromXYZ := xyzToSRGB()
	m := fromXYZ.mul(&toXYZ)
	for i := range 3 {
		for j := range 3 {
			t.matrix[i][j] = float32(m[i][j])
		}
		for v := range 256 {
			t.linear[i][v] = float32(p.trc[i].eval(float64(v) / 255))
		}
	}
	t.encode = srgbEncodeTable()
	return nil
}

// buildGrid samples p's chain on a grid over its device space.
func (t *Transform) buildGrid(p *Profile) {
	t.kind = kindGrid
	t.encode = srgbEncodeTable()
	n := p.Space.channels()
	t.points = rgbGridPoints
	if n == 4 {
		t.points = cmykGridPoints
	}
	entries := 1
	for range n {
		entries *= t.points
	}
	t.grid = make([]float32, 3*entries)
	idx := make([]int, n)
	dev := make([]float64, n)
	for e := range entries {
		for i, k := range idx {
			dev[i] = float64(k) / float64(t.points-1)
		}
		c := p.toLinearSRGB(dev)
		for k := range 3 {
			t.grid[3*e+k] = float32(c[k])
		}
		for i := n - 1; i >= 0; i-- {
			if idx[i]++; idx[i] < t.points {
				break
			}
			idx[i] = 0
		}
	}
	for v := range 256 {
		pos := float64(v) * float64(t.points-1) / 255
		i := min(int(pos), t.points-2)
		t.cell[v] = int32(i)
		t.frac[v] = float32(pos - float64(i))
	}
}

// toSRGB maps device values of p, each in [0, 1], to encoded sRGB in [0, 1].
func (p *Profile) toSRGB(dev []float64) [3]float64 {
	m := xyzToSRGB()
	lin := m.apply(p.toXYZ(dev))
	return [3]float64{srgbEncode(clamp01(lin[0])), srgbEncode(clamp01(lin[1])), srgbEncode(clamp01(lin[2]))}
}

// toLinearSRGB maps device values of p, each in [0, 1], to linear sRGB
// light, unclipped; non-finite values become 0.
func (p *Profile) toLinearSRGB(dev []float64) [3]float64 {
	m := xyzToSRGB()
	lin := m.apply(p.toXYZ(dev))
	for i, v := range lin {
		if !finite(v) {
			lin[i] = 0
		}
	}
	return lin
}

// toXYZ maps device values of p, each in [0, 1], to D50 XYZ.
func (p *Profile) toXYZ(dev []float64) [3]float64 {
	switch {
	case p.a2b != nil:
		return pcsToXYZ(p.a2b.eval(dev), p.PCS, p.a2b.legacyLab)
	case p.Space == Gray:
		y := p.gray.eval(dev[0])
		if p.PCS == Lab {
			return labToXYZ(100*y, 0, 0)
		}
		return [3]float64{d50[0] * y, d50[1] * y, d50[2] * y}
	}
	m := mat3(p.matrix)
	return m.apply([3]float64{p.trc[0].eval(dev[0]), p.trc[1].eval(dev[1]), p.trc[2].eval(dev[2])})
}

// Identity reports whether the transform changes no 8-bit value by more than
// one level, so pixels can be left as they are. It is false for CMYK.
func (t *Transform) Identity() bool { return t.identity }

// isIdentity samples the transform's input space to decide Identity.
func (t *Transform) isIdentity() bool {
	switch t.Space {
	case Gray:
		for v := range 256 {
			if d := int(t.gray[v]) - v; d < -1 || d > 1 {
				return false
			}
		}
		return true
	case RGB:
		const steps = 17
		img := image.NewNRGBA(image.Rect(0, 0, steps*steps*steps, 1))
		for i := range steps * steps * steps {
			p := img.Pix[4*i : 4*i+4]
			p[0] = uint8(i / (steps * steps) * 255 / (steps - 1))
			p[1] = uint8(i / steps % steps * 255 / (steps - 1))
			p[2] = uint8(i % steps * 255 / (steps - 1))
			p[3] = 255
		}
		want := append([]uint8(nil), img.Pix...)
		t.apply(img)
		for i, v := range img.Pix {
			if d := int(v) - int(want[i]); d < -1 || d > 1 {
				return false
			}
		}
		return true
	}
	return false
}

// Apply converts the colours of img to sRGB in place, leaving alpha as it
// is. For a gray profile each of R, G and B goes through the gray
// conversion. It returns an error for a CMYK transform; use ApplyCMYK.
func (t *Transform) Apply(img *image.NRGBA) error {
	if t.Space == CMYK {
		return errors.New("icc: a CMYK profile cannot convert RGB pixels")
	}
	t.apply(img)
	return nil
}

func (t *Transform) apply(img *image.NRGBA) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		switch t.kind {
		case kindGray:
			for i := 0; i < len(row); i += 4 {
				p := row[i : i+3 : i+3]
				p[0], p[1], p[2] = t.gray[p[0]], t.gray[p[1]], t.gray[p[2]]
			}
		case kindShaper:
			t.shaperRow(row)
		case kindGrid:
			for i := 0; i < len(row); i += 4 {
				p := row[i : i+3 : i+3]
				v := t.tetra(p[0], p[1], p[2], 0)
				p[0], p[1], p[2] = t.to8(v[0]), t.to8(v[1]), t.to8(v[2])
			}
		}
	}
}

// shaperRow converts one row of NRGBA pixels through the curves and matrix.
func (t *Transform) shaperRow(row []uint8) {
	m := &t.matrix
	for i := 0; i < len(row); i += 4 {
		p := row[i : i+3 : i+3]
		r, g, b := t.linear[0][p[0]], t.linear[1][p[1]], t.linear[2][p[2]]
		for k := range 3 {
			p[k] = t.to8(m[k][0]*r + m[k][1]*g + m[k][2]*b)
		}
	}
}

// tetra interpolates tetrahedrally the 3-D grid that starts at index base
// of t.grid.
func (t *Transform) tetra(r, g, b uint8, base int) [3]float32 {
	n := t.points
	sx, sy := 3*n*n, 3*n
	fx, fy, fz := t.frac[r], t.frac[g], t.frac[b]
	o := base + int(t.cell[r])*sx + int(t.cell[g])*sy + 3*int(t.cell[b])
	c := t.grid
	// Offsets of the corners along x, y, z and the order they are passed.
	const sz = 3
	var a, b1, b2 int // the second and third corners visited
	var f1, f2, f3 float32
	switch {
	case fx >= fy && fy >= fz:
		a, b1, f1, f2, f3 = sx, sx+sy, fx, fy, fz
	case fx >= fz && fz >= fy:
		a, b1, f1, f2, f3 = sx, sx+sz, fx, fz, fy
	case fz >= fx && fx >= fy:
		a, b1, f1, f2, f3 = sz, sx+sz, fz, fx, fy
	case fy >= fx && fx >= fz:
		a, b1, f1, f2, f3 = sy, sx+sy, fy, fx, fz
	case fy >= fz && fz >= fx:
		a, b1, f1, f2, f3 = sy, sy+sz, fy, fz, fx
	default:
		a, b1, f1, f2, f3 = sz, sy+sz, fz, fy, fx
	}
	b2 = sx + sy + sz
	var out [3]float32
	for k := range 3 {
		c0 := float32(c[o+k])
		c1 := float32(c[o+a+k])
		c2 := float32(c[o+b1+k])
		c3 := float32(c[o+b2+k])
		out[k] = c0 + f1*(c1-c0) + f2*(c2-c1) + f3*(c3-c2)
	}
	return out
}

// to8 clips linear sRGB light v to [0, 1] and encodes it in 8 bits.
func (t *Transform) to8(v float32) uint8 {
	const scale = encodeSteps - 1
	switch {
	case !(v > 0):
		return t.encode[0]
	case v >= 1:
		return t.encode[scale]
	}
	return t.encode[int(v*scale+0.5)]
}

// ApplyCMYK converts src, whose values are ink amounts (0 none, 255 full,
// as image.CMYK stores them), to an opaque sRGB image. It returns an error
// unless the transform's profile is CMYK.
func (t *Transform) ApplyCMYK(src *image.CMYK) (*image.NRGBA, error) {
	if t.Space != CMYK {
		return nil, fmt.Errorf("icc: a %s profile cannot convert CMYK pixels", string(t.Space))
	}
	r := src.Rect
	dst := image.NewNRGBA(r)
	n := t.points
	stride := 3 * n * n * n
	for y := range r.Dy() {
		in := src.Pix[y*src.Stride : y*src.Stride+4*r.Dx()]
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*r.Dx()]
		for i := 0; i < len(in); i += 4 {
			c, m, ye, k := in[i], in[i+1], in[i+2], in[i+3]
			base := int(t.cell[c]) * stride
			v := t.tetra(m, ye, k, base)
			if f := t.frac[c]; f != 0 {
				w := t.tetra(m, ye, k, base+stride)
				for j := range v {
					v[j] += f * (w[j] - v[j])
				}
			}
			o := out[i : i+4 : i+4]
			o[0], o[1], o[2], o[3] = t.to8(v[0]), t.to8(v[1]), t.to8(v[2]), 255
		}
	}
	return dst, nil
}
