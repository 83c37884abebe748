package jpeg

import (
	"bytes"
	"math"
	"math/bits"
	"sort"
)

// This file is a small JPEG encoder for tests. It can emit any sampling
// factors, sequential (interleaved or one scan per component) or
// progressive scan scripts with spectral selection and successive
// approximation, restart intervals, DRI/DQT/DHT segments between scans,
// and JFIF or Adobe APP14 markers. Huffman tables are optimised per scan
// (T.81 K.2), so code lengths vary and EOB runs appear.

type encComp struct {
	id   byte
	h, v int
	tq   int
}

type encScan struct {
	comps          []int
	ss, se, ah, al int
	restart        int // if > 0, a DRI segment before this scan
	dqt            bool
}

type encOpts struct {
	comps        []encComp
	quant        [4][64]int32 // natural order
	sof          byte         // 0xC0 by default
	scans        []encScan    // default: one interleaved sequential scan
	restart      int
	adobe        int // APP14 transform, or -1 for no APP14
	jfif         bool
	q16          bool // 16-bit DQT entries
	lateDQT      bool // DQT for tables other than 0 just before the first scan that needs them
	noInterleave bool
	dac          []byte // a DAC segment's payload, for arithmetic coding
}

// encoder state for one image.
type enc struct {
	o          encOpts
	w, h       int
	hmax, vmax int
	mcux, mcuy int
	cs         []encCompState
	out        bytes.Buffer
	dqtDone    [4]bool
}

type encCompState struct {
	encComp
	cw, ch, bw, bh int
	coef           [][64]int32 // per block, zig-zag order
}

var encZigzag = func() (z [64]int) {
	for k := 0; k < 64; k++ {
		z[k] = int(zigzag[k])
	}
	return
}()

// encode encodes planes (one w x h plane per component, full resolution).
func encode(w, h int, planes [][]byte, o encOpts) []byte {
	if o.sof == 0 {
		o.sof = 0xC0
	}
	e := &enc{o: o, w: w, h: h, hmax: 1, vmax: 1}
	n := len(o.comps)
	for _, c := range o.comps {
		hh, vv := c.h, c.v
		if n == 1 {
			hh, vv = 1, 1
		}
		e.hmax, e.vmax = max(e.hmax, hh), max(e.vmax, vv)
	}
	e.mcux = (w + 8*e.hmax - 1) / (8 * e.hmax)
	e.mcuy = (h + 8*e.vmax - 1) / (8 * e.vmax)
	for i, c := range o.comps {
		s := encCompState{encComp: c}
		if n == 1 {
			s.h, s.v = 1, 1
		}
		s.cw = (w*s.h + e.hmax - 1) / e.hmax
		s.ch = (h*s.v + e.vmax - 1) / e.vmax
		s.bw, s.bh = e.mcux*s.h, e.mcuy*s.v
		s.coef = e.transform(planes[i], &s)
		e.cs = append(e.cs, s)
	}

	e.marker(0xD8, nil)
	if o.jfif {
		e.marker(0xE0, []byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00"))
	}
	if o.adobe >= 0 {
		e.marker(0xEE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, byte(o.adobe)})
	}
	for t := 0; t < 4; t++ {
		if !o.lateDQT || t == 0 {
			e.dqt(t)
		}
	}
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(n)}
	for _, c := range o.comps {
		sof = append(sof, c.id, byte(c.h<<4|c.v), byte(c.tq))
	}
	e.marker(o.sof, sof)
	if o.restart > 0 {
		e.marker(0xDD, []byte{byte(o.restart >> 8), byte(o.restart)})
	}
	scans := o.scans
	if scans == nil {
		if o.noInterleave {
			for i := range o.comps {
				scans = append(scans, encScan{comps: []int{i}, se: 63})
			}
		} else {
			all := make([]int, n)
			for i := range all {
				all[i] = i
			}
			scans = []encScan{{comps: all, se: 63}}
		}
	}
	if o.dac != nil {
		e.marker(0xCC, o.dac)
	}
	for _, s := range scans {
		if o.sof == 0xC9 || o.sof == 0xCA {
			e.arithScan(s)
			continue
		}
		e.scan(s)
	}
	e.marker(0xD9, nil)
	return e.out.Bytes()
}

