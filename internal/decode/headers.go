package decode

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"

	"github.com/thumbs-dev/thumbs/internal/bmp"
	"github.com/thumbs-dev/thumbs/internal/png"
	"github.com/thumbs-dev/thumbs/internal/tiff"
)

var errTruncated = errors.New("truncated header")

// maxICC bounds the size of an inflated PNG iCCP profile.
const maxICC = 16 << 20

func jpegHeader(b []byte) (Header, error) {
	h := Header{Orientation: 1}
	var icc [256][]byte
	iccCount := 0
	var app jpegApp
	for i := 2; ; {
		for i < len(b) && b[i] == 0xFF && i+1 < len(b) && b[i+1] == 0xFF {
			i++ // fill bytes
		}
		if i+4 > len(b) || b[i] != 0xFF {
			return h, errTruncated
		}
		marker := b[i+1]
		if marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return h, errTruncated
		}
		seg := b[i+4 : i+2+n]
		switch {
		case marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")):
			if h.Orientation == 1 {
				h.Orientation = exifOrientation(seg)
			}
		case marker == 0xE0 && bytes.HasPrefix(seg, []byte("JFIF\x00")):
			app.jfif = true
		case marker == 0xEE && len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")):
			app.adobe, app.transform = true, seg[11]
		case marker == 0xE2 && len(seg) > 14 && bytes.HasPrefix(seg, []byte("ICC_PROFILE\x00")):
			seq, cnt := int(seg[12]), int(seg[13])
			if seq >= 1 && seq <= cnt {
				icc[seq-1] = seg[14:]
				iccCount = cnt
			}
		case marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
			if len(seg) < 5 {
				return h, errTruncated
			}
			h.Height = int(binary.BigEndian.Uint16(seg[1:]))
			h.Width = int(binary.BigEndian.Uint16(seg[3:]))
			h.layout = jpegLayout(marker, seg, app)
			h.ICC = joinICC(icc[:iccCount])
			return h, nil
		case marker == 0xDA || marker == 0xD9:
			return h, errors.New("no SOF before scan")
		}
		i += 2 + n
	}
}

// joinICC concatenates ICC profile chunks, or returns nil when one is missing.
func joinICC(parts [][]byte) []byte {
	var out []byte
	for _, p := range parts {
		if p == nil {
			return nil
		}
		out = append(out, p...)
	}
	return out
}

func pngHeader(b []byte) (Header, error) {
	h := Header{Orientation: 1}
	if len(b) < 33 || string(b[12:16]) != "IHDR" {
		return h, errTruncated
	}
	h.Width = int(binary.BigEndian.Uint32(b[16:]))
	h.Height = int(binary.BigEndian.Uint32(b[20:]))
	h.layout = layout{bits: int(b[24]), colorType: int(b[25]), interlaced: b[28] == 1}
	if h.Width > 1<<30 || h.Height > 1<<30 {
		return h, errors.New("dimensions out of range")
	}
	h.Warnings = png.Warnings(png.BadAncillary(b))
	seenIDAT := false
	for c := range png.Chunks(b) {
		if c.Ancillary() && !c.CRCOK() {
			continue // ignored, as decodePNG drops it
		}
		switch c.Kind {
		case "eXIf":
			// PNG 3rd edition: an eXIf after the image data may be ignored
			// (browsers do), so only one before the first IDAT counts.
			if !seenIDAT {
				h.Orientation = exifOrientation(c.Data)
			}
		case "IDAT":
			seenIDAT = true
		case "iCCP":
			h.ICC = inflateICCP(c.Data)
		case "tRNS":
			h.layout.transparent = true
		}
	}
	return h, nil
}

// inflateICCP returns the profile of an iCCP chunk payload, or nil when it is malformed.
func inflateICCP(data []byte) []byte {
	z := bytes.IndexByte(data, 0)
	if z < 1 || z+2 > len(data) || data[z+1] != 0 {
		return nil
	}
	r, err := zlib.NewReader(bytes.NewReader(data[z+2:]))
	if err != nil {
		return nil
	}
	p, err := io.ReadAll(io.LimitReader(r, maxICC+1))
	if err != nil || len(p) > maxICC || len(p) == 0 {
		return nil
	}
	return p
}

