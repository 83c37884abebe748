package icc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// curve is a one-dimensional transfer function on [0, 1]: the identity, a
// pure gamma, a table sampled at equal steps, or one of the five ICC
// parametric functions.
type curve struct {
	kind   curveKind
	table  []float64 // curveTable: samples at equal steps of [0, 1]
	ptype  int       // curveParametric: the ICC function type, 0-4
	params [7]float64
}

type curveKind uint8

const (
	curveIdentity curveKind = iota
	curveTable
	curveParametric // also a curv gamma, as type 0
)

// paramCounts is the number of parameters of each ICC parametric function type.
var paramCounts = [5]int{1, 3, 4, 5, 7}

// maxCurveEntries bounds the entries of a curv table; real ones have at most
// 4096, lcms accepts up to 65530.
const maxCurveEntries = 65536

// parseCurve decodes a curv or para element at the start of t and returns it
// with the number of bytes it occupies.
func parseCurve(t []byte) (*curve, int, error) {
	if t == nil {
		return nil, 0, errors.New("missing")
	}
	if len(t) < 12 {
		return nil, 0, fmt.Errorf("curve of %d bytes", len(t))
	}
	switch string(t[:4]) {
	case "curv":
		n := binary.BigEndian.Uint32(t[8:])
		if n > maxCurveEntries || 12+2*uint64(n) > uint64(len(t)) {
			return nil, 0, fmt.Errorf("curv of %d entries does not fit in %d bytes", n, len(t))
		}
		size := 12 + 2*int(n)
		switch n {
		case 0:
			return &curve{kind: curveIdentity}, size, nil
		case 1:
			g := float64(binary.BigEndian.Uint16(t[12:])) / 256
			return &curve{kind: curveParametric, ptype: 0, params: [7]float64{g}}, size, nil
		}
		table := make([]float64, n)
		for i := range table {
			table[i] = float64(binary.BigEndian.Uint16(t[12+2*i:])) / 65535
		}
		return &curve{kind: curveTable, table: table}, size, nil
	case "para":
		typ := int(binary.BigEndian.Uint16(t[8:]))
		if typ >= len(paramCounts) {
			return nil, 0, fmt.Errorf("para function type %d", typ)
		}
		size := 12 + 4*paramCounts[typ]
		if len(t) < size {
			return nil, 0, fmt.Errorf("para type %d in %d bytes", typ, len(t))
		}
		c := &curve{kind: curveParametric, ptype: typ}
		for i := range paramCounts[typ] {
			c.params[i] = s15f16(t[12+4*i:])
		}
		return c, size, nil
	}
	return nil, 0, fmt.Errorf("curve type %q", string(t[:4]))
}

// tableCurve returns the curve whose samples, equally spaced over [0, 1], are v.
func tableCurve(v []float64) *curve {
	return &curve{kind: curveTable, table: v}
}

// eval returns the curve's value at x. Tables are clamped to their ends;
// parametric functions are evaluated as the ICC specification defines them,
// with a negative base giving 0 rather than NaN.
func (c *curve) eval(x float64) float64 {
	switch c.kind {
	case curveIdentity:
		return x
	case curveTable:
		return interp1(c.table, x)
	}
	p := &c.params
	g, a, b, cc, d, e, f := p[0], p[1], p[2], p[3], p[4], p[5], p[6]
	switch c.ptype {
	case 0:
		return pow(x, g)
	case 1:
		if a != 0 && x >= -b/a {
			return pow(a*x+b, g)
		}
		return 0
	case 2:
		if a != 0 && x >= -b/a {
			return pow(a*x+b, g) + cc
		}
		return cc
	case 3:
		if x >= d {
			return pow(a*x+b, g)
		}
		return cc * x
	default:
		if x >= d {
			return pow(a*x+b, g) + e
		}
		return cc*x + f
	}
}

// pow is math.Pow for a non-negative base; a negative or NaN base gives 0.
func pow(base, exp float64) float64 {
	if !(base > 0) {
		if base == 0 && exp == 0 {
			return 1
		}
		return 0
	}
	return math.Pow(base, exp)
}

// interp1 linearly interpolates table, whose samples are equally spaced
// over [0, 1], at x clamped to [0, 1].
func interp1(table []float64, x float64) float64 {
	n := len(table)
	if n == 1 {
		return table[0]
	}
	pos := clamp01(x) * float64(n-1)
	i := int(pos)
	if i >= n-1 {
		return table[n-1]
	}
	frac := pos - float64(i)
	return table[i] + frac*(table[i+1]-table[i])
}

// clamp01 limits x to [0, 1], mapping NaN to 0.
func clamp01(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}
