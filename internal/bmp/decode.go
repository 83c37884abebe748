package bmp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math/bits"
)

// TruncatedError reports pixel data that ends before the last row. Decode
// returns it together with the image decoded so far, or with a nil image when
// not one row of uncompressed data is whole, or when the data is less than
// 1/256 of what the header's dimensions need.
type TruncatedError struct {
	Rows   int // rows decoded in full, in file order (bottom-up files start at the bottom)
	Height int
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("bmp: truncated pixel data: %d of %d rows", e.Rows, e.Height)
}

// DecodeConfig returns the dimensions and colour model of the BMP image in r
// without decoding its pixels. It reads r to the end only when the headers
// themselves are that long.
func DecodeConfig(r io.Reader) (image.Config, error) {
	head, err := readHeaders(r)
	if err != nil {
		return image.Config{}, err
	}
	h, err := parseHeader(head)
	if err != nil {
		return image.Config{}, err
	}
	var model color.Model
	switch {
	case h.encoding == embeddedJPEG || h.encoding == embeddedPNG:
		model = color.RGBAModel // the payload decides; its decoder is not run here
	case h.hasAlpha():
		model = color.NRGBAModel
	case h.bitsPerPixel <= 8 && h.grayPalette():
		model = color.GrayModel
	default:
		model = color.RGBAModel
	}
	return image.Config{ColorModel: model, Width: h.width, Height: h.height}, nil
}

// readHeaders reads from r the bytes up to the pixel data, or the whole of r
// when the offset is implausible, for parseHeader.
func readHeaders(r io.Reader) ([]byte, error) {
	var start [fileHeaderSize + fileHeaderSize]byte
	n, err := io.ReadFull(r, start[:])
	if err != nil && err != io.ErrUnexpectedEOF {
		if err == io.EOF {
			return nil, errHeaderTruncated
		}
		return nil, err
	}
	head := start[:n]
	offset := 10
	if n >= 2 && string(head[:2]) == "BA" {
		offset += 14
	}
	if len(head) < offset+4 {
		return head, nil
	}
	// The pixel data offset bounds the headers and palette. At least the
	// largest plausible headers (a V5 header, masks and 256 4-byte entries)
	// are read, so that a bogus offset is reported as such, and at most
	// 1 MiB, so that it does not make this read a whole file.
	const largestHeaders = 2*fileHeaderSize + 124 + 16 + 4*256
	want := min(max(int64(le32(head[offset:])), largestHeaders), 1<<20)
	rest, err := io.ReadAll(io.LimitReader(r, want-int64(n)))
	if err != nil {
		return nil, err
	}
	return append(head, rest...), nil
}

// Decode decodes the BMP image in data. See the package documentation for
// the image types it returns. When the pixel data ends early it returns a
// *TruncatedError and, mostly, the partial image (see TruncatedError); any
// other error comes with a nil image. Decode is safe for concurrent use.
func Decode(data []byte) (image.Image, error) {
	h, err := parseHeader(data)
	if err != nil {
		return nil, err
	}
	var pix []byte
	if h.pixelOffset <= len(data) {
		pix = data[h.pixelOffset:]
	}
	if h.encoding == embeddedJPEG || h.encoding == embeddedPNG {
		return decodeEmbedded(h, pix)
	}
	rowSize := (h.width*h.bitsPerPixel + 31) / 32 * 4
	// Like ImageMagick, refuse before allocating anything when the data is
	// less than 1/256 of what the uncompressed pixels need: a header that
	// claims a huge image over a few bytes is not worth the memory.
	if uint64(rowSize)*uint64(h.height)/256 > uint64(len(pix)) {
		return nil, &TruncatedError{Rows: 0, Height: h.height}
	}
	if h.encoding != uncompressed {
		return decodeRLE(h, pix)
	}
	rows := min(h.height, len(pix)/rowSize)
	if rows == 0 {
		return nil, &TruncatedError{Rows: 0, Height: h.height}
	}
	img, row := h.newImage()
	decodeRow := h.rowDecoder(img, pix, rowSize, rows)
	for i := range rows {
		y := h.height - 1 - i
		if h.topDown {
			y = i
		}
		decodeRow(row(y), pix[i*rowSize:(i+1)*rowSize])
	}
	if rows < h.height {
		return img, &TruncatedError{Rows: rows, Height: h.height}
	}
	return img, nil
}