func gifHeader(b []byte) (Header, error) {
	s, err := readGIFScreen(b)
	if err != nil {
		return Header{}, err
	}
	return Header{Width: s.width, Height: s.height, Orientation: 1}, nil
}

func bmpHeader(b []byte) (Header, error) {
	cfg, err := bmp.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return Header{}, err
	}
	return Header{Width: cfg.Width, Height: cfg.Height, Orientation: 1, ICC: bmp.ICCProfile(b)}, nil
}

func tiffHeader(b []byte) (Header, error) {
	c, err := tiff.DecodeConfig(b)
	if err != nil {
		return Header{}, err
	}
	h := Header{Width: c.Width, Height: c.Height, Orientation: c.Orientation, ICC: c.ICC}
	if d, err := parseIFD0(b); err == nil {
		h.layout.bits = d.bits // for DecodeCost
	}
	return h, nil
}

func webpHeader(b []byte) (Header, error) {
	h := Header{Orientation: 1}
	if len(b) < 20 {
		return h, errTruncated
	}
	c := b[20:] // the first chunk's payload
	switch string(b[12:16]) {
	case "VP8 ":
		if len(c) < 10 {
			return h, errTruncated
		}
		h.layout.lossyOpaque = true
		if c[3] != 0x9d || c[4] != 0x01 || c[5] != 0x2a {
			return h, errors.New("bad VP8 start code")
		}
		h.Width = int(binary.LittleEndian.Uint16(c[6:]) & 0x3fff)
		h.Height = int(binary.LittleEndian.Uint16(c[8:]) & 0x3fff)
	case "VP8L":
		// A signature byte and 4 bytes of size; a one-colour image needs
		// only a few more, so a whole file can be as short as 28 bytes.
		if len(c) < 5 {
			return h, errTruncated
		}
		if c[0] != 0x2f {
			return h, errors.New("bad VP8L signature")
		}
		v := binary.LittleEndian.Uint32(c[1:])
		h.Width = int(v&0x3fff) + 1
		h.Height = int(v>>14&0x3fff) + 1
	case "VP8X":
		if len(c) < 10 {
			return h, errTruncated
		}
		h.Width = int(uint24(c[4:])) + 1
		h.Height = int(uint24(c[7:])) + 1
		h.layout.animated = c[0]&0x02 != 0
		if l, ok := stillVP8(b); ok && l.alph != nil && !h.layout.animated {
			h.layout.lossyAlpha = true
			h.layout.alphaLossless = len(l.alph) > 0 && l.alph[0]&3 == alphaLossless
		}
		for _, ch := range riffChunks(b) {
			switch ch.id {
			case "ICCP":
				h.ICC = ch.data
			case "EXIF":
				h.Orientation = exifOrientation(ch.data)
			}
		}
	default:
		return h, errors.New("unknown WebP chunk")
	}
	return h, nil
}

func uint24(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }

type riffChunk struct {
	id   string
	data []byte
}

// riffChunks lists the complete top-level chunks of a WebP file.
func riffChunks(b []byte) []riffChunk {
	var out []riffChunk
	for i := 12; i+8 <= len(b); {
		n := int64(binary.LittleEndian.Uint32(b[i+4:]))
		if int64(i)+8+n > int64(len(b)) {
			break
		}
		out = append(out, riffChunk{string(b[i : i+4]), b[i+8 : i+8+int(n)]})
		i += 8 + int(n) + int(n&1)
	}
	return out
}

// webpAnimated reports whether a WebP file has the VP8X animation flag.
func webpAnimated(b []byte) bool {
	return len(b) >= 21 && string(b[12:16]) == "VP8X" && b[20]&0x02 != 0
}
