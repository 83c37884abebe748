package jpeg

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// formatError reports malformed JPEG data.
type formatError string

func (e formatError) Error() string { return "jpeg: invalid format: " + string(e) }

var (
	// errUnsupported marks files this package leaves to image/jpeg.
	errUnsupported = errors.New("jpeg: unsupported feature")
	// errACBeforeDC rejects a progressive AC scan of a component that had no
	// DC scan yet (T.81 G.1.1.1.1); image/jpeg accepts it.
	errACBeforeDC = formatError("AC scan before the first DC scan")
	errBadCode    = formatError("bad Huffman code")
	errShortData  = formatError("short Huffman data")
	errShortArith = formatError("short arithmetic-coded data")
	// errExtraneous is data left over at the end of a restart interval,
	// which libjpeg warns of and image/jpeg skips silently.
	errExtraneous = formatError("extraneous bytes before a restart marker")
)

// unsupportedError names a kind of JPEG this package does not decode and
// image/jpeg does not either, so that there is no fallback to try.
type unsupportedError string

func (e unsupportedError) Error() string { return "jpeg: unsupported " + string(e) }

// isSOF reports whether m is a start-of-frame marker (T.81 table B.1):
// 0xC0 to 0xCF but for DHT, JPG and DAC.
func isSOF(m byte) bool {
	return m&0xF0 == 0xC0 && m != mDHT && m != 0xC8 && m != mDAC
}

// unsupportedFrame is the error for a frame of a process this package does
// not decode: lossless, hierarchical (differential frames and DHP).
func unsupportedFrame(m byte) error {
	if m == mDHP {
		return unsupportedError("hierarchical JPEG (DHP marker)")
	}
	kind := map[byte]string{
		0xC3: "lossless JPEG",
		0xC5: "hierarchical JPEG (differential sequential)",
		0xC6: "hierarchical JPEG (differential progressive)",
		0xC7: "hierarchical JPEG (differential lossless)",
		0xCB: "lossless arithmetic-coded JPEG",
		0xCD: "hierarchical arithmetic-coded JPEG (differential sequential)",
		0xCE: "hierarchical arithmetic-coded JPEG (differential progressive)",
		0xCF: "hierarchical arithmetic-coded JPEG (differential lossless)",
	}[m]
	return unsupportedError(fmt.Sprintf("%s (SOF%d)", kind, m-0xC0))
}

// Marker codes (T.81 table B.1).
const (
	mSOF0 = 0xC0
	mSOF1 = 0xC1
	mSOF2 = 0xC2
	mDHT  = 0xC4
	mSOF9 = 0xC9
	mSOFA = 0xCA
	mDAC  = 0xCC
	mRST0 = 0xD0
	mRST7 = 0xD7
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mDQT  = 0xDB
	mDRI  = 0xDD
	mDHP  = 0xDE
	mAPP0 = 0xE0
	mAPPE = 0xEE
	mAPPF = 0xEF
	mCOM  = 0xFE
)

// zigzag[k] is the natural (row-major) index of the k-th coefficient in
// zig-zag order. The 16 extra entries absorb runs past the end of a block.
var zigzag = [64 + 16]uint8{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
}

type component struct {
	id     byte
	h, v   int // sampling factors
	tq     int // quantisation table
	cw, ch int // size in samples at full scale
	bw, bh int // size in blocks, padded to whole MCUs
	pix    []byte
	stride int
	bs     int  // output block size: 8 is full scale, 1 keeps only the DC
	dcOnly bool // progressive with bs 1: keep DCs only and skip AC scans
	// coef holds, per block, the progressive coefficients the output needs
	// (see keep), in zig-zag order, or only the DC when dcOnly.
	coef []int16
	// mask has, per block, bit k set when zig-zag coefficient k is non-zero
	// (DC excluded), whether or not coef keeps it: refinement scans need
	// that for all coefficients, their values only for the kept ones.
	mask  []uint64
	keep  *keepSet
	hasDC bool
	pred  int32
	// dcContext is the arithmetic DC context (T.81 table F.4, S0) that the
	// component's previous DC difference selects.
	dcContext int
}

