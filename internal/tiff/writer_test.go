package tiff

import (
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"encoding/binary"
	"math"
	"sort"
	"testing"

	"github.com/ulikunitz/xz"
)

// picture is a test image: sample c of pixel (x, y) as a 16-bit value.
type picture func(x, y, c int) uint16

// pattern is a picture whose neighbouring samples differ, so that misplaced
// rows, columns, planes or bits show.
func pattern(x, y, c int) uint16 {
	return uint16((x*2477 + y*7993 + c*20011 + x*y*31) & 0xffff)
}

// tiffFile describes a TIFF file for writeTIFF to produce.
type tiffFile struct {
	width, height int
	spp           int
	bps           int
	format        int // fUint, fInt or fFloat
	photometric   int
	extra         []uint16 // ExtraSamples
	compression   int
	compat        bool // LZW in libtiff's old LSB-first codes
	planar        bool
	tileW, tileH  int // tiled when non-zero
	rowsPerStrip  int // all rows when zero
	predictor     int
	fillOrder2    bool
	bigEndian     bool
	bigTIFF       bool
	subH, subV    int // YCbCr subsampling; 1 when zero
	colorMap      []uint16
	orientation   int
	icc           []byte
	unsorted      bool  // write the IFD entries in reverse order
	omitTags      []int // tags to leave out
	extraTags     []entry
	chunks        [][]byte // stored strips or tiles, in place of compressing the picture
	pic           picture
	// stored maps a 16-bit picture value to the stored sample of sample index c; nil
	// stores the top bps bits (unsigned), the shifted value (signed) or v/65535 (float).
	stored func(v uint16, c int) uint64
}

// entry is one IFD entry to write: a tag with integer values of a type, or raw bytes.
type entry struct {
	tag  uint16
	typ  uint16
	vals []uint64
	raw  []byte
}

func (f *tiffFile) defaults() {
	if f.format == 0 {
		f.format = fUint
	}
	if f.spp == 0 {
		f.spp = 1
	}
	if f.subH == 0 {
		f.subH, f.subV = 1, 1
	}
	if f.pic == nil {
		f.pic = pattern
	}
}

// sample returns the stored value of sample c of pixel (x, y).
func (f *tiffFile) sample(x, y, c int) uint64 {
	v := f.pic(x, y, c)
	if f.stored != nil {
		return f.stored(v, c)
	}
	switch f.format {
	case fFloat:
		v := float64(v) / 65535
		switch f.bps {
		case 16:
			return uint64(floatToHalf(v))
		case 32:
			return uint64(math.Float32bits(float32(v)))
		}
		return math.Float64bits(v)
	case fInt:
		if f.bps >= 16 {
			u := uint64(v) << (f.bps - 16)
			return u ^ 1<<(f.bps-1)
		}
	}
	if f.bps >= 16 {
		return uint64(v) << (f.bps - 16)
	}
	return uint64(v) >> (16 - f.bps)
}

// floatToHalf converts v in 0..1 to IEEE binary16, rounding to nearest.
func floatToHalf(v float64) uint16 {
	if v == 0 {
		return 0
	}
	frac, exp := math.Frexp(v) // v = frac * 2^exp, frac in [0.5, 1)
	e := exp - 1 + 15
	if e <= 0 {
		return uint16(math.Round(v / math.Ldexp(1, -24)))
	}
	m := uint16(math.Round((frac*2 - 1) * 1024))
	if m == 1024 {
		m, e = 0, e+1
	}
	return uint16(e)<<10 | m
}

// bitWriter packs values of any width most significant bit first.
type bitWriter struct {
	buf  []byte
	acc  uint64
	nbit int
}

func (w *bitWriter) put(v uint64, n int) {
	for n > 0 {
		take := min(n, 8-w.nbit)
		bits := v >> (n - take) & (1<<take - 1)
		w.acc = w.acc<<take | bits
		w.nbit += take
		n -= take
		if w.nbit == 8 {
			w.buf = append(w.buf, byte(w.acc))
			w.acc, w.nbit = 0, 0
		}
	}
}

func (w *bitWriter) flush() {
	if w.nbit > 0 {
		w.put(0, 8-w.nbit)
	}
}

