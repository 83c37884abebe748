package tiff

import (
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	"golang.org/x/image/ccitt"
	tifflzw "golang.org/x/image/tiff/lzw"
)

// decompressor turns the stored bytes of one strip or tile into its samples.
type decompressor struct {
	l          *layout
	t4Options  uint64
	jpegTables []byte // JPEGTables without its EOI, nil when absent
	buf        []byte // the previous strip or tile's samples, reused
}

func newDecompressor(l *layout, d *ifd) *decompressor {
	dec := &decompressor{l: l, t4Options: d.uint(tagT4Options, 0)}
	if t := d.bytes(tagJPEGTables); len(t) >= 4 && t[0] == 0xFF && t[1] == 0xD8 {
		t = bytes.TrimRight(t, "\x00")
		dec.jpegTables = bytes.TrimSuffix(t, []byte{0xFF, 0xD9})
	}
	return dec
}

// decompress returns the decompressed w x h strip or tile src, exactly as long
// as the layout says; data short of that is an error.
func (dec *decompressor) decompress(src []byte, w, h int) ([]byte, error) {
	l := dec.l
	want := l.chunkBytes(w, h)
	if l.lsbFirst && l.compression != cCCITTRLE && l.compression != cCCITTT4 && l.compression != cCCITTT6 {
		src = reverseBits(src)
	}
	var r io.Reader
	switch l.compression {
	case cNone:
		if len(src) < want {
			return nil, fmt.Errorf("%d bytes of samples, want %d", len(src), want)
		}
		if l.predictor == 1 && !l.lsbFirst {
			return src[:want], nil // read only
		}
		out := dec.output(want)
		copy(out, src)
		return out, nil
	case cPackBits:
		return unpackBits(dec.output(want)[:0], src, want)
	case cLZW:
		if len(src) >= 2 && src[0] == 0 && src[1]&1 != 0 {
			r = lzw.NewReader(bytes.NewReader(src), lzw.LSB, 8) // libtiff's old-style "compat" codes
		} else {
			r = tifflzw.NewReader(bytes.NewReader(src), tifflzw.MSB, 8)
		}
	case cDeflate, cDeflateOld:
		zr, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
		r = zr
	case cLZMA:
		return unxz(src, want)
	case cCCITTRLE, cCCITTT4:
		if l.lsbFirst {
			src = reverseBits(src)
		}
		coding := faxMH
		if l.compression == cCCITTT4 {
			coding = faxT4
		}
		return decodeFax(src, w, h, coding, dec.t4Options)
	case cCCITTT6:
		r = dec.ccittReader(src, w, h)
	default:
		return nil, unsupportedError(fmt.Sprintf("Compression %d", l.compression))
	}
	out := dec.output(want)
	if n, err := io.ReadFull(r, out); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("compressed data ends after %d of %d bytes", n, want)
		}
		return nil, err
	}
	return out, nil
}

// ccittReader returns a reader of the 1-bit rows of a T.6-coded strip or tile,
// 1 for black.
func (dec *decompressor) ccittReader(src []byte, w, h int) io.Reader {
	order := ccitt.MSB
	if dec.l.lsbFirst {
		order = ccitt.LSB
	}
	// The codec's white runs are 0 bits and black runs 1 bits whatever the
	// photometric interpretation, which then says what 0 and 1 look like (libtiff).
	return ccitt.NewReader(bytes.NewReader(src), order, ccitt.Group4, w, h, &ccitt.Options{Invert: true})
}

// output returns a buffer of n bytes for decompressed samples, reusing the last one.
func (dec *decompressor) output(n int) []byte {
	if cap(dec.buf) < n {
		dec.buf = make([]byte, n)
	}
	return dec.buf[:n]
}

// unpackBits appends PackBits-decoded src to out until it holds want bytes.
func unpackBits(out, src []byte, want int) ([]byte, error) {
	for len(out) < want {
		if len(src) == 0 {
			return nil, fmt.Errorf("packbits: data ends after %d of %d bytes", len(out), want)
		}
		n := int(int8(src[0]))
		src = src[1:]
		switch {
		case n >= 0:
			if len(src) < n+1 {
				return nil, fmt.Errorf("packbits: literal run past the end of the data")
			}
			out = append(out, src[:min(n+1, want-len(out))]...)
			src = src[n+1:]
		case n > -128:
			if len(src) < 1 {
				return nil, fmt.Errorf("packbits: repeat run past the end of the data")
			}
			for k := 0; k < 1-n && len(out) < want; k++ {
				out = append(out, src[0])
			}
			src = src[1:]
		}
	}
	return out, nil
}

// jpegStream returns the complete JPEG stream of a strip or tile: the shared
// JPEGTables spliced in front of the strip's own markers when present.
func (dec *decompressor) jpegStream(src []byte) []byte {
	if dec.jpegTables == nil || len(src) < 2 || src[0] != 0xFF || src[1] != 0xD8 {
		return src
	}
	out := make([]byte, 0, len(dec.jpegTables)+len(src))
	out = append(out, dec.jpegTables...)
	return append(out, src[2:]...)
}
