package jpeg

import "math/bits"

// Arithmetic-coded JPEG (SOF9 sequential, SOF10 progressive): the QM-coder
// decoder of T.81 Annex D and the statistical models of F.1.4.4 and G.1.3.
// It shares the scan machinery with Huffman decoding: MCU order, restart
// intervals, scaled output, progressive coefficient storage and salvage.

// qeRow is one row of T.81 table D.2: the LPS probability estimate of a
// state, the states that follow an LPS and an MPS decision, and whether an
// LPS in this state inverts the sense of the MPS.
type qeRow struct {
	qe               uint16
	nextLPS, nextMPS uint8
	switchMPS        bool
}

// fixedState is the extra state, after the 113 of table D.2, for the
// decisions T.81 codes with a fixed estimate of about 0.5 (Qe X'5A1D', MPS
// 0): the signs of AC coefficients and the bits of DC refinement scans. It
// never moves.
const fixedState = 113

var qeTable = [114]qeRow{
	{0x5A1D, 1, 1, true}, {0x2586, 14, 2, false}, {0x1114, 16, 3, false}, {0x080B, 18, 4, false},
	{0x03D8, 20, 5, false}, {0x01DA, 23, 6, false}, {0x00E5, 25, 7, false}, {0x006F, 28, 8, false},
	{0x0036, 30, 9, false}, {0x001A, 33, 10, false}, {0x000D, 35, 11, false}, {0x0006, 9, 12, false},
	{0x0003, 10, 13, false}, {0x0001, 12, 13, false}, {0x5A7F, 15, 15, true}, {0x3F25, 36, 16, false},
	{0x2CF2, 38, 17, false}, {0x207C, 39, 18, false}, {0x17B9, 40, 19, false}, {0x1182, 42, 20, false},
	{0x0CEF, 43, 21, false}, {0x09A1, 45, 22, false}, {0x072F, 46, 23, false}, {0x055C, 48, 24, false},
	{0x0406, 49, 25, false}, {0x0303, 51, 26, false}, {0x0240, 52, 27, false}, {0x01B1, 54, 28, false},
	{0x0144, 56, 29, false}, {0x00F5, 57, 30, false}, {0x00B7, 59, 31, false}, {0x008A, 60, 32, false},
	{0x0068, 62, 33, false}, {0x004E, 63, 34, false}, {0x003B, 32, 35, false}, {0x002C, 33, 9, false},
	{0x5AE1, 37, 37, true}, {0x484C, 64, 38, false}, {0x3A0D, 65, 39, false}, {0x2EF1, 67, 40, false},
	{0x261F, 68, 41, false}, {0x1F33, 69, 42, false}, {0x19A8, 70, 43, false}, {0x1518, 72, 44, false},
	{0x1177, 73, 45, false}, {0x0E74, 74, 46, false}, {0x0BFB, 75, 47, false}, {0x09F8, 77, 48, false},
	{0x0861, 78, 49, false}, {0x0706, 79, 50, false}, {0x05CD, 48, 51, false}, {0x04DE, 50, 52, false},
	{0x040F, 50, 53, false}, {0x0363, 51, 54, false}, {0x02D4, 52, 55, false}, {0x025C, 53, 56, false},
	{0x01F8, 54, 57, false}, {0x01A4, 55, 58, false}, {0x0160, 56, 59, false}, {0x0125, 57, 60, false},
	{0x00F6, 58, 61, false}, {0x00CB, 59, 62, false}, {0x00AB, 61, 63, false}, {0x008F, 61, 32, false},
	{0x5B12, 65, 65, true}, {0x4D04, 80, 66, false}, {0x412C, 81, 67, false}, {0x37D8, 82, 68, false},
	{0x2FE8, 83, 69, false}, {0x293C, 84, 70, false}, {0x2379, 86, 71, false}, {0x1EDF, 87, 72, false},
	{0x1AA9, 87, 73, false}, {0x174E, 72, 74, false}, {0x1424, 72, 75, false}, {0x119C, 74, 76, false},
	{0x0F6B, 74, 77, false}, {0x0D51, 75, 78, false}, {0x0BB6, 77, 79, false}, {0x0A40, 77, 48, false},
	{0x5832, 80, 81, true}, {0x4D1C, 88, 82, false}, {0x438E, 89, 83, false}, {0x3BDD, 90, 84, false},
	{0x34EE, 91, 85, false}, {0x2EAE, 92, 86, false}, {0x299A, 93, 87, false}, {0x2516, 86, 71, false},
	{0x5570, 88, 89, true}, {0x4CA9, 95, 90, false}, {0x44D9, 96, 91, false}, {0x3E22, 97, 92, false},
	{0x3824, 99, 93, false}, {0x32B4, 99, 94, false}, {0x2E17, 93, 86, false}, {0x56A8, 95, 96, true},
	{0x4F46, 101, 97, false}, {0x47E5, 102, 98, false}, {0x41CF, 103, 99, false}, {0x3C3D, 104, 100, false},
	{0x375E, 99, 93, false}, {0x5231, 105, 102, false}, {0x4C0F, 106, 103, false}, {0x4639, 107, 104, false},
	{0x415E, 103, 99, false}, {0x5627, 105, 106, true}, {0x50E7, 108, 107, false}, {0x4B85, 109, 103, false},
	{0x5597, 110, 109, false}, {0x504F, 111, 107, false}, {0x5A10, 110, 111, true}, {0x5522, 112, 109, false},
	{0x59EB, 112, 111, true},
	fixedState: {0x5A1D, fixedState, fixedState, false},
}

