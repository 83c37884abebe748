package bmp_test

import (
	"encoding/binary"
	"image"
	"image/color"
	"math/bits"

	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// Compression values as written in the header.
const (
	biRGB            = 0
	biRLE8           = 1
	biRLE4           = 2
	biBitfields      = 3
	biRLE24OS2       = 4 // BI_JPEG in a Windows header
	biAlphaBitfields = 6
)

// picture is the content a test BMP holds: palette indices for depths up to
// 8 bits and RLE4/RLE8, colours otherwise.
type picture struct {
	w, h  int
	index []byte       // w*h palette indices, row by row from the top
	rgba  *image.NRGBA // for 16, 24 and 32 bits and RLE24
}

// bmpFile describes how the test encoder lays a picture out.
type bmpFile struct {
	infoSize     int // 12, 16, 40, 52, 56, 64, 108 or 124
	bitsPerPixel int
	compression  uint32
	masks        [4]uint32 // red, green, blue, alpha; the pixel layout for 16 and 32 bits
	topDown      bool
	palette      [][3]byte // red, green, blue
	colorsUsed   uint32
	gap          int  // bytes between the palette and the pixels
	rgbPalette   bool // 3-byte palette entries in a header other than 12 bytes, as some OS/2 2.x writers do
}

// defaultMasks returns the masks a BI_RGB file of the given depth implies.
func defaultMasks(bitsPerPixel int) [4]uint32 {
	if bitsPerPixel == 16 {
		return [4]uint32{0x7c00, 0x03e0, 0x001f, 0}
	}
	return [4]uint32{0xff0000, 0xff00, 0xff, 0}
}

// masksInFile reports whether the file carries masks rather than implying them.
func (f bmpFile) masksInFile() bool {
	return f.compression == biBitfields || f.compression == biAlphaBitfields
}

// alphaInUnusedByte reports whether the file is a 32-bit BI_RGB with a
// BITMAPINFOHEADER, whose fourth bytes are alpha unless all zero.
func (f bmpFile) alphaInUnusedByte() bool {
	return f.infoSize == 40 && f.compression == biRGB && f.bitsPerPixel == 32
}

// hasAlpha reports whether a decoder should give the picture an alpha channel.
func (f bmpFile) hasAlpha() bool {
	if f.alphaInUnusedByte() {
		return true
	}
	if !f.masksInFile() || f.masks[3] == 0 {
		return false
	}
	return f.compression == biAlphaBitfields || f.infoSize >= 56
}

// encode writes p as a BMP file laid out as f says.
func (f bmpFile) encode(p picture) []byte {
	le := binary.LittleEndian
	var info []byte
	if f.infoSize == 12 {
		info = make([]byte, 12)
		le.PutUint32(info, 12)
		le.PutUint16(info[4:], uint16(p.w))
		le.PutUint16(info[6:], uint16(p.h))
		le.PutUint16(info[8:], 1)
		le.PutUint16(info[10:], uint16(f.bitsPerPixel))
	} else {
		full := make([]byte, max(f.infoSize, 56))
		le.PutUint32(full, uint32(f.infoSize))
		le.PutUint32(full[4:], uint32(p.w))
		height := int32(p.h)
		if f.topDown {
			height = -height
		}
		le.PutUint32(full[8:], uint32(height))
		le.PutUint16(full[12:], 1)
		le.PutUint16(full[14:], uint16(f.bitsPerPixel))
		le.PutUint32(full[16:], f.compression)
		le.PutUint32(full[24:], 2835)
		le.PutUint32(full[28:], 2835)
		le.PutUint32(full[32:], f.colorsUsed)
		if f.infoSize >= 52 && f.masksInFile() {
			for i, m := range f.masks {
				le.PutUint32(full[40+4*i:], m)
			}
		}
		if f.infoSize >= 108 {
			copy(full[56:], "BGRs") // LCS_sRGB
		}
		info = full[:f.infoSize]
	}
	var masks []byte
	if f.infoSize == 40 && f.masksInFile() {
		n := 3
		if f.compression == biAlphaBitfields {
			n = 4
		}
		masks = make([]byte, 4*n)
		for i := range n {
			le.PutUint32(masks[4*i:], f.masks[i])
		}
	}
	var palette []byte
	for _, c := range f.palette {
		palette = append(palette, c[2], c[1], c[0])
		if f.infoSize != 12 && !f.rgbPalette {
			palette = append(palette, 0)
		}
	}
	pixels := f.pixels(p)
	offset := 14 + len(info) + len(masks) + len(palette) + f.gap
	out := make([]byte, 14, offset+len(pixels))
	copy(out, "BM")
	le.PutUint32(out[2:], uint32(offset+len(pixels)))
	le.PutUint32(out[10:], uint32(offset))
	out = append(out, info...)
	out = append(out, masks...)
	out = append(out, palette...)
	for range f.gap {
		out = append(out, 0xee)
	}
	if len(info) >= 24 {
		le.PutUint32(out[14+20:], uint32(len(pixels)))
	}
	return append(out, pixels...)
}

// fileRows returns the image rows of p in the order the file stores them.
func (f bmpFile) fileRows(h int) []int {
	rows := make([]int, h)
	for i := range rows {
		rows[i] = h - 1 - i
		if f.topDown {
			rows[i] = i
		}
	}
	return rows
}

func (f bmpFile) pixels(p picture) []byte {
	switch f.compression {
	case biRLE8, biRLE4:
		return f.rlePixels(p)
	case biRLE24OS2:
		return f.rle24Pixels(p)
	}
	rowSize := (p.w*f.bitsPerPixel + 31) / 32 * 4
	var out []byte
	for _, y := range f.fileRows(p.h) {
		row := make([]byte, rowSize)
		for x := range p.w {
			switch f.bitsPerPixel {
			case 1, 2, 4, 8:
				d := f.bitsPerPixel
				row[x*d/8] |= p.index[y*p.w+x] << (8 - d - x*d%8)
			case 24:
				c := p.rgba.NRGBAAt(x, y)
				row[3*x], row[3*x+1], row[3*x+2] = c.B, c.G, c.R
			case 16:
				binary.LittleEndian.PutUint16(row[2*x:], uint16(f.packed(p.rgba.NRGBAAt(x, y))))
			case 32:
				c := p.rgba.NRGBAAt(x, y)
				v := f.packed(c)
				switch {
				case f.alphaInUnusedByte():
					v |= uint32(c.A) << 24
				case !f.masksInFile():
					v |= 0x5a << 24 // an unused byte that must be ignored
				}
				binary.LittleEndian.PutUint32(row[4*x:], v)
			}
		}
		out = append(out, row...)
	}
	return out
}

// packed returns c quantised into the fields of f's masks.
func (f bmpFile) packed(c color.NRGBA) uint32 {
	masks := f.masks
	if !f.masksInFile() {
		masks = defaultMasks(f.bitsPerPixel)
	}
	var v uint32
	for i, s := range []uint8{c.R, c.G, c.B, c.A} {
		if masks[i] == 0 {
			continue
		}
		shift := bits.TrailingZeros32(masks[i])
		top := uint64(masks[i] >> shift)
		v |= uint32((uint64(s)*top+127)/255) << shift
	}
	return v
}

// scaled returns what a decoder makes of the field mask in pixel v: the
// field scaled to 8 bits with rounding.
func scaled(v, mask uint32) uint8 {
	if mask == 0 {
		return 0
	}
	shift := bits.TrailingZeros32(mask)
	top := uint64(mask >> shift)
	return uint8((uint64((v&mask)>>shift)*255 + top/2) / top)
}

// expected returns the picture a correct decoder gives for p written as f.
func (f bmpFile) expected(p picture) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, p.w, p.h))
	anyAlpha := false
	if p.rgba != nil {
		for i := 3; i < len(p.rgba.Pix); i += 4 {
			anyAlpha = anyAlpha || p.rgba.Pix[i] != 0
		}
	}
	for y := range p.h {
		for x := range p.w {
			var c color.NRGBA
			switch {
			case p.index != nil:
				c = color.NRGBA{A: 255}
				if i := int(p.index[y*p.w+x]); i < len(f.palette) {
					c.R, c.G, c.B = f.palette[i][0], f.palette[i][1], f.palette[i][2]
				} else if len(f.palette) > 0 {
					c.R, c.G, c.B = f.palette[0][0], f.palette[0][1], f.palette[0][2]
				}
			case f.bitsPerPixel == 16 || f.bitsPerPixel == 32:
				masks := f.masks
				if !f.masksInFile() {
					masks = defaultMasks(f.bitsPerPixel)
				}
				v := f.packed(p.rgba.NRGBAAt(x, y))
				c = color.NRGBA{scaled(v, masks[0]), scaled(v, masks[1]), scaled(v, masks[2]), 255}
				switch {
				case f.alphaInUnusedByte() && anyAlpha:
					c.A = p.rgba.NRGBAAt(x, y).A
				case f.alphaInUnusedByte():
				case f.hasAlpha():
					c.A = scaled(v, masks[3])
				}
			default:
				c = p.rgba.NRGBAAt(x, y)
				c.A = 255
			}
			out.SetNRGBA(x, y, c)
		}
	}
	return out
}

