package png

// expander converts one unfiltered row of the stream of h into dst, in
// the row format rowFormat chose for h.
type expander func(h *header, dst, row []byte)

// rowFormat returns the format in which h's rows are summed and, when the
// stream's rows are not already in it, the function that converts them:
// sub-byte gray is scaled to 8 bits, palettes are looked up, and tRNS or
// an alpha channel next to gray makes RGBA.
func (h *header) rowFormat() (rowFormat, expander) {
	trns := h.transparent != nil
	switch h.colorType {
	case ctGray:
		switch {
		case h.depth == 16 && trns:
			return rgba16, expandGray16Key
		case h.depth == 16:
			return gray16, nil
		case trns:
			return rgba8, expandGrayKey
		case h.depth == 8:
			return gray8, nil
		}
		return gray8, expandGray
	case ctRGB:
		switch {
		case h.depth == 16 && trns:
			return rgba16, expandRGB16Key
		case h.depth == 16:
			return rgb16, nil
		case trns:
			return rgba8, expandRGBKey
		}
		return rgb8, nil
	case ctPaletted:
		if trns {
			return rgba8, expandPaletteAlpha
		}
		return rgb8, expandPalette
	case ctGrayAlpha:
		if h.depth == 16 {
			return rgba16, expandGrayAlpha16
		}
		return rgba8, expandGrayAlpha
	}
	if h.depth == 16 {
		return rgba16, nil
	}
	return rgba8, nil
}

// grayScale is what a sample of each depth below 8 is multiplied by to
// span 0–255.
var grayScale = [9]uint8{1: 0xff, 2: 0x55, 4: 0x11, 8: 1}

// unpack calls f with each of the first n samples of depth bits (1, 2, 4
// or 8) packed in row, most significant first.
func unpack(row []byte, depth, n int, f func(x int, v uint8)) {
	if depth == 8 {
		for x, v := range row[:n] {
			f(x, v)
		}
		return
	}
	perByte, mask := 8/depth, uint8(1<<depth-1)
	for x := range n {
		shift := 8 - depth*(x%perByte+1)
		f(x, row[x/perByte]>>shift&mask)
	}
}

func expandGray(h *header, dst, row []byte) {
	scale := grayScale[h.depth]
	unpack(row, h.depth, h.width, func(x int, v uint8) { dst[x] = v * scale })
}

// expandGrayKey makes gray pixels the tRNS gray level transparent. As in
// image/png, only the low byte of the key counts, scaled like the samples.
func expandGrayKey(h *header, dst, row []byte) {
	scale := grayScale[h.depth]
	key := h.transparent[1] * scale
	unpack(row, h.depth, h.width, func(x int, v uint8) {
		v *= scale
		a := uint8(255)
		if v == key {
			a = 0
		}
		dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = v, v, v, a
	})
}

func expandGray16Key(h *header, dst, row []byte) {
	k0, k1 := h.transparent[0], h.transparent[1]
	for x := range h.width {
		hi, lo := row[2*x], row[2*x+1]
		a := uint8(0xff)
		if hi == k0 && lo == k1 {
			a = 0
		}
		d := dst[8*x : 8*x+8 : 8*x+8]
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = hi, lo, hi, lo, hi, lo, a, a
	}
}

// expandRGBKey makes pixels of the tRNS colour transparent, comparing the
// low bytes of the key as image/png does.
func expandRGBKey(h *header, dst, row []byte) {
	kr, kg, kb := h.transparent[1], h.transparent[3], h.transparent[5]
	for x := range h.width {
		r, g, b := row[3*x], row[3*x+1], row[3*x+2]
		a := uint8(255)
		if r == kr && g == kg && b == kb {
			a = 0
		}
		dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = r, g, b, a
	}
}

func expandRGB16Key(h *header, dst, row []byte) {
	key := h.transparent
	for x := range h.width {
		px := row[6*x : 6*x+6 : 6*x+6]
		a := uint8(0xff)
		if string(px) == string(key) {
			a = 0
		}
		d := dst[8*x : 8*x+8 : 8*x+8]
		copy(d, px)
		d[6], d[7] = a, a
	}
}

func expandPalette(h *header, dst, row []byte) {
	unpack(row, h.depth, h.width, func(x int, v uint8) {
		c := &h.palette[v]
		dst[3*x], dst[3*x+1], dst[3*x+2] = c[0], c[1], c[2]
	})
}

func expandPaletteAlpha(h *header, dst, row []byte) {
	unpack(row, h.depth, h.width, func(x int, v uint8) {
		copy(dst[4*x:4*x+4], h.palette[v][:])
	})
}

func expandGrayAlpha(h *header, dst, row []byte) {
	for x := range h.width {
		v, a := row[2*x], row[2*x+1]
		dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = v, v, v, a
	}
}

func expandGrayAlpha16(h *header, dst, row []byte) {
	for x := range h.width {
		px := row[4*x : 4*x+4 : 4*x+4]
		d := dst[8*x : 8*x+8 : 8*x+8]
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = px[0], px[1], px[0], px[1], px[0], px[1], px[2], px[3]
	}
}