type decoder struct {
	data []byte
	pos  int

	// Bit reader: acc holds nbit valid bits, most significant first, of
	// which the last pad bits are zeros beyond the segment's end.
	acc       uint64
	nbit, pad uint

	scale  int
	noSkip bool // decode AC scans even at 1/8 (tests)

	ctx  context.Context
	done <-chan struct{} // ctx.Done(), nil when the context never ends

	width, height int
	ncomp         int
	comp          [4]component
	hmax, vmax    int
	mcux, mcuy    int

	baseline, progressive bool
	arithmetic            bool // SOF9 or SOF10
	jfif, adobe           bool
	transform             byte
	ri                    int
	eobrun                int
	scans                 int

	stop scanStop // where a scan stopped short, if one did
	// damage is what went wrong in scans with restart intervals that
	// were decoded past it, if anything did (see resync).
	damage *intervalError

	qt   [4][64]int32 // zig-zag order
	huff [2][4]huffTable
	blk  [64]int32

	// Arithmetic decoding: the QM decoder, the statistics areas of the
	// conditioning tables, their DAC values, and the AC coefficients of
	// the band being decoded, in zig-zag order.
	arith   arithDecoder
	dcStats [4][dcBins]uint8
	acStats [4][acBins]uint8
	cond    [4]arithConditioning
	band    [64]int32
}

// readMarker finds the next marker the way image/jpeg does: bytes before a
// 0xFF, 0xFF00 pairs and fill bytes are skipped. It returns the marker code
// and leaves d.pos after it.
func (d *decoder) readMarker() (byte, error) {
	data := d.data
	p := d.pos
	for {
		if p+2 > len(data) {
			return 0, io.ErrUnexpectedEOF
		}
		if data[p] != 0xFF {
			p++
			continue
		}
		m := data[p+1]
		p += 2
		if m == 0 {
			continue
		}
		for m == 0xFF {
			if p >= len(data) {
				return 0, io.ErrUnexpectedEOF
			}
			m = data[p]
			p++
		}
		d.pos = p
		return m, nil
	}
}

// parse walks the segments. With configOnly it stops after the first SOF.
func (d *decoder) parse(configOnly bool) error {
	if len(d.data) < 2 {
		return io.ErrUnexpectedEOF
	}
	if d.data[0] != 0xFF || d.data[1] != mSOI {
		return formatError("missing SOI marker")
	}
	d.pos = 2
	d.cond = [4]arithConditioning{defaultConditioning, defaultConditioning, defaultConditioning, defaultConditioning}
	for {
		m, err := d.readMarker()
		if err != nil {
			return err
		}
		if m == mEOI {
			break
		}
		if mRST0 <= m && m <= mRST7 {
			continue
		}
		if d.pos+2 > len(d.data) {
			return io.ErrUnexpectedEOF
		}
		n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1]) - 2
		if n < 0 {
			return formatError("short segment length")
		}
		d.pos += 2
		if d.pos+n > len(d.data) {
			return io.ErrUnexpectedEOF
		}
		seg := d.data[d.pos : d.pos+n]
		d.pos += n
		switch {
		case m == mSOF0 || m == mSOF1 || m == mSOF2 || m == mSOF9 || m == mSOFA:
			d.baseline = m == mSOF0
			d.progressive = m == mSOF2 || m == mSOFA
			d.arithmetic = m == mSOF9 || m == mSOFA
			err = d.processSOF(seg)
			if configOnly {
				return err
			}
		case isSOF(m) || m == mDHP:
			return unsupportedFrame(m)
		case m == mDAC:
			err = d.processDAC(seg)
		case m == mDHT:
			err = d.processDHT(seg)
		case m == mDQT:
			err = d.processDQT(seg)
		case m == mDRI:
			if n != 2 {
				return formatError("DRI has wrong length")
			}
			d.ri = int(seg[0])<<8 | int(seg[1])
		case m == mSOS:
			err = d.processSOS(seg)
		case m == mAPP0:
			if n >= 5 {
				d.jfif = string(seg[:5]) == "JFIF\x00"
			}
		case m == mAPPE:
			if n >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe = true
				d.transform = seg[11]
			}
		case mAPP0 <= m && m <= mAPPF || m == mCOM:
		case m < 0xC0:
			return formatError("unknown marker")
		default:
			return errUnsupported
		}
		if err != nil {
			return err
		}
	}
	if d.ncomp == 0 {
		return formatError("missing SOF marker")
	}
	if d.scans == 0 {
		return formatError("missing SOS marker")
	}
	return nil
}

