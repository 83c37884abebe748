package jpeg

import (
	"bytes"
	"fmt"
	"math/bits"
)

// scanComp is one component of a scan.
type scanComp struct {
	c      *component
	dc, ac *huffTable
	// dcTable and acTable are the scan's table selectors Td and Ta: for
	// arithmetic coding, the conditioning tables and statistics areas.
	dcTable, acTable int
}

func (d *decoder) processSOS(seg []byte) error {
	if d.ncomp == 0 {
		return formatError("missing SOF marker")
	}
	n := len(seg)
	if n < 6 || n > 4+2*d.ncomp || n%2 != 0 {
		return formatError("SOS has wrong length")
	}
	ns := int(seg[0])
	if n != 4+2*ns {
		return formatError("SOS length inconsistent with number of components")
	}
	if d.scans == 0 {
		if d.leftToStd() {
			return errUnsupported
		}
	}
	var sc [4]scanComp
	totalHV := 0
	for i := 0; i < ns; i++ {
		id := seg[1+2*i]
		var c *component
		for j := 0; j < d.ncomp; j++ {
			if d.comp[j].id == id {
				c = &d.comp[j]
			}
		}
		if c == nil {
			return formatError("unknown component selector")
		}
		for j := 0; j < i; j++ {
			if sc[j].c == c {
				return formatError("repeated component selector")
			}
		}
		totalHV += c.h * c.v
		td, ta := seg[2+2*i]>>4, seg[2+2*i]&15
		if td > 3 || d.baseline && td > 1 {
			return formatError("bad Td value")
		}
		if ta > 3 || d.baseline && ta > 1 {
			return formatError("bad Ta value")
		}
		sc[i] = scanComp{c, &d.huff[0][td], &d.huff[1][ta], int(td), int(ta)}
	}
	if d.ncomp > 1 && totalHV > 10 {
		return formatError("total sampling factors too large")
	}
	ss, se, ah, al := 0, 63, 0, 0
	if d.progressive {
		ss, se = int(seg[1+2*ns]), int(seg[2+2*ns])
		ah, al = int(seg[3+2*ns]>>4), int(seg[3+2*ns]&15)
		if ss == 0 && se != 0 || ss > se || se > 63 {
			return formatError("bad spectral selection bounds")
		}
		if ss != 0 && ns != 1 {
			return formatError("progressive AC coefficients for more than one component")
		}
		if ah != 0 && ah != al+1 {
			return formatError("bad successive approximation values")
		}
	}
	if d.scans++; d.scans > MaxScans {
		return errTooManyScans
	}
	if err := d.cancelled(); err != nil {
		return err
	}

	// Blocks in the scan, and whether each costs at least one bit.
	var blocks int64
	if ns == 1 {
		c := sc[0].c
		blocks = int64((c.cw+7)/8) * int64((c.ch+7)/8)
	} else {
		blocks = int64(d.mcux) * int64(d.mcuy) * int64(totalHV)
	}
	if ss == 0 && !d.enoughData(blocks, len(d.data)-d.pos) {
		if d.arithmetic {
			return errShortArith
		}
		return errShortData
	}
	for i := 0; i < ns; i++ {
		c := sc[i].c
		if ss != 0 && !c.hasDC {
			return errACBeforeDC
		}
		c.hasDC = true
		d.alloc(c)
	}
	if d.progressive && ss != 0 && sc[0].c.dcOnly {
		// At 1/8 only DCs matter: skip the entropy-coded data to the next
		// marker other than RSTn.
		p := d.pos
		for {
			i := bytes.IndexByte(d.data[p:], 0xFF)
			if i < 0 {
				p = len(d.data)
				break
			}
			p += i
			if p+1 < len(d.data) && (d.data[p+1] == 0 || mRST0 <= d.data[p+1] && d.data[p+1] <= mRST7) {
				p += 2
				continue
			}
			break
		}
		d.pos = p
		return nil
	}
	return d.decodeScan(sc[:ns], ss, se, ah, al)
}

// maxArithBlocks bounds the blocks of an arithmetic-coded picture whose
// data has fewer bytes than an eighth of them. Arithmetic coding can code a
// flat block in a small fraction of a bit (a flat 4096x4096 picture takes
// 125 bytes), so the data size bounds nothing; 1<<22 blocks is a 16384x16384
// grey picture, 256 MiB of samples.
const maxArithBlocks = 1 << 22