// A statistics bin (T.81 D.1.2) is one byte: the state index in the low
// seven bits, the MPS in the top bit. The zero value is the state every bin
// starts in at a scan or restart interval: index 0, MPS 0.

// binAfterMPS and binAfterLPS give a bin's next value after it decoded an
// MPS or an LPS (Estimate_Qe after MPS or LPS, T.81 D.2.5).
var binAfterMPS, binAfterLPS = func() (mps, lps [256]uint8) {
	for b := range 256 {
		r := &qeTable[min(b&0x7F, fixedState)]
		sense := uint8(b) & 0x80
		mps[b] = sense | r.nextMPS
		if r.switchMPS {
			sense ^= 0x80
		}
		lps[b] = sense | r.nextLPS
	}
	return
}()

// Sizes of the statistics areas (T.81 tables F.4 and F.5).
const (
	dcBins = 49  // 5 contexts of S0, SS, SP, SN; X1..X15; M2..M15
	acBins = 245 // SE, S0, SP/SN for K = 1..63; two sets of X2..X15, M2..M15
)

// Bins of the statistical models.
const (
	dcX1   = 20  // first magnitude category bin of the DC model
	acXLow = 189 // X2 of the AC model when K <= Kx
	acXHi  = 217 // X2 of the AC model when K > Kx
)

// arithDecoder is the state of the QM decoder (T.81 D.2) in one entropy-coded
// segment.
type arithDecoder struct {
	c  uint32 // code register: Cx in bits 31..16, new bytes enter at 15..8
	a  uint32 // interval size; 0x10000 stands for the spec's initial 0
	ct int    // bits left in C's low byte before the next Byte_in
	// cut records that the data ended with no marker: the file was cut off,
	// and what follows is decoded from zeros that are not there.
	cut bool
}

// arithConditioning holds one table's DAC values (T.81 B.2.4.3): the DC
// conditioning bounds L and U, and the AC Kx.
type arithConditioning struct {
	l, u, kx uint8
}

// defaultConditioning is what applies until a DAC segment says otherwise
// (T.81 F.1.4.4.1.4 and F.1.4.4.2).
var defaultConditioning = arithConditioning{l: 0, u: 1, kx: 5}

// processDAC reads a DAC segment: conditioning values for DC (Tc 0) or AC
// (Tc 1) table Tb.
func (d *decoder) processDAC(seg []byte) error {
	if len(seg)%2 != 0 {
		return formatError("DAC has wrong length")
	}
	for ; len(seg) > 0; seg = seg[2:] {
		tc, tb, cs := seg[0]>>4, seg[0]&15, seg[1]
		if tc > 1 || tb > 3 {
			return formatError("bad DAC table class or destination")
		}
		cond := &d.cond[tb]
		if tc == 1 {
			if cs < 1 || cs > 63 {
				return formatError("bad DAC Kx value")
			}
			cond.kx = cs
			continue
		}
		l, u := cs&15, cs>>4
		if l > u {
			return formatError("bad DAC conditioning bounds")
		}
		cond.l, cond.u = l, u
	}
	return nil
}

// arithStart starts decoding an entropy-coded segment at d.pos (Initdec,
// T.81 D.2.7), with every statistics bin and DC context reset, as at the
// start of a scan and after each restart marker (F.1.4.4.1.5).
func (d *decoder) arithStart(sc []scanComp) {
	d.arith = arithDecoder{}
	d.byteIn()
	d.arith.c <<= 8
	d.byteIn()
	d.arith.c <<= 8
	d.arith.a = 0x10000
	for i := range sc {
		s := &sc[i]
		clear(d.dcStats[s.dcTable][:])
		clear(d.acStats[s.acTable][:])
		s.c.dcContext = 0
		s.c.pred = 0
	}
}