// rleWriter encodes rows of pixel symbols, 0 being the symbol a decoder
// fills skipped pixels with.
type rleWriter struct {
	out     []byte
	run     func(w *rleWriter, n int, row []int) // n pixels of row's first value (RLE4: alternating first two)
	literal func(w *rleWriter, row []int)        // 3 to 255 pixels in absolute mode
	runLen  func(row []int) int                  // pixels a single run may cover from row[0]
}

func (w *rleWriter) escape(b ...byte) { w.out = append(w.out, append([]byte{0}, b...)...) }

// encodeRows writes rows (file order) with runs, absolute runs, and
// end-of-line, delta and end-of-bitmap escapes over pixels that are 0.
func (w *rleWriter) encodeRows(rows [][]int) []byte {
	allZero := func(r []int) bool {
		for _, v := range r {
			if v != 0 {
				return false
			}
		}
		return true
	}
	for y := 0; y < len(rows); {
		rest := true
		for _, r := range rows[y:] {
			rest = rest && allZero(r)
		}
		if rest {
			break
		}
		if allZero(rows[y]) {
			// Skip whole rows: the position is at the start of row y.
			n := 0
			for y+n < len(rows) && allZero(rows[y+n]) && n < 255 {
				n++
			}
			w.escape(2, 0, byte(n))
			y += n
			continue
		}
		row := rows[y]
		end := len(row)
		for end > 0 && row[end-1] == 0 {
			end--
		}
		for x := 0; x < end; {
			zeros := 0
			for x+zeros < end && row[x+zeros] == 0 && zeros < 255 {
				zeros++
			}
			if zeros >= 4 {
				w.escape(2, byte(zeros), 0)
				x += zeros
				continue
			}
			if n := min(w.runLen(row[x:end]), 255); n >= 3 {
				w.run(w, n, row[x:end])
				x += n
				continue
			}
			j := x
			for j < end && j-x < 255 {
				if min(w.runLen(row[j:end]), 255) >= 3 {
					break
				}
				z := 0
				for j+z < end && row[j+z] == 0 {
					z++
				}
				if z >= 4 {
					break
				}
				j++
			}
			if j-x >= 3 {
				w.literal(w, row[x:j])
			} else {
				for k := x; k < j; k++ {
					w.run(w, 1, row[k:])
				}
			}
			x = j
		}
		w.escape(0)
		y++
	}
	w.escape(1)
	return w.out
}