// enoughData reports whether n bytes of entropy-coded data can plausibly
// hold the given number of blocks, so that the planes allocated for a
// picture are backed by its data: a Huffman-coded block costs at least a
// bit, an arithmetic-coded one almost nothing (see maxArithBlocks).
func (d *decoder) enoughData(blocks int64, n int) bool {
	return blocks <= 8*int64(n) || d.arithmetic && blocks <= maxArithBlocks
}

// alloc allocates c's output plane and, for progressive files, its
// coefficients, on the first scan that includes c.
func (d *decoder) alloc(c *component) {
	if c.pix != nil {
		return
	}
	c.stride = c.bw * c.bs
	c.pix = make([]byte, c.stride*c.bh*c.bs)
	if d.progressive {
		if c.dcOnly {
			c.coef = make([]int16, c.bw*c.bh)
			return
		}
		c.keep = keepSets[c.bs]
		c.coef = make([]int16, c.bw*c.bh*c.keep.n)
		c.mask = make([]uint64, c.bw*c.bh)
	}
}

// keepSet is the set of coefficients an output block size needs: idct4
// ignores row and column 4 of the coefficients, idct2 rows and columns 2, 4
// and 6, and a 1x1 block needs only the DC.
type keepSet struct {
	n    int       // values per block: the kept ones, then one scratch value
	bits uint64    // bit k set if zig-zag coefficient k is kept
	slot [64]uint8 // index of zig-zag coefficient k's value, scratch if not kept
}

var keepSets = func() map[int]*keepSet {
	m := map[int]*keepSet{}
	for bs, uses := range map[int]func(int) bool{
		8: func(int) bool { return true },
		4: func(u int) bool { return u != 4 },
		2: func(u int) bool { return u == 0 || u&1 == 1 },
		1: func(u int) bool { return u == 0 },
	} {
		ks := &keepSet{}
		for k := 0; k < 64; k++ {
			if z := int(zigzag[k]); uses(z%8) && uses(z/8) {
				ks.slot[k] = uint8(ks.n)
				ks.bits |= 1 << k
				ks.n++
			}
		}
		for k := 0; k < 64; k++ {
			if ks.bits>>k&1 == 0 {
				ks.slot[k] = uint8(ks.n)
			}
		}
		ks.n++
		m[bs] = ks
	}
	return m
}()