func (d *decoder) processSOF(seg []byte) error {
	if d.ncomp != 0 {
		return formatError("multiple SOF markers")
	}
	switch len(seg) {
	case 6 + 3, 6 + 3*3, 6 + 3*4:
	default:
		return errUnsupported
	}
	if seg[0] != 8 {
		if d.arithmetic {
			// image/jpeg, the fallback, reads no arithmetic coding.
			return unsupportedError(fmt.Sprintf("%d-bit arithmetic-coded JPEG", seg[0]))
		}
		return errUnsupported
	}
	d.height = int(seg[1])<<8 | int(seg[2])
	d.width = int(seg[3])<<8 | int(seg[4])
	d.ncomp = int(seg[5])
	if 6+3*d.ncomp != len(seg) {
		return formatError("SOF has wrong length")
	}
	if d.width == 0 || d.height == 0 {
		return formatError("zero image dimensions")
	}
	d.hmax, d.vmax = 1, 1
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		c.id = seg[6+3*i]
		for j := 0; j < i; j++ {
			if d.comp[j].id == c.id {
				return formatError("repeated component identifier")
			}
		}
		c.h, c.v = int(seg[7+3*i]>>4), int(seg[7+3*i]&15)
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return formatError("bad sampling factors")
		}
		if d.ncomp == 1 {
			// A single component is never interleaved: its MCU is one block
			// whatever its nominal sampling factors (T.81 A.2).
			c.h, c.v = 1, 1
		}
		c.tq = int(seg[8+3*i])
		if c.tq > 3 {
			return formatError("bad Tq value")
		}
		d.hmax = max(d.hmax, c.h)
		d.vmax = max(d.vmax, c.v)
	}
	d.mcux = (d.width + 8*d.hmax - 1) / (8 * d.hmax)
	d.mcuy = (d.height + 8*d.vmax - 1) / (8 * d.vmax)
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		c.cw = (d.width*c.h + d.hmax - 1) / d.hmax
		c.ch = (d.height*c.v + d.vmax - 1) / d.vmax
		c.bw, c.bh = d.mcux*c.h, d.mcuy*c.v
	}
	d.setScales()
	return nil
}

// setScales chooses each component's output block size. Luma uses
// 8/scale. A subsampled component is decoded larger, as libjpeg does, so
// that its samples come out on luma's grid: for 4:2:0 at 1/2, luma 4×4 and
// chroma the full 8×8 transform. A component subsampled more one way than
// the other (4:2:2) is decoded by its larger factor both ways and then
// averaged down the other way (see gridFactors), which is what the
// transform of the smaller size would give. Where that would need more
// than 8×8 (4:2:0 or 4:2:2 at full scale), chroma stays at its own
// resolution when image.YCbCr can hold the layout, and is otherwise taken
// as far as 8×8 and replicated, the planes being resampled to one grid for
// CMYK and layouts image.YCbCr cannot express. A progressive file at 1/8
// keeps the DC alone for every component, chroma included, so that its AC
// scans can be skipped: decoding them costs more than the sharper chroma
// is worth in a thumbnail.
func (d *decoder) setScales() {
	native := d.ncomp == 1
	if d.ncomp == 3 {
		_, native = d.ratio()
	}
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		c.bs = 8 / d.scale
		fx, fy := d.hmax/c.h, d.vmax/c.v
		// Block sizes are powers of two: a component sampled a third as
		// often (3:1) keeps 8/scale and is resampled to the output grid.
		whole := fx*c.h == d.hmax && fy*c.v == d.vmax && fx&(fx-1) == 0 && fy&(fy-1) == 0
		switch f := max(fx, fy); {
		case whole && c.bs*f <= 8 && !(d.progressive && c.bs == 1):
			c.bs *= f
		case whole && fx == fy && !native:
			c.bs = min(8, c.bs*f)
		}
		c.dcOnly = d.progressive && c.bs == 1 && !d.noSkip
	}
}

