package icc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// lut is a device-to-PCS lookup table in the order ICC lutAtoB applies it:
// A curves, multidimensional table, M curves, matrix, B curves. The lut8 and
// lut16 types map onto it as input tables, table and output tables. Values
// between stages are normalized to [0, 1] for table lookups.
type lut struct {
	in      int
	aCurves []*curve // in curves, or nil for none
	clut    *clut    // nil when in is 3 and there is no table
	mCurves []*curve // 3 curves, or nil
	matrix  *[12]float64
	bCurves []*curve // 3 curves, or nil
	// legacyLab says a Lab output uses the lut16 encoding, where L* 100
	// is 0xFF00 rather than 0xFFFF.
	legacyLab bool
}

// clut is a multidimensional table of 3 outputs with grid[i] points along
// input i, the first input varying slowest.
type clut struct {
	grid   []int
	stride []int // in entries of 3 outputs
	data   []uint16
}

// maxGridPoints bounds the points along one table dimension.
const maxGridPoints = 255

// parseLUT decodes an A2B tag of type lut8 (mft1), lut16 (mft2) or lutAtoB
// (mAB) for a profile of in device channels.
func parseLUT(t []byte, in int) (*lut, error) {
	if len(t) < 12 {
		return nil, fmt.Errorf("table of %d bytes", len(t))
	}
	typ := string(t[:4])
	tin, tout := int(t[8]), int(t[9])
	if tin != in || tout != 3 {
		return nil, fmt.Errorf("%s with %d inputs and %d outputs for %d channels to a 3-channel PCS", typ, tin, tout, in)
	}
	switch typ {
	case "mft1":
		return parseLutN(t, in, 1)
	case "mft2":
		return parseLutN(t, in, 2)
	case "mAB ":
		return parseLutAtoB(t, in)
	}
	return nil, fmt.Errorf("table type %q", typ)
}

// parseLutN decodes a lut8 (bytes 1) or lut16 (bytes 2) table. Its 3x3
// matrix applies only to XYZ input, never to device values, so it is skipped.
func parseLutN(t []byte, in, bytes int) (*lut, error) {
	points := int(t[10])
	inEntries, outEntries, pos := 256, 256, 48
	if bytes == 2 {
		if len(t) < 52 {
			return nil, errors.New("truncated lut16 header")
		}
		inEntries, outEntries, pos = int(binary.BigEndian.Uint16(t[48:])), int(binary.BigEndian.Uint16(t[50:])), 52
		if inEntries < 2 || outEntries < 2 || inEntries > 4096 || outEntries > 4096 {
			return nil, fmt.Errorf("lut16 with %d input and %d output table entries", inEntries, outEntries)
		}
	}
	if points < 2 {
		return nil, fmt.Errorf("table of %d grid points", points)
	}
	read := func(n int) ([]float64, error) {
		if pos+n*bytes > len(t) {
			return nil, errors.New("truncated table")
		}
		v := make([]float64, n)
		for i := range v {
			if bytes == 1 {
				v[i] = float64(t[pos+i]) / 255
			} else {
				v[i] = float64(binary.BigEndian.Uint16(t[pos+2*i:])) / 65535
			}
		}
		pos += n * bytes
		return v, nil
	}
	l := &lut{in: in, legacyLab: bytes == 2}
	for range in {
		v, err := read(inEntries)
		if err != nil {
			return nil, err
		}
		l.aCurves = append(l.aCurves, tableCurve(v))
	}
	grid := make([]int, in)
	for i := range grid {
		grid[i] = points
	}
	c, n, err := parseCLUT(t[pos:], grid, bytes)
	if err != nil {
		return nil, err
	}
	l.clut, pos = c, pos+n
	for range 3 {
		v, err := read(outEntries)
		if err != nil {
			return nil, err
		}
		l.bCurves = append(l.bCurves, tableCurve(v))
	}
	return l, nil
}