func (e *enc) marker(m byte, payload []byte) {
	e.out.Write([]byte{0xFF, m})
	if m == 0xD8 || m == 0xD9 {
		return
	}
	e.out.Write([]byte{byte((len(payload) + 2) >> 8), byte(len(payload) + 2)})
	e.out.Write(payload)
}

func (e *enc) dqt(t int) {
	used := false
	for _, c := range e.o.comps {
		used = used || c.tq == t
	}
	if !used || e.dqtDone[t] {
		return
	}
	e.dqtDone[t] = true
	var p []byte
	if e.o.q16 {
		p = append(p, 0x10|byte(t))
		for k := 0; k < 64; k++ {
			q := e.o.quant[t][encZigzag[k]]
			p = append(p, byte(q>>8), byte(q))
		}
	} else {
		p = append(p, byte(t))
		for k := 0; k < 64; k++ {
			p = append(p, byte(e.o.quant[t][encZigzag[k]]))
		}
	}
	e.marker(0xDB, p)
}

// transform downsamples, pads, forward-DCTs and quantises one component.
func (e *enc) transform(plane []byte, s *encCompState) [][64]int32 {
	fx, fy := e.hmax/s.h, e.vmax/s.v
	pw, ph := s.bw*8, s.bh*8
	smp := make([]float64, pw*ph)
	for y := 0; y < ph; y++ {
		for x := 0; x < pw; x++ {
			sx, sy := min(x, s.cw-1), min(y, s.ch-1)
			sum, n := 0.0, 0.0
			for yy := sy * fy; yy < min(sy*fy+fy, e.h); yy++ {
				for xx := sx * fx; xx < min(sx*fx+fx, e.w); xx++ {
					sum += float64(plane[yy*e.w+xx])
					n++
				}
			}
			smp[y*pw+x] = sum/n - 128
		}
	}
	var cosT [8][8]float64
	for x := 0; x < 8; x++ {
		for u := 0; u < 8; u++ {
			cu := 1.0
			if u == 0 {
				cu = 1 / math.Sqrt2
			}
			cosT[x][u] = cu / 2 * math.Cos(float64(2*x+1)*float64(u)*math.Pi/16)
		}
	}
	q := &e.o.quant[s.tq]
	out := make([][64]int32, s.bw*s.bh)
	for by := 0; by < s.bh; by++ {
		for bx := 0; bx < s.bw; bx++ {
			var tmp [8][8]float64 // [y][u]
			for y := 0; y < 8; y++ {
				for u := 0; u < 8; u++ {
					for x := 0; x < 8; x++ {
						tmp[y][u] += cosT[x][u] * smp[(by*8+y)*pw+bx*8+x]
					}
				}
			}
			b := &out[by*s.bw+bx]
			for k := 0; k < 64; k++ {
				nat := encZigzag[k]
				v, u := nat/8, nat%8
				f := 0.0
				for y := 0; y < 8; y++ {
					f += cosT[y][v] * tmp[y][u]
				}
				b[k] = int32(math.Round(f / float64(q[nat])))
			}
		}
	}
	return out
}

// sink receives the symbols and bits of a scan: first to count symbol
// frequencies, then to write them with the resulting tables.
type sink interface {
	sym(class, table int, s byte)
	bits(v uint32, n int)
	restart(i int)
}

type counter struct{ freq [2][4][256]int }

func (c *counter) sym(class, table int, s byte) { c.freq[class][table][s]++ }
func (c *counter) bits(uint32, int)             {}
func (c *counter) restart(int)                  {}

type writer struct {
	out   *bytes.Buffer
	acc   uint32
	n     int
	codes [2][4][256]uint16
	lens  [2][4][256]int
}

func (w *writer) sym(class, table int, s byte) {
	w.bits(uint32(w.codes[class][table][s]), w.lens[class][table][s])
}

func (w *writer) bits(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | v>>i&1
		w.n++
		if w.n == 8 {
			w.out.WriteByte(byte(w.acc))
			if byte(w.acc) == 0xFF {
				w.out.WriteByte(0)
			}
			w.acc, w.n = 0, 0
		}
	}
}

func (w *writer) flush() {
	for w.n != 0 {
		w.bits(1, 1)
	}
}

