package jpeg

import (
	"bytes"
	"math/bits"
)

// This file adds arithmetic coding (T.81 Annex D.1, the QM encoder, and
// the models of F.1.4 and G.1.3) to the test encoder, so that tests and
// benchmarks can make arithmetic-coded files of any layout with the same
// coefficients as their Huffman-coded twins. encOpts.sof 0xC9 is
// sequential, 0xCA progressive; encOpts.dac, when set, is written as a DAC
// segment before the first scan and its values are used.

// qmEncoder is the QM encoder of T.81 D.1 writing one entropy-coded segment.
type qmEncoder struct {
	out   *bytes.Buffer
	c, a  uint32
	ct    int
	buf   int // the byte that a carry may still change, or -1
	ffs   int // 0xFF bytes after buf that a carry would turn into 0x00
	zeros int // zero bytes held back: trailing ones are dropped (D.1.8)
}

func newQMEncoder(out *bytes.Buffer) *qmEncoder {
	return &qmEncoder{out: out, a: 0x10000, ct: 11, buf: -1}
}

// put writes one byte of coded data, stuffing a zero after 0xFF.
func (e *qmEncoder) put(b byte) {
	if b == 0 {
		e.zeros++
		return
	}
	for ; e.zeros > 0; e.zeros-- {
		e.out.WriteByte(0)
	}
	e.out.WriteByte(b)
	if b == 0xFF {
		e.out.WriteByte(0)
	}
}

// byteOut moves the top byte of C out (Byte_out, D.1.6), resolving carries.
func (e *qmEncoder) byteOut() {
	t := e.c >> 19
	switch {
	case t > 0xFF:
		e.put(byte(e.buf + 1))
		for ; e.ffs > 0; e.ffs-- {
			e.put(0)
		}
		e.buf = int(t & 0xFF)
	case t == 0xFF:
		e.ffs++
	default:
		if e.buf >= 0 {
			e.put(byte(e.buf))
		}
		for ; e.ffs > 0; e.ffs-- {
			e.put(0xFF)
		}
		e.buf = int(t)
	}
	e.c &= 0x7FFFF
}

func (e *qmEncoder) encode(bin *uint8, bit int) {
	s := *bin
	qe := uint32(qeTable[s&0x7F].qe)
	e.a -= qe
	if bit == int(s>>7) {
		if e.a >= 0x8000 {
			return
		}
		if e.a < qe {
			e.c += e.a
			e.a = qe
		}
		*bin = binAfterMPS[s]
	} else {
		if e.a >= qe {
			e.c += e.a
			e.a = qe
		}
		*bin = binAfterLPS[s]
	}
	for e.a < 0x8000 {
		e.a <<= 1
		e.c <<= 1
		if e.ct--; e.ct == 0 {
			e.byteOut()
			e.ct = 8
		}
	}
}

func (e *qmEncoder) encodeFixed(bit int) {
	bin := uint8(fixedState)
	e.encode(&bin, bit)
}

// flush ends the segment (Flush, D.1.8): C is set to the value in its
// interval with the most trailing zero bits, and trailing zeros are dropped.
func (e *qmEncoder) flush() {
	t := (e.c + e.a - 1) &^ 0xFFFF
	if t < e.c {
		t += 0x8000
	}
	e.c = t << e.ct
	e.byteOut()
	e.c <<= 8
	e.byteOut()
	if e.buf >= 0 {
		e.put(byte(e.buf))
	}
	for ; e.ffs > 0; e.ffs-- {
		e.put(0xFF)
	}
	e.zeros = 0
}

// arithModel is the encoder's side of the statistical models.
type arithModel struct {
	qm    *qmEncoder
	dc    [4][dcBins]uint8
	ac    [4][acBins]uint8
	cond  [4]arithConditioning
	dcCtx [4]int
	pred  [4]int32
}

func (m *arithModel) magnitude(st []uint8, first, x1, x2 int, sz int32) {
	e := m.qm
	if sz == 0 {
		e.encode(&st[first], 0)
		return
	}
	e.encode(&st[first], 1)
	if sz == 1 {
		e.encode(&st[x1], 0)
		return
	}
	e.encode(&st[x1], 1)
	mm, x := int32(2), x2
	for 2*mm <= sz {
		e.encode(&st[x], 1)
		mm <<= 1
		x++
	}
	e.encode(&st[x], 0)
	for bit := mm >> 1; bit != 0; bit >>= 1 {
		b := 0
		if sz&bit != 0 {
			b = 1
		}
		e.encode(&st[x+14], b)
	}
}

func (m *arithModel) dcDiff(ci, t int, diff int32) {
	st := m.dc[t][:]
	ctx := m.dcCtx[ci]
	if diff == 0 {
		m.qm.encode(&st[ctx], 0)
		m.dcCtx[ci] = 0
		return
	}
	m.qm.encode(&st[ctx], 1)
	sign, a := 0, diff
	if diff < 0 {
		sign, a = 1, -diff
	}
	m.qm.encode(&st[ctx+1], sign)
	sz := a - 1
	m.magnitude(st, ctx+2+sign, dcX1, dcX1+1, sz)
	top := int32(0)
	if sz > 0 {
		top = int32(1) << (bits.Len32(uint32(sz)) - 1)
	}
	cond := m.cond[t]
	switch {
	case top < int32(1)<<cond.l>>1:
		m.dcCtx[ci] = 0
	case top > int32(1)<<cond.u>>1:
		m.dcCtx[ci] = 12 + 4*sign
	default:
		m.dcCtx[ci] = 4 + 4*sign
	}
}

