package bmp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Values of the compression field. OS/2 2.x gives 3 and 4 other meanings.
const (
	biRGB            = 0
	biRLE8           = 1
	biRLE4           = 2
	biBitfields      = 3
	biJPEG           = 4
	biPNG            = 5
	biAlphaBitfields = 6
)

// encoding is how the pixel data is laid out, after the header's ambiguities are resolved.
type encoding int

const (
	uncompressed encoding = iota
	rle8
	rle4
	rle24
	embeddedJPEG
	embeddedPNG
)

const fileHeaderSize = 14

var errHeaderTruncated = errors.New("bmp: truncated header")

// header is what a BMP file's headers say about its pixels.
type header struct {
	width, height int
	topDown       bool
	bitsPerPixel  int
	encoding      encoding
	masks         [4]uint32 // red, green, blue, alpha; used by 16 and 32-bit uncompressed pixels
	bitfields     bool      // masks come from the file rather than the defaults
	alphaIfAny    bool      // a BITMAPINFOHEADER BI_RGB 32-bit file: the unused byte is alpha unless it is 0 throughout
	palette       [][3]byte // red, green, blue
	pixelOffset   int       // from the start of the file
	pixelSize     int       // the header's size of the pixel data, 0 when not given
}

// hasAlpha reports whether the image may carry an alpha channel.
func (h *header) hasAlpha() bool {
	return h.encoding == uncompressed && (h.bitfields && h.masks[3] != 0 || h.alphaIfAny)
}

// grayPalette reports whether every palette entry is a shade of gray.
func (h *header) grayPalette() bool {
	for _, c := range h.palette {
		if c[0] != c[1] || c[1] != c[2] {
			return false
		}
	}
	return true
}

