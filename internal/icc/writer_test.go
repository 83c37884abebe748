package icc

import (
	"encoding/binary"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// This file writes ICC profiles for tests: synthetic stand-ins for profiles
// whose licences keep them out of testdata, and malformed ones.

var writeProfiles = flag.String("write-profiles", "", "write the synthetic profiles into this directory, to make reference data (testdata/README.md)")

// iccTag is one tag of a profile being written.
type iccTag struct {
	sig  string
	data []byte
}

// buildProfile assembles a profile of the given version (0x0210 for 2.1),
// class, colour space and connection space from tags, each padded to four
// bytes.
func buildProfile(version uint16, class, space, pcs string, tags []iccTag) []byte {
	table := 132 + 12*len(tags)
	b := make([]byte, table)
	for i, t := range tags {
		off := len(b)
		b = append(b, t.data...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		e := b[132+12*i:]
		copy(e, t.sig)
		binary.BigEndian.PutUint32(e[4:], uint32(off))
		binary.BigEndian.PutUint32(e[8:], uint32(len(t.data)))
	}
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)))
	copy(b[4:], "thmb")
	binary.BigEndian.PutUint16(b[8:], version)
	copy(b[12:], class)
	copy(b[16:], space)
	copy(b[20:], pcs)
	copy(b[36:], "acsp")
	putXYZ(b[68:], d50)
	binary.BigEndian.PutUint32(b[128:], uint32(len(tags)))
	return b
}

func putS15(b []byte, v float64) {
	binary.BigEndian.PutUint32(b, uint32(int32(math.Round(v*65536))))
}

func putXYZ(b []byte, v [3]float64) {
	for i, x := range v {
		putS15(b[4*i:], x)
	}
}

func xyzTag(v [3]float64) []byte {
	b := make([]byte, 20)
	copy(b, "XYZ ")
	putXYZ(b[8:], v)
	return b
}

// curvTag is a curv element: no entries (identity), one (a gamma) or a table.
func curvTag(entries ...uint16) []byte {
	b := make([]byte, 12+2*len(entries))
	copy(b, "curv")
	binary.BigEndian.PutUint32(b[8:], uint32(len(entries)))
	for i, e := range entries {
		binary.BigEndian.PutUint16(b[12+2*i:], e)
	}
	return b
}

// curvFunc is a curv table of n entries sampling f.
func curvFunc(n int, f func(float64) float64) []byte {
	e := make([]uint16, n)
	for i := range e {
		e[i] = uint16(math.Round(65535 * clamp01(f(float64(i)/float64(n-1)))))
	}
	return curvTag(e...)
}

func paraTag(typ int, params ...float64) []byte {
	b := make([]byte, 12+4*len(params))
	copy(b, "para")
	binary.BigEndian.PutUint16(b[8:], uint16(typ))
	for i, p := range params {
		putS15(b[12+4*i:], p)
	}
	return b
}

// sampleGrid calls f at every point of a grid of points^in points, the
// first input varying slowest, and returns its 3 outputs per point.
func sampleGrid(in, points int, f func(dev []float64) [3]float64) []float64 {
	n := 1
	for range in {
		n *= points
	}
	out := make([]float64, 0, 3*n)
	dev := make([]float64, in)
	for e := range n {
		r := e
		for i := in - 1; i >= 0; i-- {
			dev[i] = float64(r%points) / float64(points-1)
			r /= points
		}
		v := f(dev)
		out = append(out, v[:]...)
	}
	return out
}