// newImage allocates the image Decode returns for h and a function giving
// the pixels of its row y.
func (h *header) newImage() (image.Image, func(y int) []byte) {
	r := image.Rect(0, 0, h.width, h.height)
	switch {
	case h.hasAlpha():
		m := image.NewNRGBA(r)
		return m, func(y int) []byte { return m.Pix[y*m.Stride : (y+1)*m.Stride] }
	case h.bitsPerPixel <= 8 && h.grayPalette():
		m := image.NewGray(r)
		return m, func(y int) []byte { return m.Pix[y*m.Stride : (y+1)*m.Stride] }
	default:
		m := image.NewRGBA(r)
		return m, func(y int) []byte { return m.Pix[y*m.Stride : (y+1)*m.Stride] }
	}
}

// rowDecoder returns a function that turns one row of uncompressed pixel
// data into one row of img's pixels; pix holds rows rows of rowSize bytes.
func (h *header) rowDecoder(img image.Image, pix []byte, rowSize, rows int) func(dst, src []byte) {
	w := h.width
	switch h.bitsPerPixel {
	case 1, 2, 4, 8:
		depth := h.bitsPerPixel
		perByte := 8 / depth
		indexMask := byte(1<<depth - 1)
		if _, gray := img.(*image.Gray); gray {
			lut := h.grayLUT()
			return func(dst, src []byte) {
				for x := range dst[:w] {
					shift := 8 - depth*(x%perByte+1)
					dst[x] = lut[src[x/perByte]>>shift&indexMask]
				}
			}
		}
		lut := h.rgbaLUT()
		return func(dst, src []byte) {
			for x := range w {
				shift := 8 - depth*(x%perByte+1)
				c := lut[src[x/perByte]>>shift&indexMask]
				copy(dst[4*x:4*x+4], c[:])
			}
		}
	case 24:
		return func(dst, src []byte) {
			// A 4-byte load of B, G, R and the next byte, byte-swapped and
			// shifted, is R, G, B; src holds the row's padding too, so only
			// the last pixel or so of a row needs the byte-wise path.
			s, d := src, dst[:4*w]
			for len(s) >= 4 && len(d) >= 4 {
				binary.LittleEndian.PutUint32(d, bits.ReverseBytes32(binary.LittleEndian.Uint32(s))>>8|0xff000000)
				s, d = s[3:], d[4:]
			}
			for len(s) >= 3 && len(d) >= 4 {
				d[0], d[1], d[2], d[3] = s[2], s[1], s[0], 0xff
				s, d = s[3:], d[4:]
			}
		}
	case 32:
		if h.alphaIfAny && anyAlpha(pix, rowSize, rows, w) {
			return func(dst, src []byte) {
				s, d := src[:4*w], dst[:4*w]
				for len(s) >= 4 && len(d) >= 4 {
					v := binary.LittleEndian.Uint32(s)
					binary.LittleEndian.PutUint32(d, bits.ReverseBytes32(v)>>8|v&0xff000000)
					s, d = s[4:], d[4:]
				}
			}
		}
		if !h.bitfields {
			return func(dst, src []byte) {
				s, d := src[:4*w], dst[:4*w]
				for len(s) >= 4 && len(d) >= 4 {
					binary.LittleEndian.PutUint32(d, bits.ReverseBytes32(binary.LittleEndian.Uint32(s))>>8|0xff000000)
					s, d = s[4:], d[4:]
				}
			}
		}
		s := h.scalers()
		return func(dst, src []byte) {
			for x := range w {
				s.put(dst[4*x:4*x+4], le32(src[4*x:]))
			}
		}
	default: // 16
		s := h.scalers()
		return func(dst, src []byte) {
			for x := range w {
				s.put(dst[4*x:4*x+4], le16(src[2*x:]))
			}
		}
	}
}

