package tiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ulikunitz/xz/lzma"
)

// xz filter IDs (the .xz file format, section 5.3).
const (
	xzFilterDelta = 0x03
	xzFilterLZMA2 = 0x21
)

var errXZ = errors.New("lzma: malformed xz header")

// unxz decompresses the first block of an .xz stream, as libtiff's LZMA
// compression writes it, into want bytes. The block's filter chain may be
// LZMA2 alone or delta followed by LZMA2; github.com/ulikunitz/xz reads only
// the former, so the container is parsed here and LZMA2 left to its lzma package.
func unxz(src []byte, want int) ([]byte, error) {
	if len(src) < 12+2 || !bytes.Equal(src[:6], []byte("\xFD7zXZ\x00")) {
		return nil, errXZ
	}
	head := src[12:]
	size := (int(head[0]) + 1) * 4
	if head[0] == 0 || len(head) < size {
		return nil, errXZ
	}
	h := head[1 : size-4] // without the size byte and the CRC32
	flags := h[0]
	h = h[1:]
	if flags&0x3C != 0 {
		return nil, errXZ
	}
	var err error
	for _, present := range []bool{flags&0x40 != 0, flags&0x80 != 0} { // compressed and uncompressed sizes
		if present {
			if _, h, err = xzVLI(h); err != nil {
				return nil, err
			}
		}
	}
	delta, dict := 0, -1
	for n := int(flags&3) + 1; n > 0; n-- {
		var id, propSize uint64
		if id, h, err = xzVLI(h); err != nil {
			return nil, err
		}
		if propSize, h, err = xzVLI(h); err != nil {
			return nil, err
		}
		if propSize > uint64(len(h)) {
			return nil, errXZ
		}
		props := h[:propSize]
		h = h[propSize:]
		switch {
		case id == xzFilterDelta && propSize == 1 && n > 1:
			delta = int(props[0]) + 1
		case id == xzFilterLZMA2 && propSize == 1 && n == 1 && props[0] <= 40:
			p := props[0]
			dict = 1<<31 - 1
			if p < 40 {
				dict = (2 | int(p&1)) << (p/2 + 11)
			}
		default:
			return nil, unsupportedError(fmt.Sprintf("LZMA filter chain with filter %#x", id))
		}
	}
	if dict < 0 {
		return nil, errXZ
	}
	r, err := lzma.Reader2Config{DictCap: max(dict, lzma.MinDictCap)}.NewReader2(bytes.NewReader(head[size:]))
	if err != nil {
		return nil, fmt.Errorf("lzma: %w", err)
	}
	out := make([]byte, want)
	if n, err := io.ReadFull(r, out); err != nil {
		return nil, fmt.Errorf("lzma: data ends after %d of %d bytes: %w", n, want, err)
	}
	for i := delta; delta > 0 && i < len(out); i++ {
		out[i] += out[i-delta]
	}
	return out, nil
}

// xzVLI reads a variable-length integer of the .xz format.
func xzVLI(b []byte) (uint64, []byte, error) {
	var v uint64
	for i := 0; i < 9 && i < len(b); i++ {
		v |= uint64(b[i]&0x7F) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, b[i+1:], nil
		}
	}
	return 0, nil, errXZ
}