// lutNTag is a lut8 (bytes 1) or lut16 (bytes 2) table with identity
// matrix, the given input curves (tables of entries values), grid values
// (normalized) and output curves.
func lutNTag(bytes, in, points, entries int, inCurve func(i int, x float64) float64, grid []float64, outCurve func(x float64) float64) []byte {
	sig := "mft1"
	if bytes == 2 {
		sig = "mft2"
	}
	b := make([]byte, 48)
	copy(b, sig)
	b[8], b[9], b[10] = byte(in), 3, byte(points)
	for i := range 3 {
		putS15(b[12+16*i:], 1)
	}
	if bytes == 2 {
		b = binary.BigEndian.AppendUint16(b, uint16(entries))
		b = binary.BigEndian.AppendUint16(b, uint16(entries))
	}
	put := func(v float64) {
		v = clamp01(v)
		if bytes == 1 {
			b = append(b, uint8(math.Round(255*v)))
		} else {
			b = binary.BigEndian.AppendUint16(b, uint16(math.Round(65535*v)))
		}
	}
	for i := range in {
		for e := range entries {
			put(inCurve(i, float64(e)/float64(entries-1)))
		}
	}
	for _, v := range grid {
		put(v)
	}
	for range 3 {
		for e := range entries {
			put(outCurve(float64(e) / float64(entries-1)))
		}
	}
	return b
}

// mABTag is a lutAtoB table with the given A curves, grid (u8 or u16
// precision), M curves, matrix and B curves; nil elements are left out.
func mABTag(in int, aCurves [][]byte, points, precision int, grid []float64, mCurves [][]byte, matrix []float64, bCurves [][]byte) []byte {
	b := make([]byte, 32)
	copy(b, "mAB ")
	b[8], b[9] = byte(in), 3
	appendCurves := func(curves [][]byte) uint32 {
		off := uint32(len(b))
		for _, c := range curves {
			b = append(b, c...)
			for len(b)%4 != 0 {
				b = append(b, 0)
			}
		}
		return off
	}
	offB := appendCurves(bCurves)
	binary.BigEndian.PutUint32(b[12:], offB)
	if matrix != nil {
		binary.BigEndian.PutUint32(b[16:], uint32(len(b)))
		for _, v := range matrix {
			b = binary.BigEndian.AppendUint32(b, uint32(int32(math.Round(v*65536))))
		}
	}
	if mCurves != nil {
		offM := appendCurves(mCurves)
		binary.BigEndian.PutUint32(b[20:], offM)
	}
	if grid != nil {
		binary.BigEndian.PutUint32(b[24:], uint32(len(b)))
		head := make([]byte, 20)
		for i := range in {
			head[i] = byte(points)
		}
		head[16] = byte(precision)
		b = append(b, head...)
		for _, v := range grid {
			if precision == 1 {
				b = append(b, uint8(math.Round(255*clamp01(v))))
			} else {
				b = binary.BigEndian.AppendUint16(b, uint16(math.Round(65535*clamp01(v))))
			}
		}
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	if aCurves != nil {
		offA := appendCurves(aCurves)
		binary.BigEndian.PutUint32(b[28:], offA)
	}
	return b
}

// primariesToXYZ returns the colorant columns of RGB primaries (x, y) with
// the D50 white.
func primariesToXYZ(prim [3][2]float64) mat3 {
	var p mat3
	for j, c := range prim {
		xyz := xyYToXYZ(c[0], c[1])
		for i := range 3 {
			p[i][j] = xyz[i]
		}
	}
	pinv, _ := p.inverse()
	s := pinv.apply(d50)
	for i := range 3 {
		for j := range 3 {
			p[i][j] *= s[j]
		}
	}
	return p
}

// matrixTRCProfile is an RGB display profile with ROMM-like primaries and
// the given curves.
func matrixTRCProfile(version uint16, r, g, b []byte) []byte {
	m := primariesToXYZ([3][2]float64{{0.7347, 0.2653}, {0.1596, 0.8404}, {0.0366, 0.0001}})
	col := func(j int) [3]float64 { return [3]float64{m[0][j], m[1][j], m[2][j]} }
	return buildProfile(version, "mntr", "RGB ", "XYZ ", []iccTag{
		{"wtpt", xyzTag(d50)},
		{"rXYZ", xyzTag(col(0))}, {"gXYZ", xyzTag(col(1))}, {"bXYZ", xyzTag(col(2))},
		{"rTRC", r}, {"gTRC", g}, {"bTRC", b},
	})
}

// inkModel is a made-up CMYK printing model: the linear sRGB light
// reflected by inks c, m, y, k, each absorbing mostly its own third of the
// spectrum, with a paper a little darker than white.
func inkModel(dev []float64) [3]float64 {
	c, m, y, k := dev[0], dev[1], dev[2], dev[3]
	paper := 0.92
	black := 1 - 0.93*k
	return [3]float64{
		paper * (1 - 0.97*c) * (1 - 0.12*m) * (1 - 0.02*y) * black,
		paper * (1 - 0.30*c) * (1 - 0.95*m) * (1 - 0.08*y) * black,
		paper * (1 - 0.10*c) * (1 - 0.45*m) * (1 - 0.96*y) * black,
	}
}

// xyzToLab converts D50 XYZ to CIE Lab.
func xyzToLab(v [3]float64) [3]float64 {
	var f [3]float64
	for i := range v {
		t := v[i] / d50[i]
		if t > 216.0/24389 {
			f[i] = math.Cbrt(t)
		} else {
			f[i] = (24389.0/27*t + 16) / 116
		}
	}
	return [3]float64{116*f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])}
}