// parseCLUT decodes a table with the given grid of 3-output entries of
// bytes (1 or 2) each at the start of t, returning it and its size.
func parseCLUT(t []byte, grid []int, bytes int) (*clut, int, error) {
	c := &clut{grid: grid, stride: make([]int, len(grid))}
	entries := 1
	for i := len(grid) - 1; i >= 0; i-- {
		if grid[i] < 2 || grid[i] > maxGridPoints {
			return nil, 0, fmt.Errorf("table of %d grid points", grid[i])
		}
		c.stride[i] = entries
		entries *= grid[i]
		if entries*3*bytes > len(t) {
			return nil, 0, fmt.Errorf("table of %v points does not fit in %d bytes", grid, len(t))
		}
	}
	c.data = make([]uint16, entries*3)
	for i := range c.data {
		if bytes == 1 {
			c.data[i] = uint16(t[i]) * 257
		} else {
			c.data[i] = binary.BigEndian.Uint16(t[2*i:])
		}
	}
	return c, entries * 3 * bytes, nil
}

// parseLutAtoB decodes a lutAtoB (mAB ) table.
func parseLutAtoB(t []byte, in int) (*lut, error) {
	if len(t) < 32 {
		return nil, errors.New("truncated lutAtoB header")
	}
	offB, offMatrix, offM, offCLUT, offA := binary.BigEndian.Uint32(t[12:]), binary.BigEndian.Uint32(t[16:]),
		binary.BigEndian.Uint32(t[20:]), binary.BigEndian.Uint32(t[24:]), binary.BigEndian.Uint32(t[28:])
	for _, off := range []uint32{offB, offMatrix, offM, offCLUT, offA} {
		if off != 0 && (off < 32 || uint64(off) >= uint64(len(t))) {
			return nil, fmt.Errorf("lutAtoB element at %d outside its %d bytes", off, len(t))
		}
	}
	l := &lut{in: in}
	var err error
	if offB == 0 {
		return nil, errors.New("lutAtoB without B curves")
	}
	if l.bCurves, err = parseCurves(t[offB:], 3); err != nil {
		return nil, fmt.Errorf("B curves: %w", err)
	}
	if offM != 0 {
		if l.mCurves, err = parseCurves(t[offM:], 3); err != nil {
			return nil, fmt.Errorf("M curves: %w", err)
		}
	}
	if offMatrix != 0 {
		m := t[offMatrix:]
		if len(m) < 48 {
			return nil, errors.New("truncated lutAtoB matrix")
		}
		l.matrix = new([12]float64)
		for i := range l.matrix {
			l.matrix[i] = s15f16(m[4*i:])
		}
	}
	if offA != 0 {
		if l.aCurves, err = parseCurves(t[offA:], in); err != nil {
			return nil, fmt.Errorf("A curves: %w", err)
		}
	}
	if offCLUT != 0 {
		c := t[offCLUT:]
		if len(c) < 20 {
			return nil, errors.New("truncated lutAtoB table")
		}
		grid := make([]int, in)
		for i := range grid {
			grid[i] = int(c[i])
		}
		precision := int(c[16])
		if precision != 1 && precision != 2 {
			return nil, fmt.Errorf("lutAtoB table precision %d", precision)
		}
		if l.clut, _, err = parseCLUT(c[20:], grid, precision); err != nil {
			return nil, err
		}
	} else if in != 3 {
		return nil, fmt.Errorf("lutAtoB from %d channels without a table", in)
	}
	return l, nil
}

// parseCurves decodes n curves stored one after another, each padded to a
// multiple of four bytes.
func parseCurves(t []byte, n int) ([]*curve, error) {
	curves := make([]*curve, n)
	pos := 0
	for i := range curves {
		if pos >= len(t) {
			return nil, errors.New("truncated")
		}
		c, size, err := parseCurve(t[pos:])
		if err != nil {
			return nil, err
		}
		curves[i] = c
		pos += (size + 3) &^ 3
	}
	return curves, nil
}

// eval maps device values v (len l.in, each in [0, 1]) to the normalized
// PCS encoding.
func (l *lut) eval(v []float64) [3]float64 {
	var buf [maxChannels]float64
	x := buf[:len(v)]
	copy(x, v)
	for i, c := range l.aCurves {
		x[i] = c.eval(x[i])
	}
	var y [3]float64
	if l.clut != nil {
		y = l.clut.eval(x)
	} else {
		copy(y[:], x)
	}
	for i, c := range l.mCurves {
		y[i] = c.eval(y[i])
	}
	if m := l.matrix; m != nil {
		y = [3]float64{
			m[0]*y[0] + m[1]*y[1] + m[2]*y[2] + m[9],
			m[3]*y[0] + m[4]*y[1] + m[5]*y[2] + m[10],
			m[6]*y[0] + m[7]*y[1] + m[8]*y[2] + m[11],
		}
	}
	for i, c := range l.bCurves {
		y[i] = c.eval(y[i])
	}
	return y
}