// anyAlpha reports whether the fourth byte of any 32-bit pixel in the first
// rows rows of pix is not zero.
func anyAlpha(pix []byte, rowSize, rows, w int) bool {
	for i := range rows {
		row := pix[i*rowSize : i*rowSize+4*w]
		for x := 3; x < len(row); x += 4 {
			if row[x] != 0 {
				return true
			}
		}
	}
	return false
}

// grayLUT maps every possible index to the gray level of its palette entry.
func (h *header) grayLUT() *[256]byte {
	var lut [256]byte
	for i := range lut {
		if i < len(h.palette) {
			lut[i] = h.palette[i][0]
		} else if len(h.palette) > 0 {
			lut[i] = h.palette[0][0]
		}
	}
	return &lut
}

// rgbaLUT maps every possible index to the opaque colour of its palette entry.
func (h *header) rgbaLUT() *[256][4]byte {
	var lut [256][4]byte
	for i := range lut {
		var c [3]byte
		if i < len(h.palette) {
			c = h.palette[i]
		} else if len(h.palette) > 0 {
			c = h.palette[0]
		}
		lut[i] = [4]byte{c[0], c[1], c[2], 0xff}
	}
	return &lut
}

// channel extracts one colour component from a pixel through its mask and
// scales it to 8 bits.
type channel struct {
	mask  uint32
	shift int
	max   uint64  // the largest value of the field
	table []uint8 // value to 8 bits, for fields of up to 16 bits
}

func newChannel(mask uint32) channel {
	if mask == 0 {
		return channel{}
	}
	c := channel{mask: mask, shift: bits.TrailingZeros32(mask)}
	c.max = uint64(mask >> c.shift)
	if c.max <= 0xffff {
		c.table = make([]uint8, c.max+1)
		for v := range c.table {
			c.table[v] = c.scale(uint64(v))
		}
	}
	return c
}

func (c *channel) scale(v uint64) uint8 { return uint8((v*255 + c.max/2) / c.max) }

func (c *channel) value(p uint32) uint8 {
	if c.mask == 0 {
		return 0
	}
	v := (p & c.mask) >> c.shift
	if c.table != nil {
		return c.table[v]
	}
	return c.scale(uint64(v))
}

// scalers holds the four channels of a bitfields pixel.
type scalers struct {
	r, g, b, a channel
	alpha      bool
}

func (h *header) scalers() *scalers {
	return &scalers{
		r: newChannel(h.masks[0]), g: newChannel(h.masks[1]),
		b: newChannel(h.masks[2]), a: newChannel(h.masks[3]),
		alpha: h.hasAlpha(),
	}
}

func (s *scalers) put(dst []byte, p uint32) {
	a := uint8(0xff)
	if s.alpha {
		a = s.a.value(p)
	}
	dst[0], dst[1], dst[2], dst[3] = s.r.value(p), s.g.value(p), s.b.value(p), a
}

// decodeEmbedded decodes a PNG or JPEG payload, which must have the
// dimensions the BMP header gives.
func decodeEmbedded(h *header, pix []byte) (image.Image, error) {
	if h.pixelSize > 0 && h.pixelSize <= len(pix) {
		pix = pix[:h.pixelSize]
	}
	name, decodeConfig, decode := "PNG", png.DecodeConfig, png.Decode
	if h.encoding == embeddedJPEG {
		name, decodeConfig, decode = "JPEG", jpeg.DecodeConfig, jpeg.Decode
	}
	// The payload's own dimensions are checked before its pixels are
	// allocated: the caller bounded only the BMP header's.
	cfg, err := decodeConfig(bytes.NewReader(pix))
	if err != nil {
		return nil, fmt.Errorf("bmp: embedded %s: %w", name, err)
	}
	if cfg.Width != h.width || cfg.Height != h.height {
		return nil, fmt.Errorf("bmp: embedded %s is %dx%d, the header says %dx%d", name, cfg.Width, cfg.Height, h.width, h.height)
	}
	img, err := decode(bytes.NewReader(pix))
	if err != nil {
		return nil, fmt.Errorf("bmp: embedded %s: %w", name, err)
	}
	return img, nil
}
