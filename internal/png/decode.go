package png

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zlib"
)

// ErrUnsupported is the error DecodeShrunk returns for a stream it leaves
// to a decoder of whole pictures: an interlaced (Adam7) one, or one asked
// to shrink by more than its sums can hold.
var ErrUnsupported = errors.New("png: not supported by the streaming decoder")

// errTruncated is the error for a stream that ends before IEND.
var errTruncated = errors.New("png: truncated")

// The colour types of IHDR.
const (
	ctGray      = 0
	ctRGB       = 2
	ctPaletted  = 3
	ctGrayAlpha = 4
	ctRGBA      = 6
)

// header is what IHDR, PLTE and tRNS say of the pixels.
type header struct {
	width, height    int
	depth, colorType int
	interlaced       bool
	palette          [256][4]uint8 // RGBA; entries past PLTE's are opaque black, as in libpng
	transparent      []byte        // tRNS; nil when absent
}

// bitsPerPixel returns the bits of one pixel in a row of the stream.
func (h *header) bitsPerPixel() int {
	switch h.colorType {
	case ctRGB:
		return 3 * h.depth
	case ctGrayAlpha:
		return 2 * h.depth
	case ctRGBA:
		return 4 * h.depth
	}
	return h.depth
}

// validDepth reports whether the PNG specification allows depth for colorType.
func validDepth(depth, colorType int) bool {
	switch colorType {
	case ctGray:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16
	case ctPaletted:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8
	case ctRGB, ctGrayAlpha, ctRGBA:
		return depth == 8 || depth == 16
	}
	return false
}

// layout reads the chunks of data that matter for its pixels, in the
// order image/png requires, and returns the header and the data of the
// run of consecutive IDAT chunks that holds the image. Ancillary chunks
// with a bad CRC are ignored, as if absent; critical ones fail.
func layout(data []byte) (h header, idat [][]byte, err error) {
	if len(data) < len(Signature) || string(data[:len(Signature)]) != Signature {
		return h, nil, errors.New("png: not a PNG file")
	}
	const (
		start = iota
		seenIHDR
		seenPLTE
		seentRNS
		seenIDAT
		seenIEND
	)
	stage := start
	paletted := false
	orderErr := func(kind string) error { return fmt.Errorf("png: %s chunk out of order", kind) }
	lastIDAT := -1 // end of the last IDAT of the first run
	for c := range Chunks(data) {
		if !c.CRCOK() {
			if c.Ancillary() {
				continue
			}
			return h, nil, fmt.Errorf("png: %q chunk has a bad CRC", c.Kind)
		}
		switch c.Kind {
		case "IHDR":
			if stage != start {
				return h, nil, orderErr(c.Kind)
			}
			if len(c.Data) != 13 {
				return h, nil, errors.New("png: bad IHDR length")
			}
			stage = seenIHDR
			w, ht := int32(binary.BigEndian.Uint32(c.Data)), int32(binary.BigEndian.Uint32(c.Data[4:]))
			if w <= 0 || ht <= 0 {
				return h, nil, errors.New("png: non-positive dimension")
			}
			h.width, h.height = int(w), int(ht)
			h.depth, h.colorType = int(c.Data[8]), int(c.Data[9])
			if !validDepth(h.depth, h.colorType) {
				return h, nil, fmt.Errorf("png: unsupported bit depth %d, color type %d", h.depth, h.colorType)
			}
			if c.Data[10] != 0 || c.Data[11] != 0 || c.Data[12] > 1 {
				return h, nil, errors.New("png: unsupported compression, filter or interlace method")
			}
			h.interlaced = c.Data[12] == 1
			paletted = h.colorType == ctPaletted
			for i := range h.palette {
				h.palette[i] = [4]uint8{0, 0, 0, 255}
			}
		case "PLTE":
			if stage != seenIHDR {
				return h, nil, orderErr(c.Kind)
			}
			stage = seenPLTE
			n := len(c.Data) / 3
			if len(c.Data)%3 != 0 || n == 0 || n > 256 || n > 1<<h.depth {
				return h, nil, errors.New("png: bad PLTE length")
			}
			if h.colorType == ctGray || h.colorType == ctGrayAlpha {
				return h, nil, errors.New("png: PLTE, color type mismatch")
			}
			for i := range n {
				copy(h.palette[i][:3], c.Data[3*i:])
			}
		case "tRNS":
			switch {
			case paletted && stage != seenPLTE,
				h.colorType == ctRGB && stage != seenIHDR && stage != seenPLTE,
				h.colorType == ctGray && stage != seenIHDR:
				return h, nil, orderErr(c.Kind)
			}
			stage = seentRNS
			switch {
			case h.colorType == ctGrayAlpha || h.colorType == ctRGBA:
				return h, nil, errors.New("png: tRNS, color type mismatch")
			case paletted && len(c.Data) > 256,
				h.colorType == ctGray && len(c.Data) != 2,
				h.colorType == ctRGB && len(c.Data) != 6:
				return h, nil, errors.New("png: bad tRNS length")
			}
			h.transparent = c.Data
			if paletted {
				for i, a := range c.Data {
					h.palette[i][3] = a
				}
			}
		case "IDAT":
			switch {
			case stage < seenIHDR || stage > seenIDAT || stage == seenIHDR && paletted:
				return h, nil, orderErr(c.Kind)
			case stage == seenIDAT && c.Start != lastIDAT:
				continue // IDATs after other chunks are ignored, as image/png does
			}
			stage = seenIDAT
			idat = append(idat, c.Data)
			lastIDAT = c.End
		case "IEND":
			if stage != seenIDAT {
				return h, nil, orderErr(c.Kind)
			}
			if len(c.Data) != 0 {
				return h, nil, errors.New("png: bad IEND length")
			}
			stage = seenIEND
		}
	}
	if stage != seenIEND {
		return h, nil, errTruncated
	}
	return h, idat, nil
}

