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

// repairGIF returns the GIF stream b made readable by image/gif where
// browsers and libnsgif read it: its logical screen grown to hold the first
// frame, and a default global colour table when the stream has no table
// for the first frame. It returns b itself when nothing needs repair.
func repairGIF(b []byte) []byte {
	s, err := readGIFScreen(b)
	if err != nil || (!s.grown && !s.noPalette) {
		return b
	}
	out := make([]byte, 0, len(b)+3*256)
	out = append(out, b[:13]...)
	binary.LittleEndian.PutUint16(out[6:], uint16(s.width))
	binary.LittleEndian.PutUint16(out[8:], uint16(s.height))
	if s.noPalette {
		out[10] |= 0x80 | 0x07 // a global table of 256 entries
		out = append(out, gifDefaultPalette()...)
	}
	return append(out, b[13:]...)
}