// linearToXYZ maps linear sRGB light to D50 XYZ.
func linearToXYZ(v [3]float64) [3]float64 {
	m := srgbToXYZ()
	return m.apply(v)
}

// syntheticProfiles are built in code and compared with Little CMS's
// conversions of the same bytes, recorded in testdata/reference.
var syntheticProfiles = map[string]func() []byte{
	// v4 matrix/TRC with a curv gamma and the parametric types 1 and 2.
	"para-rgb-a": func() []byte {
		return matrixTRCProfile(0x0420, curvTag(461),
			paraTag(1, 2.0, 1.1, -0.1),
			paraTag(2, 2.2, 0.95, 0.05, 0.01))
	},
	// v4 matrix/TRC with the parametric types 3 and 4 and a table.
	"para-rgb-b": func() []byte {
		return matrixTRCProfile(0x0420, paraTag(3, 2.4, 1/1.055, 0.055/1.055, 1/12.92, 0.04045),
			paraTag(4, 2.2, 0.9, 0.1, 0.1, 0.05, -0.01, 0.002),
			curvFunc(1024, func(x float64) float64 { return math.Pow(x, 1.9) }))
	},
	// v2 ROMM-like matrix/TRC with a plain gamma and a parametric type 0.
	"romm-like": func() []byte {
		return matrixTRCProfile(0x0210, curvTag(461), paraTag(0, 1.8), curvTag(461))
	},
	// v2 CMYK to Lab with a lut16 table: curved input tables, a 9-point
	// grid, and legacy 16-bit Lab.
	"lut16-cmyk": func() []byte {
		grid := sampleGrid(4, 9, func(dev []float64) [3]float64 {
			lab := xyzToLab(linearToXYZ(inkModel(dev)))
			const scale = 65280.0 / 65535 // legacy Lab: L* 100 is 0xFF00
			return [3]float64{lab[0] / 100 * scale, (lab[1] + 128) / 255 * scale, (lab[2] + 128) / 255 * scale}
		})
		a2b := lutNTag(2, 4, 9, 256, func(i int, x float64) float64 { return math.Pow(x, 0.9+0.05*float64(i)) }, grid,
			func(x float64) float64 { return x })
		return buildProfile(0x0210, "prtr", "CMYK", "Lab ", []iccTag{{"wtpt", xyzTag(d50)}, {"A2B0", a2b}})
	},
	// v4 CMYK to XYZ with lutAtoB: parametric A curves, an 8-bit 5-point
	// grid, M curves, a matrix with offsets and identity B curves.
	"mab-cmyk": func() []byte {
		const xyzScale = 32768.0 / 65535
		grid := sampleGrid(4, 5, func(dev []float64) [3]float64 {
			xyz := linearToXYZ(inkModel(dev))
			return [3]float64{math.Sqrt(xyz[0] * xyzScale), math.Sqrt(xyz[1] * xyzScale), math.Sqrt(xyz[2] * xyzScale)}
		})
		gamma := paraTag(0, 2.0)
		a := [][]byte{paraTag(0, 1.1), paraTag(0, 1.0), curvFunc(64, func(x float64) float64 { return math.Pow(x, 0.95) }), curvTag()}
		matrix := []float64{0.98, 0.01, 0.01, 0.01, 0.98, 0.01, 0, 0.01, 0.99, 0.001, 0, 0.002}
		a2b := mABTag(4, a, 5, 1, grid, [][]byte{gamma, gamma, gamma}, matrix, [][]byte{curvTag(), curvTag(), curvTag()})
		return buildProfile(0x0420, "prtr", "CMYK", "XYZ ", []iccTag{{"wtpt", xyzTag(d50)}, {"A2B0", a2b}})
	},
	// v2 RGB to Lab through a lut8 table, which takes precedence over the
	// matrix/TRC tags it also has.
	"lut8-rgb": func() []byte {
		grid := sampleGrid(3, 9, func(dev []float64) [3]float64 {
			lin := [3]float64{srgbDecode(dev[0]), srgbDecode(dev[1]), srgbDecode(0.9*dev[2] + 0.1*dev[1])}
			lab := xyzToLab(linearToXYZ(lin))
			return [3]float64{lab[0] / 100, (lab[1] + 128) / 255, (lab[2] + 128) / 255}
		})
		a2b := lutNTag(1, 3, 9, 256, func(_ int, x float64) float64 { return x }, grid, func(x float64) float64 { return x })
		return buildProfile(0x0210, "mntr", "RGB ", "Lab ", []iccTag{
			{"wtpt", xyzTag(d50)}, {"A2B0", a2b},
			{"rXYZ", xyzTag([3]float64{1, 0, 0})}, {"gXYZ", xyzTag([3]float64{0, 1, 0})}, {"bXYZ", xyzTag([3]float64{0, 0, 1})},
			{"rTRC", curvTag()}, {"gTRC", curvTag()}, {"bTRC", curvTag()},
		})
	},
	// v2 matrix/TRC whose colorants are not adapted to D50: sRGB's primaries
	// with a D65 white, a D65 wtpt and a chad. Little CMS uses colorants as
	// they are stored, so white comes out tinted.
	"unadapted-rgb": func() []byte {
		white := xyYToXYZ(0.3127, 0.3290)
		var p mat3
		for j, c := range [3][2]float64{{0.64, 0.33}, {0.30, 0.60}, {0.15, 0.06}} {
			xyz := xyYToXYZ(c[0], c[1])
			for i := range 3 {
				p[i][j] = xyz[i]
			}
		}
		pinv, _ := p.inverse()
		s := pinv.apply(white)
		col := func(j int) [3]float64 { return [3]float64{p[0][j] * s[j], p[1][j] * s[j], p[2][j] * s[j]} }
		chad := make([]byte, 8+36)
		copy(chad, "sf32")
		a := adaptation(white, d50)
		for i := range 9 {
			putS15(chad[8+4*i:], a[i/3][i%3])
		}
		gamma := paraTag(3, 2.4, 1/1.055, 0.055/1.055, 1/12.92, 0.04045)
		return buildProfile(0x0210, "mntr", "RGB ", "XYZ ", []iccTag{
			{"wtpt", xyzTag(white)}, {"chad", chad},
			{"rXYZ", xyzTag(col(0))}, {"gXYZ", xyzTag(col(1))}, {"bXYZ", xyzTag(col(2))},
			{"rTRC", gamma}, {"gTRC", gamma}, {"bTRC", gamma},
		})
	},
	// v4 gray with a Lab connection space: kTRC gives L*/100.
	"lab-gray": func() []byte {
		return buildProfile(0x0420, "mntr", "GRAY", "Lab ", []iccTag{{"wtpt", xyzTag(d50)}, {"kTRC", paraTag(0, 1.2)}})
	},
}

func TestSyntheticProfilesParse(t *testing.T) {
	for name, build := range syntheticProfiles {
		b := build()
		if _, err := Parse(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if *writeProfiles != "" {
			if err := os.WriteFile(filepath.Join(*writeProfiles, name+".icc"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