func (d *decoder) decodeScan(sc []scanComp, ss, se, ah, al int) error {
	d.startSegment(sc)
	var mcus, across int
	if len(sc) == 1 {
		c := sc[0].c
		across = (c.cw + 7) / 8
		mcus = across * ((c.ch + 7) / 8)
	} else {
		across = d.mcux
		mcus = d.mcux * d.mcuy
	}
	rst := byte(mRST0)
	// Progressive AC scans of one component are the bulk of progressive
	// files: call their block decoders directly.
	acScan := len(sc) == 1 && d.progressive && ss != 0 && !sc[0].c.dcOnly && !d.arithmetic
	mx, my := 0, 0
	// stopped records where the scan's data ran out or went wrong, so
	// that what was decoded before can be kept (see salvage).
	stopped := func(err error) error {
		d.stop = scanStop{row: my, interleaved: len(sc) > 1}
		for i := range sc {
			d.stop.comps = append(d.stop.comps, sc[i].c)
		}
		return err
	}
	// skip is set while the rest of a restart interval is not decoded:
	// its data went wrong or is missing (see resync).
	skip := false
	for m := 0; m < mcus; m++ {
		var err error
		if skip {
			d.skipMCU(sc, mx, my)
			goto next
		}
		for i := range sc {
			s := &sc[i]
			c := s.c
			if acScan {
				b := my*c.bw + mx
				coef := c.coef[b*c.keep.n : (b+1)*c.keep.n]
				if ah == 0 {
					if d.eobrun > 0 {
						d.eobrun--
						continue
					}
					err = d.acFirst(s.ac, coef, c.keep, &c.mask[b], ss, se, al)
				} else {
					err = d.acRefine(s.ac, coef, c.keep, &c.mask[b], ss, se, al)
				}
				if err != nil {
					break
				}
				continue
			}
			if len(sc) == 1 {
				if err = d.block(s, mx, my, ss, se, ah, al); err != nil {
					break
				}
				continue
			}
			for y := 0; y < c.v && err == nil; y++ {
				for x := 0; x < c.h; x++ {
					if err = d.block(s, mx*c.h+x, my*c.v+y, ss, se, ah, al); err != nil {
						break
					}
				}
			}
			if err != nil {
				break
			}
		}
		if err != nil {
			if d.ri == 0 {
				return stopped(err)
			}
			// Damage in a restart interval costs the rest of that
			// interval, this MCU included: zero coefficients.
			d.blk = [64]int32{}
			d.intervalDamaged(err, m/d.ri, mcus, true)
			d.skipMCU(sc, mx, my)
			skip, d.eobrun = true, 0
		}
	next:
		if mx++; mx == across {
			mx = 0
			my++
			if err := d.cancelled(); err != nil {
				return err
			}
		}
		if !skip && (d.arithmetic && d.arith.cut || !d.arithmetic && d.short()) {
			if d.ri == 0 {
				return stopped(d.errShort())
			}
			// The data of this interval ended: the MCU that ran out was
			// decoded from zero bits and is kept, as in libjpeg.
			d.intervalDamaged(d.errShort(), m/d.ri, mcus, true)
			skip, d.eobrun = true, 0
		}
		if d.ri > 0 && (m+1)%d.ri == 0 && m+1 < mcus {
			skip = !d.resync(rst, m/d.ri, mcus, skip)
			rst = (rst-mRST0+1)&7 + mRST0
			d.startSegment(sc)
			d.eobrun = 0
		}
	}
	return nil
}

// skipMCU leaves the MCU at (mx, my) of a scan undecoded. A sequential
// scan's blocks are made mid-grey, the picture all-zero coefficients
// give; a progressive scan leaves them with what earlier scans gave.
func (d *decoder) skipMCU(sc []scanComp, mx, my int) {
	if d.progressive {
		return
	}
	for i := range sc {
		c := sc[i].c
		if len(sc) == 1 {
			d.store(c, mx, my, 0)
			continue
		}
		for y := 0; y < c.v; y++ {
			for x := 0; x < c.h; x++ {
				d.store(c, mx*c.h+x, my*c.v+y, 0)
			}
		}
	}
}

// startSegment resets the entropy decoder and the DC predictions, at the
// start of a scan and after each restart marker.
func (d *decoder) startSegment(sc []scanComp) {
	if d.arithmetic {
		d.arithStart(sc)
		return
	}
	d.resetBits()
	for i := range sc {
		sc[i].c.pred = 0
	}
}

// resync moves past the restart marker want that ends restart interval
// done (counted from 0; skipped if it was not decoded to its end) of a
// scan of mcus MCUs, and reports whether the next interval's data follows
// it. It recovers from damage as libjpeg's jpeg_resync_to_restart does,
// and records the damage: bytes before the marker are skipped, and so is
// a restart marker one or two behind want; one or two ahead means
// intervals are missing, so it stays before that marker and reports false
// until the interval the marker starts is reached; any other restart
// marker is taken for want. A marker that is no restart marker, or the
// end of the data, ends the scan's data: every interval left reports
// false.
func (d *decoder) resync(want byte, done, mcus int, skipped bool) bool {
	data, p := d.data, d.pos
	// A whole byte left in the bit buffer was never decoded. The data
	// of a skipped interval is left unread: that is no news.
	stray := !d.arithmetic && d.nbit >= d.pad+8
	for {
		if p+2 > len(data) {
			d.pos = len(data)
			d.intervalDamaged(d.errShort(), done+1, mcus, true)
			return false
		}
		if data[p] != 0xFF {
			p++
			stray = true
			continue
		}
		m := data[p+1]
		switch {
		case m == 0xFF: // fill byte
			p++
			continue
		case m < mSOF0: // stuffed zero, or no marker at all: data
			p += 2
			stray = true
			continue
		case m < mRST0 || m > mRST7:
			d.pos = p
			d.intervalDamaged(formatError(fmt.Sprintf("marker 0x%02X where RST%d was expected", m, want-mRST0)), done+1, mcus, true)
			return false
		}
		switch ahead := (m - want) & 7; {
		case ahead == 1 || ahead == 2:
			d.pos = p
			d.intervalDamaged(formatError(fmt.Sprintf("missing RST%d marker", want-mRST0)), done+1, mcus, true)
			return false
		case ahead >= 6:
			p += 2
			stray = true
			continue
		}
		d.pos = p + 2
		switch {
		case skipped:
		case m != want:
			d.intervalDamaged(formatError(fmt.Sprintf("RST%d marker where RST%d was expected", m-mRST0, want-mRST0)), done+1, mcus, false)
		case stray:
			d.intervalDamaged(errExtraneous, done, mcus, false)
		}
		return true
	}
}