// idatReader reads the concatenated data of IDAT chunks.
type idatReader struct {
	chunks [][]byte
}

func (r *idatReader) Read(p []byte) (int, error) {
	for len(r.chunks) > 0 && len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	return n, nil
}

// DecodeShrunk decodes the PNG stream data row by row, summing each row
// into k×k blocks (k ≥ 1) as it is unfiltered, and returns their means;
// only two rows of the source are held at once. It reads every colour
// type and bit depth, palettes and tRNS transparency as image/png does,
// ignores ancillary chunks whose CRC is bad (as libpng does), and fails
// where image/png fails: on a critical chunk with a bad CRC, chunks out of
// order, a stream cut short, or too little or too much pixel data. An
// interlaced stream gives ErrUnsupported. It looks at ctx between rows
// and returns ctx.Err() once ctx is done.
func DecodeShrunk(ctx context.Context, data []byte, k int) (*Planes, error) {
	h, idat, err := layout(data)
	if err != nil {
		return nil, err
	}
	if h.interlaced || k < 1 || k > maxShrink {
		return nil, ErrUnsupported
	}
	rowBytes := (h.width*h.bitsPerPixel() + 7) / 8
	bpp := max(1, h.bitsPerPixel()/8)
	// A bufio.Reader takes the inflater's fast path.
	zr, err := zlib.NewReader(bufio.NewReaderSize(&idatReader{chunks: idat}, 32<<10))
	if err != nil {
		return nil, fmt.Errorf("png: %w", err)
	}
	defer zr.Close()
	format, expand := h.rowFormat()
	s := newShrinker(format, h.width, h.height, k)
	cur, prev := make([]byte, 1+rowBytes), make([]byte, 1+rowBytes)
	var wide []byte
	if expand != nil {
		wide = make([]byte, h.width*bytesPerPixel[format])
	}
	for y := range h.height {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(zr, cur); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("png: row %d: %w", y, err)
		}
		if !unfilter(cur[0], cur[1:], prev[1:], bpp) {
			return nil, fmt.Errorf("png: row %d: bad filter type %d", y, cur[0])
		}
		row := cur[1:]
		if expand != nil {
			expand(&h, wide, row)
			row = wide
		}
		s.add(row)
		cur, prev = prev, cur
	}
	var one [1]byte
	if n, err := io.ReadFull(zr, one[:]); n != 0 || err != io.EOF {
		if n == 0 {
			return nil, fmt.Errorf("png: %w", err)
		}
		return nil, errors.New("png: too much pixel data")
	}
	return s.planes(), nil
}

// bytesPerPixel is the size of a pixel in each row format.
var bytesPerPixel = map[rowFormat]int{gray8: 1, rgb8: 3, rgba8: 4, gray16: 2, rgb16: 6, rgba16: 8}