// chunk returns the uncompressed samples of the cw x ch strip or tile at (x0, y0) of plane
// (plane is ignored unless planar), with the predictor applied.
func (f *tiffFile) chunk(bo binary.ByteOrder, x0, y0, cw, ch, plane int) []byte {
	if f.subH > 1 || f.subV > 1 {
		var out []byte
		for by := 0; by < (ch+f.subV-1)/f.subV; by++ {
			for bx := 0; bx < (cw+f.subH-1)/f.subH; bx++ {
				at := func(i, j int) (int, int) {
					return min(x0+bx*f.subH+i, f.width-1), min(y0+by*f.subV+j, f.height-1)
				}
				for j := 0; j < f.subV; j++ {
					for i := 0; i < f.subH; i++ {
						x, y := at(i, j)
						out = append(out, byte(f.sample(x, y, 0)))
					}
				}
				x, y := at(0, 0)
				out = append(out, byte(f.sample(x, y, 1)), byte(f.sample(x, y, 2)))
			}
		}
		return out
	}
	samples := []int{plane}
	if !f.planar {
		samples = samples[:0]
		for c := 0; c < f.spp; c++ {
			samples = append(samples, c)
		}
	}
	var out []byte
	for y := y0; y < y0+ch; y++ {
		var vals []uint64
		for x := x0; x < x0+cw; x++ {
			for _, c := range samples {
				if x < f.width && y < f.height {
					vals = append(vals, f.sample(x, y, c))
				} else {
					vals = append(vals, 0)
				}
			}
		}
		out = append(out, f.packRow(bo, vals, len(samples))...)
	}
	return out
}

// packRow packs one row of samples, applying the predictor.
func (f *tiffFile) packRow(bo binary.ByteOrder, vals []uint64, spc int) []byte {
	size := f.bps / 8
	if f.predictor == 3 {
		// Byte planes, most significant first, then bytes differenced.
		n := len(vals)
		row := make([]byte, n*size)
		for k, v := range vals {
			for b := 0; b < size; b++ {
				row[b*n+k] = byte(v >> (8 * (size - 1 - b)))
			}
		}
		for i := len(row) - 1; i >= spc; i-- {
			row[i] -= row[i-spc]
		}
		return row
	}
	if f.predictor == 2 {
		mask := uint64(1)<<f.bps - 1
		if f.bps == 64 {
			mask = math.MaxUint64
		}
		for i := len(vals) - 1; i >= spc; i-- {
			vals[i] = (vals[i] - vals[i-spc]) & mask
		}
	}
	if f.bps%8 == 0 && f.bps > 8 {
		row := make([]byte, len(vals)*size)
		for i, v := range vals {
			switch size {
			case 2:
				bo.PutUint16(row[2*i:], uint16(v))
			case 4:
				bo.PutUint32(row[4*i:], uint32(v))
			case 8:
				bo.PutUint64(row[8*i:], v)
			}
		}
		return row
	}
	var w bitWriter
	for _, v := range vals {
		w.put(v, f.bps)
	}
	w.flush()
	return w.buf
}

// compress compresses one strip or tile.
func (f *tiffFile) compress(t testing.TB, b []byte) []byte {
	var out []byte
	switch f.compression {
	case 0, cNone:
		out = b
	case cPackBits:
		out = packBits(b)
	case cLZW:
		if f.compat {
			var buf bytes.Buffer
			w := lzw.NewWriter(&buf, lzw.LSB, 8)
			w.Write(b)
			w.Close()
			out = buf.Bytes()
			// libtiff recognises compat data by a clear code in its first 9 bits.
			if len(out) < 2 || out[0] != 0 || out[1]&1 == 0 {
				t.Fatalf("compat LZW does not start with a clear code: % x", out[:2])
			}
		} else {
			out = tiffLZW(b)
		}
	case cDeflate, cDeflateOld:
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		w.Write(b)
		w.Close()
		out = buf.Bytes()
	case cLZMA:
		var buf bytes.Buffer
		w, err := xz.WriterConfig{DictCap: 1 << 16}.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
		w.Close()
		out = buf.Bytes()
	default:
		t.Fatalf("writer cannot compress with %d", f.compression)
	}
	if f.fillOrder2 {
		out = reverseBits(out)
	}
	return out
}