// maxChannels is the most device channels a Profile has.
const maxChannels = 4

// eval interpolates the table at x (each clamped to [0, 1]): tetrahedrally
// over the last three inputs and linearly along each input before them, as
// Little CMS does; linearly for fewer than three inputs.
func (c *clut) eval(x []float64) [3]float64 {
	return c.evalFrom(0, 0, x)
}

// evalFrom interpolates the dimensions from dim on, inside the slice of
// the table that starts at entry base.
func (c *clut) evalFrom(dim, base int, x []float64) [3]float64 {
	left := len(c.grid) - dim
	if left == 3 {
		return c.tetra(dim, base, x)
	}
	i0, i1, f := c.cell(dim, x[dim])
	a := c.at(dim, base+i0*c.stride[dim], x)
	if f == 0 {
		return a
	}
	b := c.at(dim, base+i1*c.stride[dim], x)
	return [3]float64{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1]), a[2] + f*(b[2]-a[2])}
}

// at interpolates the dimensions after dim inside the slice that starts at
// entry base, or returns that entry when dim is the last.
func (c *clut) at(dim, base int, x []float64) [3]float64 {
	if dim+1 == len(c.grid) {
		return c.entry(base)
	}
	return c.evalFrom(dim+1, base, x)
}

// cell returns the grid points on either side of x along dimension dim and
// x's fraction of the way between them.
func (c *clut) cell(dim int, x float64) (i0, i1 int, f float64) {
	pos := clamp01(x) * float64(c.grid[dim]-1)
	i0 = int(pos)
	if i0 >= c.grid[dim]-1 {
		return c.grid[dim] - 1, c.grid[dim] - 1, 0
	}
	return i0, i0 + 1, pos - float64(i0)
}

// entry returns the 3 outputs at entry index i, normalized.
func (c *clut) entry(i int) [3]float64 {
	d := c.data[3*i : 3*i+3 : 3*i+3]
	return [3]float64{float64(d[0]) / 65535, float64(d[1]) / 65535, float64(d[2]) / 65535}
}

// tetra interpolates the three dimensions dim, dim+1, dim+2 from base. Of
// the six tetrahedra around the cube's main diagonal it picks the one that
// holds the point, walking from the near corner to the far one along the
// axes in the order of decreasing fraction.
func (c *clut) tetra(dim, base int, x []float64) [3]float64 {
	x0, x1, fx := c.cell(dim, x[dim])
	y0, y1, fy := c.cell(dim+1, x[dim+1])
	z0, z1, fz := c.cell(dim+2, x[dim+2])
	sx, sy, sz := c.stride[dim], c.stride[dim+1], c.stride[dim+2]
	// dx, dy, dz step from the near to the far side along each axis.
	dx, dy, dz := (x1-x0)*sx, (y1-y0)*sy, (z1-z0)*sz
	var first, second int  // offsets of the walk's second and third corners
	var f1, f2, f3 float64 // the fractions in walk order
	switch {
	case fx >= fy && fy >= fz:
		first, second, f1, f2, f3 = dx, dx+dy, fx, fy, fz
	case fx >= fz && fz >= fy:
		first, second, f1, f2, f3 = dx, dx+dz, fx, fz, fy
	case fz >= fx && fx >= fy:
		first, second, f1, f2, f3 = dz, dx+dz, fz, fx, fy
	case fy >= fx && fx >= fz:
		first, second, f1, f2, f3 = dy, dx+dy, fy, fx, fz
	case fy >= fz && fz >= fx:
		first, second, f1, f2, f3 = dy, dy+dz, fy, fz, fx
	default:
		first, second, f1, f2, f3 = dz, dy+dz, fz, fy, fx
	}
	o := base + x0*sx + y0*sy + z0*sz
	c0, c1, c2, c3 := c.entry(o), c.entry(o+first), c.entry(o+second), c.entry(o+dx+dy+dz)
	var out [3]float64
	for k := range out {
		out[k] = c0[k] + f1*(c1[k]-c0[k]) + f2*(c2[k]-c1[k]) + f3*(c3[k]-c2[k])
	}
	return out
}