// errShort is the error for entropy-coded data that ends early.
func (d *decoder) errShort() error {
	if d.arithmetic {
		return errShortArith
	}
	return errShortData
}

// block decodes one block of a scan at block position (bx, by) of s.c.
func (d *decoder) block(s *scanComp, bx, by, ss, se, ah, al int) error {
	c := s.c
	if d.arithmetic {
		return d.arithBlockAt(s, bx, by, ss, se, ah, al)
	}
	if !d.progressive {
		last, err := d.baselineBlock(s)
		if err != nil {
			return err
		}
		d.store(c, bx, by, last)
		return nil
	}
	b := by*c.bw + bx
	if c.dcOnly {
		coef := &c.coef[b]
		if ah == 0 {
			return d.dcFirst(s, coef, al)
		}
		*coef |= int16(d.bits(1) << al)
		return nil
	}
	coef := c.coef[b*c.keep.n : (b+1)*c.keep.n]
	switch {
	case ss == 0 && ah == 0:
		return d.dcFirst(s, &coef[0], al)
	case ss == 0:
		coef[0] |= int16(d.bits(1) << al)
		return nil
	case ah == 0:
		return d.acFirst(s.ac, coef, c.keep, &c.mask[b], ss, se, al)
	default:
		return d.acRefine(s.ac, coef, c.keep, &c.mask[b], ss, se, al)
	}
}

// arithBlockAt is block for arithmetic-coded scans.
func (d *decoder) arithBlockAt(s *scanComp, bx, by, ss, se, ah, al int) error {
	c := s.c
	if !d.progressive {
		last, err := d.arithBlock(s)
		if err != nil {
			return err
		}
		d.store(c, bx, by, last)
		return nil
	}
	b := by*c.bw + bx
	if c.dcOnly {
		coef := &c.coef[b]
		if ah == 0 {
			return d.arithDCFirst(s, coef, al)
		}
		*coef |= int16(d.decodeFixed() << al)
		return nil
	}
	coef := c.coef[b*c.keep.n : (b+1)*c.keep.n]
	switch {
	case ss == 0 && ah == 0:
		return d.arithDCFirst(s, &coef[0], al)
	case ss == 0:
		coef[0] |= int16(d.decodeFixed() << al)
		return nil
	case ah == 0:
		return d.arithACFirst(s, coef, c.keep, &c.mask[b], ss, se, al)
	default:
		return d.arithACRefine(s, coef, c.keep, &c.mask[b], ss, se, al)
	}
}

func (d *decoder) dcFirst(s *scanComp, coef *int16, al int) error {
	t, err := d.decodeSym(s.dc)
	if err != nil {
		return err
	}
	if t > 16 {
		return formatError("excessive DC component")
	}
	s.c.pred += d.receiveExtend(uint(t))
	*coef = int16(s.c.pred << al)
	return nil
}