func (f bmpFile) rlePixels(p picture) []byte {
	var rows [][]int
	for _, y := range f.fileRows(p.h) {
		row := make([]int, p.w)
		for x := range row {
			row[x] = int(p.index[y*p.w+x])
		}
		rows = append(rows, row)
	}
	w := &rleWriter{}
	if f.compression == biRLE8 {
		w.runLen = sameRun
		w.run = func(w *rleWriter, n int, row []int) { w.out = append(w.out, byte(n), byte(row[0])) }
		w.literal = func(w *rleWriter, row []int) {
			w.escape(byte(len(row)))
			for _, v := range row {
				w.out = append(w.out, byte(v))
			}
			if len(row)%2 == 1 {
				w.out = append(w.out, 0)
			}
		}
		return w.encodeRows(rows)
	}
	w.runLen = func(row []int) int {
		// Runs of one value, or of two alternating values.
		n := 0
		for n < len(row) && row[n] == row[n%2] {
			n++
		}
		return n
	}
	w.run = func(w *rleWriter, n int, row []int) {
		second := row[0]
		if n > 1 {
			second = row[1]
		}
		w.out = append(w.out, byte(n), byte(row[0]<<4|second))
	}
	w.literal = func(w *rleWriter, row []int) {
		w.escape(byte(len(row)))
		packed := make([]byte, (len(row)+1)/2)
		for i, v := range row {
			packed[i/2] |= byte(v) << (4 - 4*(i%2))
		}
		if len(packed)%2 == 1 {
			packed = append(packed, 0)
		}
		w.out = append(w.out, packed...)
	}
	return w.encodeRows(rows)
}

