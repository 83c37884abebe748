package decode

import (
	"encoding/binary"
)

// gifScreen is what the blocks of a GIF before its first image say about
// the picture.
type gifScreen struct {
	width, height int // logical screen, grown to hold the first frame
	grown         bool
	noPalette     bool // neither a global nor the first frame's local colour table
	// The first frame: its size, and where its LZW minimum code size byte
	// is (0 when the stream ends before it).
	frameWidth, frameHeight int
	codeSizeAt              int
}

// readGIFScreen reads the logical screen descriptor of the GIF stream b and
// the blocks up to its first image descriptor. Browsers and libnsgif (which
// libvips uses) show a first frame that overflows the logical screen whole,
// on a screen grown to hold it; Go's image/gif refuses such a file. A
// stream that ends or goes wrong before the first image is left for the
// decoder to report.
func readGIFScreen(b []byte) (gifScreen, error) {
	if len(b) < 13 {
		return gifScreen{}, errTruncated
	}
	s := gifScreen{
		width:  int(binary.LittleEndian.Uint16(b[6:])),
		height: int(binary.LittleEndian.Uint16(b[8:])),
	}
	global := b[10]&0x80 != 0
	i := 13
	if global {
		i += 3 << (b[10]&7 + 1)
	}
	for i < len(b) {
		switch b[i] {
		case 0x21: // extension: label, then sub-blocks up to an empty one
			i += 2
			for i < len(b) {
				n := int(b[i])
				i += 1 + n
				if n == 0 {
					break
				}
			}
		case 0x2C: // image descriptor
			if i+10 > len(b) {
				return s, nil
			}
			x, y := int(binary.LittleEndian.Uint16(b[i+1:])), int(binary.LittleEndian.Uint16(b[i+3:]))
			w, h := int(binary.LittleEndian.Uint16(b[i+5:])), int(binary.LittleEndian.Uint16(b[i+7:]))
			if w > 0 && h > 0 && (x+w > s.width || y+h > s.height) && x+w <= 0xffff && y+h <= 0xffff {
				s.width, s.height = max(s.width, x+w), max(s.height, y+h)
				s.grown = true
			}
			s.noPalette = !global && b[i+9]&0x80 == 0
			s.frameWidth, s.frameHeight = w, h
			i += 10
			if b[i-1]&0x80 != 0 {
				i += 3 << (b[i-1]&7 + 1)
			}
			if i < len(b) {
				s.codeSizeAt = i
			}
			return s, nil
		default:
			return s, nil
		}
	}
	return s, nil
}

// gifDefaultPalette is the colour table of a GIF that has none, as
// libnsgif gives it: index 0 black, 1 white, every other index black.
func gifDefaultPalette() []byte {
	p := make([]byte, 3*256)
	p[3], p[4], p[5] = 0xff, 0xff, 0xff
	return p
}

// maxTranscodedPixels bounds the frames repairGIF re-encodes.
const maxTranscodedPixels = 1 << 28

// repairGIF returns the GIF stream b made readable by image/gif where
// browsers, libnsgif or giflib read it: its logical screen grown to hold
// the first frame; a default global colour table when the stream has no
// table for the first frame; and a first frame whose LZW minimum code size
// is above image/gif's limit of 8 re-encoded with a code size of 8 (the
// stream then ends after that frame). It returns b itself when nothing
// needs repair, or when the repair fails (image/gif then says why).
func repairGIF(b []byte) []byte {
	s, err := readGIFScreen(b)
	if err != nil {
		return b
	}
	rest := b[13:]
	var frame []byte
	if s.codeSizeAt > 0 && b[s.codeSizeAt] > 8 && s.frameWidth*s.frameHeight <= maxTranscodedPixels {
		frame, err = transcodeGIFFrame(b[s.codeSizeAt:], s.frameWidth*s.frameHeight)
		if err != nil {
			return b
		}
		rest = b[13:s.codeSizeAt]
	}
	if !s.grown && !s.noPalette && frame == nil {
		return b
	}
	out := make([]byte, 0, len(b)+3*256+len(frame))
	out = append(out, b[:13]...)
	binary.LittleEndian.PutUint16(out[6:], uint16(s.width))
	binary.LittleEndian.PutUint16(out[8:], uint16(s.height))
	if s.noPalette {
		out[10] |= 0x80 | 0x07 // a global table of 256 entries
		out = append(out, gifDefaultPalette()...)
	}
	out = append(out, rest...)
	if frame != nil {
		out = append(out, frame...)
		out = append(out, 0x3B) // trailer
	}
	return out
}

// transcodeGIFFrame reads image data (the LZW minimum code size byte, then
// sub-blocks up to an empty one or the end of b) of a frame of n pixels and
// returns it re-encoded with a code size of 8.
func transcodeGIFFrame(b []byte, n int) ([]byte, error) {
	litWidth := uint(b[0])
	var lz []byte
	for i := 1; i < len(b); {
		k := int(b[i])
		if k == 0 {
			break
		}
		lz = append(lz, b[i+1:min(i+1+k, len(b))]...)
		i += 1 + k
	}
	indices, err := decodeGIFLZW(lz, litWidth, n)
	if err != nil {
		return nil, err
	}
	return encodeGIFLZW(indices)
}
