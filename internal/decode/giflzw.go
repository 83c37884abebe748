package decode

import (
	"bytes"
	"compress/lzw"
	"errors"
	"fmt"
)

// gifMaxCodeWidth is the widest LZW code a GIF may hold, in bits.
const gifMaxCodeWidth = 12

// gifLZWEntry is one string of the LZW table: the string of prefix
// followed by suffix; first is its first value and length its length.
type gifLZWEntry struct {
	prefix, suffix, first, length uint16
}

// decodeGIFLZW decodes the LZW data of a GIF frame whose minimum code size
// is litWidth (2 to 11 bits; image/gif and compress/lzw stop at 8, but the
// format's 12-bit codes leave room for more, and giflib, ImageMagick and
// Pillow read such files). It returns exactly n palette indices: what a
// stream holds beyond n is ignored, and a stream that ends early (without
// its end code, or truncated) is padded with index 0, as ImageMagick
// leaves the rest of such a frame.
func decodeGIFLZW(data []byte, litWidth uint, n int) ([]uint16, error) {
	if litWidth < 2 || litWidth >= gifMaxCodeWidth {
		return nil, fmt.Errorf("gif: LZW code size %d out of range", litWidth)
	}
	var table [1 << gifMaxCodeWidth]gifLZWEntry
	clear := 1 << litWidth
	end := clear + 1
	for c := 0; c < clear; c++ {
		table[c] = gifLZWEntry{suffix: uint16(c), first: uint16(c), length: 1}
	}
	out := make([]uint16, 0, n)
	width := litWidth + 1
	next := clear + 2
	prev := -1
	var acc uint32
	var bits uint
	pos := 0
	for len(out) < n {
		for bits < width && pos < len(data) {
			acc |= uint32(data[pos]) << bits
			bits += 8
			pos++
		}
		if bits < width {
			break // the data ends without an end code
		}
		code := int(acc & (1<<width - 1))
		acc >>= width
		bits -= width
		switch {
		case code == clear:
			width, next, prev = litWidth+1, clear+2, -1
			continue
		case code == end:
			return pad(out, n), nil
		case prev < 0 && code > clear:
			return nil, errors.New("gif: LZW stream starts with a string code")
		case code > next || (code == next && (prev < 0 || next >= len(table))):
			return nil, fmt.Errorf("gif: LZW code %d not yet defined", code)
		}
		if prev >= 0 && next < len(table) {
			// The new string is prev's followed by the first value of
			// code's, which for code == next is prev's own first value.
			first := table[prev].first
			if code < next {
				first = table[code].first
			}
			table[next] = gifLZWEntry{prefix: uint16(prev), suffix: first, first: table[prev].first, length: table[prev].length + 1}
			next++
			if next == 1<<width && width < gifMaxCodeWidth {
				width++
			}
		}
		out = appendLZWString(out, table[:], code, n)
		prev = code
	}
	return pad(out, n), nil
}

// appendLZWString appends the string of code to out, cut at n values.
func appendLZWString(out []uint16, table []gifLZWEntry, code, n int) []uint16 {
	length := int(table[code].length)
	start := len(out)
	out = append(out, make([]uint16, length)...)
	for i := start + length - 1; i >= start; i-- {
		e := table[code]
		out[i] = e.suffix
		code = int(e.prefix)
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func pad(out []uint16, n int) []uint16 {
	for len(out) < n {
		out = append(out, 0)
	}
	return out
}

// encodeGIFLZW writes the palette indices of a frame as GIF image data
// with a minimum code size of 8: the code size byte, the LZW data in
// sub-blocks of at most 255 bytes, and the empty block that ends them.
func encodeGIFLZW(indices []uint16) ([]byte, error) {
	var lz bytes.Buffer
	w := lzw.NewWriter(&lz, lzw.LSB, 8)
	px := make([]byte, len(indices))
	for i, v := range indices {
		if v > 0xff {
			return nil, fmt.Errorf("gif: palette index %d out of range", v)
		}
		px[i] = byte(v)
	}
	if _, err := w.Write(px); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	data := lz.Bytes()
	out := make([]byte, 0, 1+len(data)+len(data)/255+2)
	out = append(out, 8)
	for len(data) > 0 {
		k := min(len(data), 255)
		out = append(out, byte(k))
		out = append(out, data[:k]...)
		data = data[k:]
	}
	return append(out, 0), nil
}