func sameRun(row []int) int {
	n := 0
	for n < len(row) && row[n] == row[0] {
		n++
	}
	return n
}

// rle24Pixels writes OS/2 RLE24: runs of a count and a B-G-R triple. Black
// pixels are the ones escapes may skip.
func (f bmpFile) rle24Pixels(p picture) []byte {
	var rows [][]int
	for _, y := range f.fileRows(p.h) {
		row := make([]int, p.w)
		for x := range row {
			c := p.rgba.NRGBAAt(x, y)
			row[x] = int(c.R)<<16 | int(c.G)<<8 | int(c.B)
		}
		rows = append(rows, row)
	}
	bgr := func(v int) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16)} }
	w := &rleWriter{runLen: sameRun}
	w.run = func(w *rleWriter, n int, row []int) { w.out = append(append(w.out, byte(n)), bgr(row[0])...) }
	w.literal = func(w *rleWriter, row []int) {
		w.escape(byte(len(row)))
		for _, v := range row {
			w.out = append(w.out, bgr(v)...)
		}
		if len(row)%2 == 1 {
			w.out = append(w.out, 0)
		}
	}
	return w.encodeRows(rows)
}

// indexPicture returns a w×h picture of indices below 2^bitsPerPixel, with
// long runs, alternating runs, zero stretches inside rows, all-zero rows in
// the middle and at both ends, so that RLE encoders use every escape.
func indexPicture(w, h, bitsPerPixel int) picture {
	n := 1 << bitsPerPixel
	p := picture{w: w, h: h, index: make([]byte, w*h)}
	for y := range h {
		for x := range w {
			var v int
			switch {
			case y == 0 || y == h-1 || y == h/2:
				v = 0
			case x >= w/4 && x < w/2 && y%3 == 0:
				v = 0
			case x >= w/2 && x < 3*w/4:
				v = (y + 1) % n
			case x >= 3*w/4:
				v = ((x%2)*(n-1) + y%2) % n
			default:
				v = (x*5 + y*3) % n
			}
			p.index[y*w+x] = byte(v)
		}
	}
	return p
}

// testPalette returns n distinct colours, or n grays.
func testPalette(n int, gray bool) [][3]byte {
	pal := make([][3]byte, n)
	for i := range pal {
		if gray {
			v := byte(i * 255 / max(n-1, 1))
			pal[i] = [3]byte{v, v, v}
			continue
		}
		pal[i] = [3]byte{byte(i*37 + 11), byte(255 - i*11), byte(i * 73)}
	}
	return pal
}

// colorPicture returns a photo-like w×h picture whose alpha varies over the
// whole range.
func colorPicture(w, h int) picture {
	img := testimage.Photo(w, h)
	for y := range h {
		for x := range w {
			img.Pix[img.PixOffset(x, y)+3] = byte(x*7 + y*13)
		}
	}
	return picture{w: w, h: h, rgba: img}
}

// runPicture returns a picture made of a few colours with runs and black
// stretches, for RLE24.
func runPicture(w, h int) picture {
	idx := indexPicture(w, h, 3)
	pal := testPalette(8, false)
	pal[0] = [3]byte{}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i, v := range idx.index {
		c := pal[v]
		copy(img.Pix[4*i:], []byte{c[0], c[1], c[2], 255})
	}
	return picture{w: w, h: h, rgba: img}
}