// acFirst decodes the first pass of a band of AC coefficients (T.81 G.1.2.2).
func (d *decoder) acFirst(h *huffTable, coef []int16, keep *keepSet, mask *uint64, ss, se, al int) error {
	if d.eobrun > 0 {
		d.eobrun--
		return nil
	}
	acc, n, m := d.acc, d.nbit, *mask
	for k := ss; k <= se; k++ {
		if n < 32 {
			acc, n = d.refill(acc, n)
		}
		if e := h.ac[acc>>(64-lutBits)]; e != 0 {
			k += int(e>>9) & 127
			if k > se {
				l := uint(e>>5) & 15
				acc <<= l
				n -= l
				break
			}
			l := uint(e) & 31
			acc <<= l
			n -= l
			m |= 1 << (k & 63)
			coef[keep.slot[k&63]] = int16((e >> 16) << al)
			continue
		}
		var rs byte
		if e := h.lut[acc>>(64-lutBits)]; e != 0 {
			l := uint(e >> 8)
			acc <<= l
			n -= l
			rs = byte(e)
		} else {
			d.acc, d.nbit = acc, n
			sym, err := d.decodeSlow(h)
			if err != nil {
				return err
			}
			acc, n, rs = d.acc, d.nbit, sym
		}
		r, sz := int(rs>>4), uint(rs&15)
		if sz != 0 {
			k += r
			if k > se {
				break
			}
			m |= 1 << (k & 63)
			coef[keep.slot[k&63]] = int16(extend(int32(acc>>(64-sz)), sz) << al)
			acc <<= sz
			n -= sz
			continue
		}
		if r != 15 {
			d.eobrun = 1<<r - 1 + int(acc>>1>>(63-uint(r)))
			acc <<= uint(r)
			n -= uint(r)
			break
		}
		k += 15
	}
	d.acc, d.nbit, *mask = acc, n, m
	return nil
}

// acRefine decodes a successive approximation refinement pass of a band of
// AC coefficients (T.81 G.1.2.3).
func (d *decoder) acRefine(h *huffTable, coef []int16, keep *keepSet, mask *uint64, ss, se, al int) error {
	delta := int16(1) << al
	m := *mask
	band := ^uint64(0) >> (63 - se) &^ (1<<ss - 1)
	acc, n := d.acc, d.nbit
	k := ss // the band's coefficients before k are done
	if d.eobrun == 0 {
		for k <= se {
			if n < 32 {
				acc, n = d.refill(acc, n)
			}
			var rs byte
			if e := h.lut[acc>>(64-lutBits)]; e != 0 {
				l := uint(e >> 8)
				acc <<= l
				n -= l
				rs = byte(e)
			} else {
				d.acc, d.nbit = acc, n
				sym, err := d.decodeSlow(h)
				if err != nil {
					return err
				}
				acc, n, rs = d.acc, d.nbit, sym
			}
			r, s := int(rs>>4), rs&15
			var z int16
			switch s {
			case 0:
				if r != 15 {
					d.eobrun = 1<<r + int(acc>>1>>(63-uint(r)))
					acc <<= uint(r)
					n -= uint(r)
					goto eob
				}
			case 1:
				z = delta
				if acc>>63 == 0 {
					z = -delta
				}
				acc <<= 1
				n--
			default:
				d.acc, d.nbit = acc, n
				return formatError("unexpected Huffman code")
			}
			// Skip r zero-history coefficients to the next one, p,
			// refining the non-zero ones passed on the way.
			zeros := ^m & band >> k << k
			for ; r > 0 && zeros != 0; r-- {
				zeros &= zeros - 1
			}
			if zeros == 0 {
				d.acc, d.nbit = acc, n
				return formatError("too many coefficients")
			}
			p := bits.TrailingZeros64(zeros)
			if set := m & (1<<p - 1) >> k << k; set != 0 {
				if cnt := uint(bits.OnesCount64(set)); cnt <= n {
					// Enough bits buffered: no refill checks.
					correctKept(acc, set, coef, keep, delta)
					acc <<= cnt
					n -= cnt
				} else {
					acc, n = d.correct(acc, n, set, coef, keep, delta)
				}
			}
			if z != 0 {
				m |= 1 << p
				coef[keep.slot[p&63]] = z
			}
			k = p + 1
		}
	}
eob:
	if d.eobrun > 0 {
		d.eobrun--
		if k <= se {
			acc, n = d.correct(acc, n, m&band>>k<<k, coef, keep, delta)
		}
	}
	d.acc, d.nbit = acc, n
	*mask = m
	return nil
}