// packBits encodes b with literal runs of up to 128 bytes and repeat runs for
// three or more equal bytes.
func packBits(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		j := i + 1
		for j < len(b) && j-i < 128 && b[j] == b[i] {
			j++
		}
		if j-i >= 3 {
			out = append(out, byte(int8(1-(j-i))), b[i])
			i = j
			continue
		}
		j = i
		for j < len(b) && j-i < 128 && !(j+2 < len(b) && b[j] == b[j+1] && b[j] == b[j+2]) {
			j++
		}
		out = append(out, byte(j-i-1))
		out = append(out, b[i:j]...)
		i = j
	}
	return out
}

// tiffLZW encodes b as TIFF LZW using only literal codes, with a clear code
// before the table grows past 9-bit codes.
func tiffLZW(b []byte) []byte {
	const clear, eoi = 256, 257
	var w bitWriter
	w.put(clear, 9)
	next := 258 // the next table entry the decoder adds
	first := true
	for _, v := range b {
		w.put(uint64(v), 9)
		if !first {
			next++
		}
		first = false
		if next >= 500 {
			w.put(clear, 9)
			next, first = 258, true
		}
	}
	w.put(eoi, 9)
	w.flush()
	return w.buf
}

// writeTIFF returns the bytes of the file f describes.
func writeTIFF(t testing.TB, f tiffFile) []byte {
	t.Helper()
	f.defaults()
	var bo byteOrder = binary.LittleEndian
	if f.bigEndian {
		bo = binary.BigEndian
	}
	head := 8
	if f.bigTIFF {
		head = 16
	}
	data := make([]byte, head)
	cw, ch := f.width, f.rowsPerStrip
	if ch == 0 {
		ch = f.height
	}
	tiled := f.tileW > 0
	if tiled {
		cw, ch = f.tileW, f.tileH
	}
	across, down := (f.width+cw-1)/cw, (f.height+ch-1)/ch
	planes := 1
	if f.planar {
		planes = f.spp
	}
	var offsets, counts []uint64
	for p := 0; p < planes; p++ {
		for j := 0; j < across*down; j++ {
			x0, y0 := j%across*cw, j/across*ch
			h := ch
			if !tiled {
				h = min(ch, f.height-y0)
			}
			var c []byte
			if f.chunks != nil {
				c = f.chunks[len(offsets)]
			} else {
				c = f.compress(t, f.chunk(bo, x0, y0, cw, h, p))
			}
			offsets = append(offsets, uint64(len(data)))
			counts = append(counts, uint64(len(c)))
			data = append(data, c...)
		}
	}
	long := uint16(typeLong)
	if f.bigTIFF {
		long = typeLong8
	}
	bpsVals := make([]uint64, f.spp)
	for i := range bpsVals {
		bpsVals[i] = uint64(f.bps)
	}
	entries := []entry{
		{tag: tagWidth, typ: typeLong, vals: []uint64{uint64(f.width)}},
		{tag: tagHeight, typ: typeShort, vals: []uint64{uint64(f.height)}},
		{tag: tagBitsPerSample, typ: typeShort, vals: bpsVals},
		{tag: tagCompression, typ: typeShort, vals: []uint64{uint64(max(f.compression, 1))}},
		{tag: tagPhotometric, typ: typeShort, vals: []uint64{uint64(f.photometric)}},
		{tag: tagSamplesPerPixel, typ: typeShort, vals: []uint64{uint64(f.spp)}},
		{tag: tagSampleFormat, typ: typeShort, vals: repeat(uint64(f.format), f.spp)},
	}
	if tiled {
		entries = append(entries,
			entry{tag: tagTileWidth, typ: typeShort, vals: []uint64{uint64(cw)}},
			entry{tag: tagTileLength, typ: typeLong, vals: []uint64{uint64(ch)}},
			entry{tag: tagTileOffsets, typ: long, vals: offsets},
			entry{tag: tagTileByteCounts, typ: long, vals: counts})
	} else {
		entries = append(entries,
			entry{tag: tagRowsPerStrip, typ: typeLong, vals: []uint64{uint64(ch)}},
			entry{tag: tagStripOffsets, typ: long, vals: offsets},
			entry{tag: tagStripByteCounts, typ: long, vals: counts})
	}
	if f.planar {
		entries = append(entries, entry{tag: tagPlanarConfig, typ: typeShort, vals: []uint64{2}})
	}
	if f.predictor != 0 {
		entries = append(entries, entry{tag: tagPredictor, typ: typeShort, vals: []uint64{uint64(f.predictor)}})
	}
	if f.fillOrder2 {
		entries = append(entries, entry{tag: tagFillOrder, typ: typeShort, vals: []uint64{2}})
	}
	if len(f.extra) > 0 {
		var v []uint64
		for _, e := range f.extra {
			v = append(v, uint64(e))
		}
		entries = append(entries, entry{tag: tagExtraSamples, typ: typeShort, vals: v})
	}
	if f.photometric == pYCbCr {
		entries = append(entries, entry{tag: tagYCbCrSubSampling, typ: typeShort, vals: []uint64{uint64(f.subH), uint64(f.subV)}})
	}
	if f.colorMap != nil {
		var v []uint64
		for _, c := range f.colorMap {
			v = append(v, uint64(c))
		}
		entries = append(entries, entry{tag: tagColorMap, typ: typeShort, vals: v})
	}
	if f.orientation != 0 {
		entries = append(entries, entry{tag: tagOrientation, typ: typeShort, vals: []uint64{uint64(f.orientation)}})
	}
	if f.icc != nil {
		entries = append(entries, entry{tag: tagICC, typ: typeUndefined, raw: f.icc})
	}
	entries = append(slicesDelete(entries, f.omitTags), f.extraTags...)
	sort.Slice(entries, func(i, j int) bool { return entries[i].tag < entries[j].tag })
	if f.unsorted {
		for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
			entries[i], entries[j] = entries[j], entries[i]
		}
	}
	return appendIFD(data, bo, f.bigTIFF, entries)
}