func le16(b []byte) uint32 { return uint32(binary.LittleEndian.Uint16(b)) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// parseHeader reads the file header, info header, masks and palette of data.
func parseHeader(data []byte) (*header, error) {
	if len(data) < 2 {
		return nil, errHeaderTruncated
	}
	base := 0
	if string(data[:2]) == "BA" {
		// An OS/2 bitmap array: its first entry's file header follows the
		// 14-byte array header, with offsets counted from the start of the file.
		base = 14
		if len(data) < base+2 {
			return nil, errHeaderTruncated
		}
	}
	switch magic := string(data[base : base+2]); magic {
	case "BM":
	case "CI", "CP", "IC", "PT":
		return nil, fmt.Errorf("bmp: OS/2 icon or pointer (%q) is not supported", magic)
	default:
		return nil, errors.New("bmp: not a BMP file")
	}
	if len(data) < base+fileHeaderSize+4 {
		return nil, errHeaderTruncated
	}
	h := &header{pixelOffset: int(le32(data[base+10:]))}
	infoStart := base + fileHeaderSize
	infoSize := int64(le32(data[infoStart:]))
	if infoSize > int64(len(data)-infoStart) {
		return nil, errHeaderTruncated
	}
	info := data[infoStart : infoStart+int(infoSize)]
	paletteEntrySize := 4
	var compression, colorsUsed uint32
	os2v2 := false
	switch {
	case infoSize == 12:
		h.width, h.height = int(le16(info[4:])), int(le16(info[6:]))
		h.bitsPerPixel = int(le16(info[10:]))
		paletteEntrySize = 3
	case infoSize >= 16 && infoSize%4 == 0 && (infoSize < 40 || infoSize == 64):
		// OS/2 2.x: the fields of BITMAPINFOHEADER, as far as the header goes.
		os2v2 = true
		fallthrough
	case infoSize >= 40:
		full := make([]byte, 40)
		copy(full, info)
		width, height := int32(le32(full[4:])), int32(le32(full[8:]))
		h.width, h.height = int(width), int(height)
		if height == math.MinInt32 {
			return nil, errors.New("bmp: invalid height -2147483648")
		}
		if height < 0 {
			h.topDown = true
			h.height = -int(height)
		}
		h.bitsPerPixel = int(le16(full[14:]))
		compression = le32(full[16:])
		h.pixelSize = int(le32(full[20:]))
		colorsUsed = le32(full[32:])
	default:
		return nil, fmt.Errorf("bmp: unsupported info header size %d", infoSize)
	}
	if h.width <= 0 || h.height <= 0 {
		return nil, fmt.Errorf("bmp: invalid dimensions %dx%d", h.width, h.height)
	}
	if uint64(h.width)*uint64(h.height) > math.MaxInt/8 {
		return nil, fmt.Errorf("bmp: dimensions %dx%d too large", h.width, h.height)
	}

	afterInfo := infoStart + int(infoSize)
	if err := h.setEncoding(compression, os2v2, info, data, &afterInfo); err != nil {
		return nil, err
	}
	h.alphaIfAny = infoSize == 40 && compression == biRGB && h.bitsPerPixel == 32

	if h.bitsPerPixel <= 8 && (h.encoding == uncompressed || h.encoding == rle8 || h.encoding == rle4) {
		count := 1 << h.bitsPerPixel
		if colorsUsed > 0 && colorsUsed < uint32(count) {
			count = int(colorsUsed)
		}
		room := h.pixelOffset - afterInfo
		if room < 0 {
			room = 0 // the offset is checked against the header below
		}
		if os2v2 && room >= 3*count && room < 4*count {
			paletteEntrySize = 3 // some OS/2 2.x writers keep the 1.x entries
		}
		count = min(count, room/paletteEntrySize)
		end := afterInfo + count*paletteEntrySize
		if end > len(data) {
			return nil, errHeaderTruncated
		}
		h.palette = make([][3]byte, count)
		for i := range h.palette {
			e := data[afterInfo+i*paletteEntrySize:]
			h.palette[i] = [3]byte{e[2], e[1], e[0]}
		}
	}
	if h.pixelOffset < afterInfo {
		return nil, fmt.Errorf("bmp: pixel data offset %d lies inside the headers (which end at %d)", h.pixelOffset, afterInfo)
	}
	return h, nil
}

// setEncoding checks the bit depth against the compression and reads the
// masks, advancing afterInfo past masks stored after a 40-byte header.
func (h *header) setEncoding(compression uint32, os2v2 bool, info, data []byte, afterInfo *int) error {
	depthErr := func(name string) error {
		return fmt.Errorf("bmp: %d bits per pixel is invalid with %s compression", h.bitsPerPixel, name)
	}
	switch compression {
	case biRGB:
		switch h.bitsPerPixel {
		case 1, 2, 4, 8, 24:
		case 16:
			h.masks = [4]uint32{0x7c00, 0x03e0, 0x001f, 0}
		case 32:
			h.masks = [4]uint32{0xff0000, 0xff00, 0xff, 0}
		default:
			return fmt.Errorf("bmp: unsupported bits per pixel %d", h.bitsPerPixel)
		}
		h.encoding = uncompressed
	case biRLE8:
		if h.bitsPerPixel != 8 {
			return depthErr("RLE8")
		}
		h.encoding = rle8
	case biRLE4:
		if h.bitsPerPixel != 4 {
			return depthErr("RLE4")
		}
		h.encoding = rle4
	case biBitfields, biAlphaBitfields:
		if os2v2 && compression == biBitfields {
			return errors.New("bmp: OS/2 Huffman 1D compression is not supported")
		}
		if h.bitsPerPixel != 16 && h.bitsPerPixel != 32 {
			return depthErr("bitfields")
		}
		h.encoding, h.bitfields = uncompressed, true
		n := 3
		if compression == biAlphaBitfields {
			n = 4
		}
		src := info[min(40, len(info)):]
		if len(info) == 40 {
			// Masks follow a BITMAPINFOHEADER.
			if *afterInfo+4*n > len(data) {
				return errHeaderTruncated
			}
			src = data[*afterInfo : *afterInfo+4*n]
			*afterInfo += 4 * n
		}
		for i := 0; i < 4 && 4*i+4 <= len(src); i++ {
			h.masks[i] = le32(src[4*i:])
		}
		if len(src) < 12 {
			return errors.New("bmp: bitfields compression without masks")
		}
		for i, name := range []string{"red", "green", "blue", "alpha"} {
			m := h.masks[i] >> bits.TrailingZeros32(h.masks[i])
			if h.masks[i] != 0 && m&(m+1) != 0 {
				return fmt.Errorf("bmp: %s mask %#08x is not a contiguous run of bits", name, h.masks[i])
			}
			if h.bitsPerPixel == 16 && h.masks[i] > 0xffff {
				return fmt.Errorf("bmp: %s mask %#08x is wider than a 16-bit pixel", name, h.masks[i])
			}
		}
	case biJPEG:
		if os2v2 && h.bitsPerPixel == 24 {
			h.encoding = rle24
			return nil
		}
		h.encoding = embeddedJPEG
	case biPNG:
		h.encoding = embeddedPNG
	default:
		return fmt.Errorf("bmp: unsupported compression %d", compression)
	}
	return nil
}