// byteIn adds the next byte of entropy-coded data to C (Byte_in, T.81
// D.2.6). Stuffed zeros are skipped. At a marker it adds zeros and stays
// there, as the encoder dropped trailing zero bytes (D.1.8); at the end of
// the data it does the same and records that the file was cut off.
func (d *decoder) byteIn() {
	data, p := d.data, d.pos
	var b byte
	switch {
	case p >= len(data):
		d.arith.cut = true
	case data[p] != 0xFF:
		b = data[p]
		d.pos++
	case p+1 >= len(data):
		d.arith.cut = true
	case data[p+1] == 0:
		b = 0xFF
		d.pos += 2
	}
	d.arith.c += uint32(b) << 8
}

// qeOf is the Qe column of qeTable, indexed by the low seven bits of a
// bin, for decodeBit's fast path.
var qeOf = func() (q [128]uint32) {
	for i := range q {
		q[i] = uint32(qeTable[min(i, fixedState)].qe)
	}
	return
}()

// decodeBit decodes one binary decision with the estimate in bin and
// updates the bin (Decode, T.81 D.2.2 to D.2.6). The common case, an MPS
// that leaves A at least 0x8000, is small enough to be inlined; the rest is
// in decodeBitSlow.
func (d *decoder) decodeBit(bin *uint8) int {
	e := &d.arith
	if a := e.a - qeOf[*bin&0x7F]; a >= 0x8000 && e.c>>16 < a {
		e.a = a
		return int(*bin >> 7)
	}
	return d.decodeBitSlow(bin)
}

// decodeBitSlow is decodeBit for a decision that needs an exchange or
// renormalisation.
func (d *decoder) decodeBitSlow(bin *uint8) int {
	e := &d.arith
	s := *bin
	qe := qeOf[s&0x7F]
	a := e.a - qe
	bit := int(s >> 7)
	if e.c>>16 < a {
		// Conditional MPS exchange: the interval left to the MPS is
		// smaller than the LPS's, so the two trade places.
		if a < qe {
			bit ^= 1
			*bin = binAfterLPS[s]
		} else {
			*bin = binAfterMPS[s]
		}
	} else {
		e.c -= a << 16
		if a < qe {
			*bin = binAfterMPS[s]
		} else {
			bit ^= 1
			*bin = binAfterLPS[s]
		}
		a = qe
	}
	// Renorm_d: shift until A is at least 0x8000 again, a byte at a time
	// into C.
	for a < 0x8000 {
		if e.ct == 0 {
			d.byteIn()
			e.ct = 8
		}
		n := min(bits.LeadingZeros32(a)-16, e.ct)
		a <<= n
		e.c <<= n
		e.ct -= n
	}
	e.a = a
	return bit
}

// decodeFixed decodes a decision coded with the fixed estimate of about 0.5.
func (d *decoder) decodeFixed() int {
	bin := uint8(fixedState)
	return d.decodeBit(&bin)
}

// decodeMagnitude decodes the magnitude of a non-zero DC difference or AC
// coefficient, less one: Sz (T.81 F.2.4.3.1: its category by X1, X2, ...
// and then its bits by M2, M3, ...). It also returns the category as the
// top bit of Sz, or 0 when Sz is 0. st is the statistics area, first is
// the bin of the first decision (Sz < 1), x1 that of X1 and x2 that of X2.
func (d *decoder) decodeMagnitude(st []uint8, first, x1, x2 int) (sz, top int32, err error) {
	if d.decodeBit(&st[first]) == 0 {
		return 0, 0, nil
	}
	if d.decodeBit(&st[x1]) == 0 {
		return 1, 1, nil
	}
	m, x := int32(2), x2
	for d.decodeBit(&st[x]) != 0 {
		if m <<= 1; m == 0x8000 {
			return 0, 0, formatError("arithmetic-coded magnitude too large")
		}
		x++
	}
	sz = m
	for bit := m >> 1; bit != 0; bit >>= 1 {
		if d.decodeBit(&st[x+14]) != 0 {
			sz |= bit
		}
	}
	return sz, m, nil
}

// arithDiff decodes the DC difference of one block of s.c (T.81 F.2.4.1)
// and sets the component's context for the next one from it (F.1.4.4.1.2).
func (d *decoder) arithDiff(s *scanComp) (int32, error) {
	st := d.dcStats[s.dcTable][:]
	c := s.c
	ctx := c.dcContext
	if d.decodeBit(&st[ctx]) == 0 {
		c.dcContext = 0
		return 0, nil
	}
	sign := d.decodeBit(&st[ctx+1])
	first := ctx + 2 + sign // SP or SN
	sz, top, err := d.decodeMagnitude(st, first, dcX1, dcX1+1)
	if err != nil {
		return 0, err
	}
	// The category against the bounds (F.1.4.4.1.2): the difference is
	// "zero" when its top bit is below 2^L/2, "large" above 2^U/2, as
	// libjpeg, which writes these files, reads the bounds.
	cond := &d.cond[s.dcTable]
	switch {
	case top < int32(1)<<cond.l>>1:
		c.dcContext = 0
	case top > int32(1)<<cond.u>>1:
		c.dcContext = 12 + 4*sign
	default:
		c.dcContext = 4 + 4*sign
	}
	if sign != 0 {
		return -sz - 1, nil
	}
	return sz + 1, nil
}