func (w *writer) restart(i int) {
	w.flush()
	w.out.Write([]byte{0xFF, byte(0xD0 + i%8)})
}

// huffLengths computes code lengths limited to 16 bits (T.81 K.2, figures
// K.1 to K.3) and returns BITS and HUFFVAL.
func huffLengths(freq *[256]int) (counts [16]byte, vals []byte) {
	var f [257]int
	copy(f[:], freq[:])
	f[256] = 1 // reserves the all-ones code
	var size [257]int
	others := [257]int{}
	for i := range others {
		others[i] = -1
	}
	for {
		v1, v2 := -1, -1
		for i := 256; i >= 0; i-- { // ties: the larger symbol first, as K.1
			if f[i] > 0 && (v1 < 0 || f[i] < f[v1]) {
				v1 = i
			}
		}
		for i := 256; i >= 0; i-- {
			if f[i] > 0 && i != v1 && (v2 < 0 || f[i] < f[v2]) {
				v2 = i
			}
		}
		if v2 < 0 {
			break
		}
		f[v1] += f[v2]
		f[v2] = 0
		for size[v1]++; others[v1] >= 0; size[v1]++ {
			v1 = others[v1]
		}
		others[v1] = v2
		for size[v2]++; others[v2] >= 0; size[v2]++ {
			v2 = others[v2]
		}
	}
	var nb [33]int
	for _, s := range size {
		if s > 0 {
			nb[s]++
		}
	}
	for i := 32; i > 16; i-- {
		for nb[i] > 0 {
			j := i - 2
			for nb[j] == 0 {
				j--
			}
			nb[i] -= 2
			nb[i-1]++
			nb[j+1] += 2
			nb[j]--
		}
	}
	i := 16
	for nb[i] == 0 {
		i--
	}
	nb[i]--
	for l := 1; l <= 16; l++ {
		counts[l-1] = byte(nb[l])
	}
	type sv struct{ size, sym int }
	var list []sv
	for s := 0; s < 256; s++ {
		if size[s] > 0 {
			list = append(list, sv{size[s], s})
		}
	}
	sort.Slice(list, func(a, b int) bool {
		if list[a].size != list[b].size {
			return list[a].size < list[b].size
		}
		return list[a].sym < list[b].sym
	})
	for _, x := range list {
		vals = append(vals, byte(x.sym))
	}
	return
}

func (e *enc) scan(s encScan) {
	if s.restart > 0 {
		e.marker(0xDD, []byte{byte(s.restart >> 8), byte(s.restart)})
		e.o.restart = s.restart
	}
	if e.o.lateDQT {
		for _, ci := range s.comps {
			e.dqt(e.cs[ci].tq)
		}
	}
	var cnt counter
	e.scanData(s, &cnt)
	w := &writer{out: &e.out}
	var dht []byte
	for class := 0; class < 2; class++ {
		for t := 0; t < 4; t++ {
			f := &cnt.freq[class][t]
			used := false
			for _, n := range f {
				used = used || n > 0
			}
			if !used {
				continue
			}
			counts, vals := huffLengths(f)
			dht = append(dht, byte(class<<4|t))
			dht = append(dht, counts[:]...)
			dht = append(dht, vals...)
			code, k := uint16(0), 0
			for l := 1; l <= 16; l++ {
				for i := 0; i < int(counts[l-1]); i++ {
					w.codes[class][t][vals[k]] = code
					w.lens[class][t][vals[k]] = l
					code++
					k++
				}
				code <<= 1
			}
		}
	}
	e.marker(0xC4, dht)
	sos := []byte{byte(len(s.comps))}
	for _, ci := range s.comps {
		t := min(ci, 1)
		sos = append(sos, e.cs[ci].id, byte(t<<4|t))
	}
	sos = append(sos, byte(s.ss), byte(s.se), byte(s.ah<<4|s.al))
	e.marker(0xDA, sos)
	e.scanData(s, w)
	w.flush()
}

type scanState struct {
	out    sink
	eobrun int
	be     []uint32
	tab    int
}