func repeat(v uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func slicesDelete(entries []entry, tags []int) []entry {
	var out []entry
	for _, e := range entries {
		keep := true
		for _, t := range tags {
			if int(e.tag) == t {
				keep = false
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	return out
}

// bigOrLittle returns the byte order writeTIFF uses.
func bigOrLittle(big bool) byteOrder {
	if big {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// byteOrder reads, writes and appends in one byte order.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// appendIFD appends the IFD of entries (values that do not fit inline go
// before it) to data, whose first 8 or 16 bytes are overwritten by the header.
func appendIFD(data []byte, bo byteOrder, big bool, entries []entry) []byte {
	inline := 4
	if big {
		inline = 8
	}
	values := make([][]byte, len(entries))
	for i, e := range entries {
		raw := e.raw
		if raw == nil {
			size := typeSize[e.typ]
			raw = make([]byte, size*len(e.vals))
			for k, v := range e.vals {
				switch size {
				case 1:
					raw[k] = byte(v)
				case 2:
					bo.PutUint16(raw[2*k:], uint16(v))
				case 4:
					bo.PutUint32(raw[4*k:], uint32(v))
				case 8:
					bo.PutUint64(raw[8*k:], v)
				}
			}
		}
		values[i] = raw
	}
	offsets := make([]uint64, len(entries))
	for i, raw := range values {
		if len(raw) > inline {
			if len(data)%2 == 1 {
				data = append(data, 0)
			}
			offsets[i] = uint64(len(data))
			data = append(data, raw...)
		}
	}
	if len(data)%2 == 1 {
		data = append(data, 0)
	}
	ifdAt := uint64(len(data))
	if big {
		data = bo.AppendUint64(data, uint64(len(entries)))
	} else {
		data = bo.AppendUint16(data, uint16(len(entries)))
	}
	for i, e := range entries {
		n := uint64(len(values[i]) / typeSize[e.typ])
		data = bo.AppendUint16(data, e.tag)
		data = bo.AppendUint16(data, e.typ)
		val := make([]byte, inline)
		if len(values[i]) <= inline {
			copy(val, values[i])
		} else if big {
			bo.PutUint64(val, offsets[i])
		} else {
			bo.PutUint32(val, uint32(offsets[i]))
		}
		if big {
			data = bo.AppendUint64(data, n)
		} else {
			data = bo.AppendUint32(data, uint32(n))
		}
		data = append(data, val...)
	}
	data = append(data, make([]byte, inline)...) // no next IFD
	if bo == binary.LittleEndian {
		copy(data, "II")
	} else {
		copy(data, "MM")
	}
	if big {
		bo.PutUint16(data[2:], 43)
		bo.PutUint16(data[4:], 8)
		bo.PutUint16(data[6:], 0)
		bo.PutUint64(data[8:], ifdAt)
	} else {
		bo.PutUint16(data[2:], 42)
		bo.PutUint32(data[4:], uint32(ifdAt))
	}
	return data
}