// arithBand decodes the AC coefficients ss..se of one block (T.81 F.2.4.2,
// G.1.3.2 for a first progressive scan) into d.band, in zig-zag order, and
// returns the set of those it decoded: bit k for coefficient k.
func (d *decoder) arithBand(s *scanComp, ss, se int) (uint64, error) {
	st := d.acStats[s.acTable][:]
	kx := int(d.cond[s.acTable].kx)
	var set uint64
	for k := ss; k <= se; k++ {
		se3 := 3 * (k - 1)
		if d.decodeBit(&st[se3]) != 0 {
			break // end of block
		}
		for d.decodeBit(&st[se3+1]) == 0 {
			if k++; k > se {
				return set, formatError("arithmetic-coded zero run past the end of the block")
			}
			se3 += 3
		}
		sign := d.decodeFixed()
		x2 := acXLow
		if k > kx {
			x2 = acXHi
		}
		sz, _, err := d.decodeMagnitude(st, se3+2, se3+2, x2)
		if err != nil {
			return set, err
		}
		v := sz + 1
		if sign != 0 {
			v = -v
		}
		d.band[k] = v
		set |= 1 << k
	}
	return set, nil
}

// arithBlock decodes one sequential block as baselineBlock does: into d.blk,
// dequantised and in natural order, returning the zig-zag index of the last
// non-zero coefficient. At 1/8 the AC coefficients are decoded but not
// stored.
func (d *decoder) arithBlock(s *scanComp) (int, error) {
	diff, err := d.arithDiff(s)
	if err != nil {
		return 0, err
	}
	c := s.c
	c.pred += diff
	q := &d.qt[c.tq]
	d.blk[0] = c.pred * q[0]
	set, err := d.arithBand(s, 1, 63)
	if err != nil || c.bs == 1 {
		return 0, err
	}
	last := 0
	for ; set != 0; set &= set - 1 {
		k := bits.TrailingZeros64(set) & 63
		d.blk[zigzag[k]] = d.band[k] * q[k]
		last = k
	}
	return last, nil
}

// arithDCFirst decodes the DC of a first progressive DC scan (T.81 G.1.3.1).
func (d *decoder) arithDCFirst(s *scanComp, coef *int16, al int) error {
	diff, err := d.arithDiff(s)
	if err != nil {
		return err
	}
	s.c.pred += diff
	*coef = int16(s.c.pred << al)
	return nil
}

// arithACFirst decodes a first progressive scan of a band of AC
// coefficients (T.81 G.1.3.2).
func (d *decoder) arithACFirst(s *scanComp, coef []int16, keep *keepSet, mask *uint64, ss, se, al int) error {
	set, err := d.arithBand(s, ss, se)
	*mask |= set
	for ; set != 0; set &= set - 1 {
		k := bits.TrailingZeros64(set) & 63
		coef[keep.slot[k]] = int16(d.band[k] << al)
	}
	return err
}

// arithACRefine decodes a refinement scan of a band of AC coefficients
// (T.81 G.1.3.3): a correction bit for each coefficient already non-zero,
// and the position and sign of those that become ±1<<al. EOBx is the last
// coefficient of the band non-zero before the scan: an end-of-block
// decision is coded only after it.
func (d *decoder) arithACRefine(s *scanComp, coef []int16, keep *keepSet, mask *uint64, ss, se, al int) error {
	st := d.acStats[s.acTable][:]
	m := *mask
	eobx := 63 - bits.LeadingZeros64(m&(^uint64(0)>>(63-se))|1)
	delta := int16(1) << al
	for k := ss; k <= se; k++ {
		se3 := 3 * (k - 1)
		if k > eobx && d.decodeBit(&st[se3]) != 0 {
			break
		}
		for {
			if m>>k&1 != 0 {
				if d.decodeBit(&st[se3+2]) != 0 {
					c := &coef[keep.slot[k]]
					*c += (*c>>15 | 1) * delta
				}
				break
			}
			if d.decodeBit(&st[se3+1]) != 0 {
				m |= 1 << k
				if d.decodeFixed() != 0 {
					coef[keep.slot[k]] = -delta
				} else {
					coef[keep.slot[k]] = delta
				}
				break
			}
			if k++; k > se {
				*mask = m
				return formatError("arithmetic-coded zero run past the end of the band")
			}
			se3 += 3
		}
	}
	*mask = m
	return nil
}