func (st *scanState) flushEOB() {
	if st.eobrun > 0 {
		n := bits.Len(uint(st.eobrun)) - 1
		st.out.sym(1, st.tab, byte(n<<4))
		st.out.bits(uint32(st.eobrun), n)
		st.eobrun = 0
	}
	for _, b := range st.be {
		st.out.bits(b, 1)
	}
	st.be = st.be[:0]
}

func magnitude(v int32) (uint32, int) {
	a := v
	if a < 0 {
		a = -a
	}
	n := bits.Len32(uint32(a))
	if v < 0 {
		v--
	}
	return uint32(v) & (1<<n - 1), n
}

func (e *enc) scanData(s encScan, out sink) {
	st := &scanState{out: out}
	var pred [4]int32
	var mcus, across int
	if len(s.comps) == 1 {
		c := &e.cs[s.comps[0]]
		across = (c.cw + 7) / 8
		mcus = across * ((c.ch + 7) / 8)
	} else {
		across, mcus = e.mcux, e.mcux*e.mcuy
	}
	ri := e.o.restart
	for m := 0; m < mcus; m++ {
		if ri > 0 && m > 0 && m%ri == 0 {
			st.flushEOB()
			out.restart(m/ri - 1)
			pred = [4]int32{}
		}
		mx, my := m%across, m/across
		for _, ci := range s.comps {
			c := &e.cs[ci]
			st.tab = min(ci, 1)
			if len(s.comps) == 1 {
				e.block(st, s, &c.coef[my*c.bw+mx], &pred[ci])
				continue
			}
			for y := 0; y < c.v; y++ {
				for x := 0; x < c.h; x++ {
					e.block(st, s, &c.coef[(my*c.v+y)*c.bw+mx*c.h+x], &pred[ci])
				}
			}
		}
	}
	st.flushEOB()
}

func (e *enc) block(st *scanState, s encScan, b *[64]int32, pred *int32) {
	out := st.out
	progressive := e.o.sof == 0xC2
	if s.ss == 0 {
		if s.ah != 0 {
			out.bits(uint32(b[0]>>s.al)&1, 1)
			return
		}
		dc := b[0] >> s.al
		v, n := magnitude(dc - *pred)
		*pred = dc
		out.sym(0, st.tab, byte(n))
		out.bits(v, n)
		if progressive {
			return
		}
	}
	ss := max(s.ss, 1)
	if s.ah == 0 {
		r := 0
		for k := ss; k <= s.se; k++ {
			c := b[k]
			a := c
			if a < 0 {
				a = -a
			}
			a >>= s.al
			if a == 0 {
				r++
				continue
			}
			st.flushEOB()
			for ; r > 15; r -= 16 {
				out.sym(1, st.tab, 0xF0)
			}
			if c < 0 {
				a = -a
			}
			v, n := magnitude(a)
			out.sym(1, st.tab, byte(r<<4|n))
			out.bits(v, n)
			r = 0
		}
		if r > 0 {
			st.eobrun++
			if st.eobrun == 0x7FFF || !progressive {
				st.flushEOB()
			}
		}
		return
	}
	var abs [64]int32
	eob := 0
	for k := ss; k <= s.se; k++ {
		a := b[k]
		if a < 0 {
			a = -a
		}
		abs[k] = a >> s.al
		if abs[k] == 1 {
			eob = k
		}
	}
	r := 0
	var br []uint32
	for k := ss; k <= s.se; k++ {
		a := abs[k]
		if a == 0 {
			r++
			continue
		}
		for r > 15 && k <= eob {
			st.flushEOB()
			out.sym(1, st.tab, 0xF0)
			r -= 16
			for _, x := range br {
				out.bits(x, 1)
			}
			br = br[:0]
		}
		if a > 1 {
			br = append(br, uint32(a&1))
			continue
		}
		st.flushEOB()
		out.sym(1, st.tab, byte(r<<4|1))
		sign := uint32(0)
		if b[k] > 0 {
			sign = 1
		}
		out.bits(sign, 1)
		for _, x := range br {
			out.bits(x, 1)
		}
		br = br[:0]
		r = 0
	}
	if r > 0 || len(br) > 0 {
		st.eobrun++
		st.be = append(st.be, br...)
		if st.eobrun == 0x7FFF || len(st.be) > 900 {
			st.flushEOB()
		}
	}
}