// acBand codes coefficients ss..se of b (zig-zag order), point-transformed
// by al, as a sequential or first progressive scan does.
func (m *arithModel) acBand(t int, b *[64]int32, ss, se, al int) {
	st := m.ac[t][:]
	e := m.qm
	var v [64]int32
	eob := ss - 1
	for k := ss; k <= se; k++ {
		a := b[k]
		if a < 0 {
			a = -a
		}
		if a >>= al; a != 0 {
			eob = k
			if b[k] < 0 {
				a = -a
			}
		}
		v[k] = a
	}
	for k := ss; k <= se; k++ {
		if k > eob {
			e.encode(&st[3*(k-1)], 1)
			return
		}
		e.encode(&st[3*(k-1)], 0)
		for v[k] == 0 {
			e.encode(&st[3*(k-1)+1], 0)
			k++
		}
		e.encode(&st[3*(k-1)+1], 1)
		a := v[k]
		if a < 0 {
			e.encodeFixed(1)
			a = -a
		} else {
			e.encodeFixed(0)
		}
		x2 := acXLow
		if k > int(m.cond[t].kx) {
			x2 = acXHi
		}
		m.magnitude(st, 3*(k-1)+2, 3*(k-1)+2, x2, a-1)
	}
}

// acRefine codes a refinement scan of coefficients ss..se of b.
func (m *arithModel) acRefine(t int, b *[64]int32, ss, se, al int) {
	st := m.ac[t][:]
	e := m.qm
	var abs [64]int32
	eobx, eob := 0, ss-1
	for k := 1; k <= se; k++ {
		a := b[k]
		if a < 0 {
			a = -a
		}
		abs[k] = a >> al
		if abs[k]>>1 != 0 {
			eobx = k
		}
		if k >= ss && abs[k] != 0 {
			eob = k
		}
	}
	for k := ss; k <= se; k++ {
		if k > eobx {
			if k > eob {
				e.encode(&st[3*(k-1)], 1)
				return
			}
			e.encode(&st[3*(k-1)], 0)
		}
		for {
			if abs[k]>>1 != 0 {
				e.encode(&st[3*(k-1)+2], int(abs[k]&1))
				break
			}
			if abs[k] != 0 {
				e.encode(&st[3*(k-1)+1], 1)
				if b[k] < 0 {
					e.encodeFixed(1)
				} else {
					e.encodeFixed(0)
				}
				break
			}
			e.encode(&st[3*(k-1)+1], 0)
			k++
		}
	}
}

// arithScan writes one arithmetic-coded scan: SOS and its data.
func (e *enc) arithScan(s encScan) {
	if s.restart > 0 {
		e.marker(0xDD, []byte{byte(s.restart >> 8), byte(s.restart)})
		e.o.restart = s.restart
	}
	if e.o.lateDQT {
		for _, ci := range s.comps {
			e.dqt(e.cs[ci].tq)
		}
	}
	sos := []byte{byte(len(s.comps))}
	for _, ci := range s.comps {
		t := min(ci, 1)
		sos = append(sos, e.cs[ci].id, byte(t<<4|t))
	}
	sos = append(sos, byte(s.ss), byte(s.se), byte(s.ah<<4|s.al))
	e.marker(0xDA, sos)

	progressive := e.o.sof == 0xCA
	m := &arithModel{cond: e.o.cond()}
	start := func() {
		m.qm = newQMEncoder(&e.out)
		m.dc, m.ac = [4][dcBins]uint8{}, [4][acBins]uint8{}
		m.dcCtx, m.pred = [4]int{}, [4]int32{}
	}
	start()
	block := func(ci int, b *[64]int32) {
		t := min(ci, 1)
		switch {
		case s.ss == 0 && s.ah != 0:
			m.qm.encodeFixed(int(b[0]>>s.al) & 1)
		case s.ss == 0:
			dc := b[0] >> s.al
			m.dcDiff(ci, t, dc-m.pred[ci])
			m.pred[ci] = dc
			if !progressive {
				m.acBand(t, b, 1, 63, 0)
			}
		case s.ah == 0:
			m.acBand(t, b, s.ss, s.se, s.al)
		default:
			m.acRefine(t, b, s.ss, s.se, s.al)
		}
	}
	var mcus, across int
	if len(s.comps) == 1 {
		c := &e.cs[s.comps[0]]
		across = (c.cw + 7) / 8
		mcus = across * ((c.ch + 7) / 8)
	} else {
		across, mcus = e.mcux, e.mcux*e.mcuy
	}
	ri := e.o.restart
	for n := 0; n < mcus; n++ {
		if ri > 0 && n > 0 && n%ri == 0 {
			m.qm.flush()
			e.out.Write([]byte{0xFF, byte(0xD0 + (n/ri-1)&7)})
			start()
		}
		mx, my := n%across, n/across
		for _, ci := range s.comps {
			c := &e.cs[ci]
			if len(s.comps) == 1 {
				block(ci, &c.coef[my*c.bw+mx])
				continue
			}
			for y := 0; y < c.v; y++ {
				for x := 0; x < c.h; x++ {
					block(ci, &c.coef[(my*c.v+y)*c.bw+mx*c.h+x])
				}
			}
		}
	}
	m.qm.flush()
}

// cond returns the conditioning the DAC segment o.dac sets, over the defaults.
func (o *encOpts) cond() [4]arithConditioning {
	c := [4]arithConditioning{defaultConditioning, defaultConditioning, defaultConditioning, defaultConditioning}
	for i := 0; i+1 < len(o.dac); i += 2 {
		tc, tb, cs := o.dac[i]>>4, o.dac[i]&3, o.dac[i+1]
		if tc == 1 {
			c[tb].kx = cs
		} else {
			c[tb].l, c[tb].u = cs&15, cs>>4
		}
	}
	return c
}