// correctKept applies the correction bits of the coefficients of set,
// which are the first bits of acc in zig-zag order, to those that coef
// keeps: each moves away from zero by delta when its bit is 1. The bits
// of the coefficients coef does not keep are passed over, not read one by
// one; the caller consumes all of them.
func correctKept(acc uint64, set uint64, coef []int16, keep *keepSet, delta int16) {
	for kept := set & keep.bits; kept != 0; kept &= kept - 1 {
		k := bits.TrailingZeros64(kept)
		before := bits.OnesCount64(set & (1<<k - 1)) // its bit's place in acc
		c := &coef[keep.slot[k&63]]
		*c += (*c>>15 | 1) * delta * int16(acc<<before>>63)
	}
}

// correct reads a correction bit for each non-zero coefficient of set,
// moving it away from zero by delta when the bit is 1.
func (d *decoder) correct(acc uint64, n uint, set uint64, coef []int16, keep *keepSet, delta int16) (uint64, uint) {
	if cnt := uint(bits.OnesCount64(set)); cnt <= n {
		correctKept(acc, set, coef, keep, delta)
		return acc << cnt, n - cnt
	}
	for ; set != 0; set &= set - 1 {
		if n == 0 {
			acc, n = d.refill(acc, n)
		}
		c := &coef[keep.slot[bits.TrailingZeros64(set)&63]]
		*c += (*c>>15 | 1) * delta * int16(acc>>63)
		acc <<= 1
		n--
	}
	return acc, n
}

// baselineBlock decodes one sequential block into d.blk, dequantised and in
// natural order, and returns the zig-zag index of the last coefficient that
// may be non-zero. At 1/8 the AC coefficients are decoded but not stored.
// It keeps the bit buffer in locals: it is the innermost loop of the
// decoder.
func (d *decoder) baselineBlock(s *scanComp) (int, error) {
	acc, n := d.acc, d.nbit
	if n < 32 {
		acc, n = d.refill(acc, n)
	}
	var t uint
	if e := s.dc.lut[acc>>(64-lutBits)]; e != 0 {
		l := uint(e >> 8)
		acc <<= l
		n -= l
		t = uint(byte(e))
	} else {
		d.acc, d.nbit = acc, n
		sym, err := d.decodeSlow(s.dc)
		if err != nil {
			return 0, err
		}
		acc, n, t = d.acc, d.nbit, uint(sym)
	}
	if t > 16 {
		return 0, formatError("excessive DC component")
	}
	v := extend(int32(acc>>(64-t)), t)
	acc <<= t
	n -= t
	c := s.c
	c.pred += v
	q := &d.qt[c.tq]
	blk := &d.blk
	blk[0] = c.pred * q[0]
	if d.eobrun > 0 {
		d.eobrun--
		d.acc, d.nbit = acc, n
		return 0, nil
	}
	store := c.bs != 1
	h := s.ac
	last := 0
	for k := 1; k < 64; k++ {
		if n < 32 {
			acc, n = d.refill(acc, n)
		}
		if e := h.ac[acc>>(64-lutBits)]; e != 0 {
			k += int(e>>9) & 127
			if k > 63 {
				l := uint(e>>5) & 15
				acc <<= l
				n -= l
				break
			}
			l := uint(e) & 31
			acc <<= l
			n -= l
			if store {
				blk[zigzag[k&63]] = (e >> 16) * q[k&63]
				last = k
			}
			continue
		}
		var rs byte
		if e := h.lut[acc>>(64-lutBits)]; e != 0 {
			l := uint(e >> 8)
			acc <<= l
			n -= l
			rs = byte(e)
		} else {
			d.acc, d.nbit = acc, n
			sym, err := d.decodeSlow(h)
			if err != nil {
				return 0, err
			}
			acc, n, rs = d.acc, d.nbit, sym
		}
		r, sz := int(rs>>4), uint(rs&15)
		if sz != 0 {
			k += r
			if k > 63 {
				break
			}
			v := extend(int32(acc>>(64-sz)), sz)
			acc <<= sz
			n -= sz
			if store {
				blk[zigzag[k&63]] = v * q[k&63]
				last = k
			}
			continue
		}
		if r != 15 {
			d.acc, d.nbit = acc, n
			d.eobrun = 1<<r - 1
			if r > 0 {
				d.eobrun += int(d.bits(uint(r)))
			}
			return last, nil
		}
		k += 15
	}
	d.acc, d.nbit = acc, n
	return last, nil
}