// gridFactors returns by how much c's decoded samples outnumber those of
// the output across and down, and whether both are whole numbers.
func (d *decoder) gridFactors(c *component) (rx, ry int, ok bool) {
	per := 8 / d.scale // output samples per 8 full-size ones
	nx, ny := c.bs*c.h, c.bs*c.v
	if nx%(per*d.hmax) != 0 || ny%(per*d.vmax) != 0 {
		return 0, 0, false
	}
	return nx / (per * d.hmax), ny / (per * d.vmax), true
}

func (d *decoder) processDHT(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return formatError("DHT has wrong length")
		}
		tc, th := seg[0]>>4, seg[0]&15
		if tc > 1 {
			return formatError("bad Tc value")
		}
		if th > 3 || d.baseline && th > 1 {
			return formatError("bad Th value")
		}
		counts := (*[16]byte)(seg[1:17])
		total := 0
		for _, c := range counts {
			total += int(c)
		}
		if total == 0 {
			return formatError("Huffman table has zero length")
		}
		if total > 256 {
			return formatError("Huffman table has excessive length")
		}
		if len(seg) < 17+total {
			return formatError("DHT has wrong length")
		}
		if !d.huff[tc][th].build(counts, seg[17:17+total]) {
			return errUnsupported
		}
		seg = seg[17+total:]
	}
	return nil
}

func (d *decoder) processDQT(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, seg[0]&15
		if tq > 3 {
			return formatError("bad Tq value")
		}
		q := &d.qt[tq]
		if len(seg) == 1 && pq <= 1 {
			break // image/jpeg ignores a lone Pq/Tq byte
		}
		switch pq {
		case 0:
			if len(seg) < 65 {
				return formatError("DQT has wrong length")
			}
			for i := range q {
				q[i] = int32(seg[1+i])
			}
			seg = seg[65:]
		case 1:
			if len(seg) < 129 {
				return formatError("DQT has wrong length")
			}
			for i := range q {
				q[i] = int32(seg[1+2*i])<<8 | int32(seg[2+2*i])
			}
			seg = seg[129:]
		default:
			return formatError("bad Pq value")
		}
	}
	return nil
}

// leftToStd reports whether the frame is one this package leaves to
// image/jpeg: RGB, and four components without an Adobe marker. RGB is
// decoded here when arithmetic-coded, which image/jpeg does not read.
func (d *decoder) leftToStd() bool {
	return d.ncomp == 3 && d.isRGB() && !d.arithmetic || d.ncomp == 4 && !d.adobe
}

// arithUnsupported is the error for an arithmetic-coded file that a
// Huffman-coded one of the same layout would leave to image/jpeg, which
// reads no arithmetic coding.
func (d *decoder) arithUnsupported() error {
	if d.ncomp == 4 {
		return unsupportedError("arithmetic-coded 4-component JPEG without an Adobe marker")
	}
	return unsupportedError("arithmetic-coded JPEG of this layout (only 1, 3 or 4 components of 8 bits are read)")
}

// isRGB reports whether a 3-component file holds RGB rather than YCbCr,
// by the same rules as image/jpeg.
func (d *decoder) isRGB() bool {
	if d.jfif {
		return false
	}
	if d.adobe && d.transform == 0 {
		return true
	}
	return d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B'
}
