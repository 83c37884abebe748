// Package encode writes an image as JPEG, PNG, WebP or AVIF, deterministically, with an optional ICC profile.
package encode

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/gen2brain/webp"
)

// Format names an output file format.
type Format string

// The formats Encode writes.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	WebP Format = "webp"
	AVIF Format = "avif"
)

// Ext returns the file extension for f without the dot: "jpg", "png", "webp" or "avif";
// "" for an unknown format.
func (f Format) Ext() string {
	switch f {
	case JPEG:
		return "jpg"
	case PNG, WebP, AVIF:
		return string(f)
	}
	return ""
}

// Options controls Encode.
type Options struct {
	Format  Format
	Quality int    // 1-100 for JPEG, WebP and AVIF; 0 means DefaultQuality, other values are clamped
	ICC     []byte // ICC profile to embed when non-nil
}

// DefaultQuality is the quality used when Options.Quality is 0.
const DefaultQuality = 85

// Encode writes img to w. Same input and options always give the same bytes.
// An opaque image whose pixels are all gray (including every *image.Gray and *image.Gray16)
// is written as grayscale JPEG or PNG, unless ICC is a non-gray profile, which a
// grayscale file could not carry. WebP and AVIF are written lossy, in colour.
func Encode(w io.Writer, img image.Image, o Options) error {
	q := o.Quality
	if q == 0 {
		q = DefaultQuality
	}
	q = max(1, min(100, q))
	switch {
	case o.Format == WebP, o.Format == AVIF:
	case o.ICC == nil || iccSpace(o.ICC) == "GRAY":
		if g := asGray(img); g != nil {
			img = g
		}
	default:
		img = asColour(img)
	}
	var buf bytes.Buffer
	var err error
	switch o.Format {
	case JPEG:
		err = jpeg.Encode(&buf, asRGBA(img), &jpeg.Options{Quality: q})
		if err == nil && o.ICC != nil {
			err = jpegICC(&buf, o.ICC)
		}
	case PNG:
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		err = enc.Encode(&buf, img)
		if err == nil && o.ICC != nil {
			pngICC(&buf, o.ICC)
		}
	case WebP:
		err = webp.Encode(&buf, img, webp.Options{Quality: q, Method: 4})
		if err == nil && o.ICC != nil {
			err = webpICC(&buf, img.Bounds().Size(), o.ICC)
		}
	case AVIF:
		err = encodeAVIF(&buf, img, q, o.ICC)
	default:
		return fmt.Errorf("encode: unknown format %q", o.Format)
	}
	if err != nil {
		return fmt.Errorf("encode %s: %w", o.Format, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// asColour returns gray image types as *image.NRGBA, so that they are written in colour.
func asColour(img image.Image) image.Image {
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		c := image.NewNRGBA(img.Bounds())
		draw.Draw(c, c.Bounds(), img, c.Bounds().Min, draw.Src)
		return c
	}
	return img
}

// iccSpace returns the data colour space signature of an ICC profile, such as "RGB " or "GRAY".
func iccSpace(icc []byte) string {
	if len(icc) < 20 {
		return ""
	}
	return string(icc[16:20])
}

const iccChunk = 65519 // 65535 - 2 (length) - 14 ("ICC_PROFILE\0", sequence, count)

// jpegICC inserts APP2 ICC_PROFILE segments right after SOI.
func jpegICC(buf *bytes.Buffer, icc []byte) error {
	n := (len(icc) + iccChunk - 1) / iccChunk
	if n > 255 {
		return errors.New("ICC profile too large for JPEG")
	}
	b := buf.Bytes()
	out := make([]byte, 0, len(b)+len(icc)+18*n)
	out = append(out, b[:2]...)
	for i := 0; i < n; i++ {
		part := icc[i*iccChunk : min(len(icc), (i+1)*iccChunk)]
		out = append(out, 0xFF, 0xE2)
		out = binary.BigEndian.AppendUint16(out, uint16(2+14+len(part)))
		out = append(out, "ICC_PROFILE\x00"...)
		out = append(out, byte(i+1), byte(n))
		out = append(out, part...)
	}
	out = append(out, b[2:]...)
	buf.Reset()
	buf.Write(out)
	return nil
}

// pngICC inserts an iCCP chunk right after IHDR (which ends at byte 33).
func pngICC(buf *bytes.Buffer, icc []byte) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(icc)
	zw.Close()
	data := append([]byte("ICC Profile\x00\x00"), z.Bytes()...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "iCCP"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	b := buf.Bytes()
	out := make([]byte, 0, len(b)+len(chunk))
	out = append(append(append(out, b[:33]...), chunk...), b[33:]...)
	buf.Reset()
	buf.Write(out)
}

// webpICC adds an ICCP chunk, converting a simple WebP file to the extended format when needed.
func webpICC(buf *bytes.Buffer, size image.Point, icc []byte) error {
	b := buf.Bytes()
	if len(b) < 20 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return errors.New("unexpected WebP layout")
	}
	chunks := b[12:]
	var vp8x []byte
	if string(chunks[:4]) == "VP8X" {
		if len(chunks) < 18 {
			return errors.New("short VP8X chunk")
		}
		vp8x = bytes.Clone(chunks[:18])
		chunks = chunks[18:]
	} else {
		w, h := size.X-1, size.Y-1
		vp8x = []byte("VP8X\x0a\x00\x00\x00\x00\x00\x00\x00")
		vp8x = append(vp8x, byte(w), byte(w>>8), byte(w>>16), byte(h), byte(h>>8), byte(h>>16))
	}
	vp8x[8] |= 0x20
	iccp := append([]byte("ICCP"), binary.LittleEndian.AppendUint32(nil, uint32(len(icc)))...)
	iccp = append(iccp, icc...)
	if len(icc)%2 == 1 {
		iccp = append(iccp, 0)
	}
	body := len(vp8x) + len(iccp) + len(chunks)
	out := make([]byte, 0, 12+body)
	out = append(out, "RIFF"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(4+body))
	out = append(out, "WEBP"...)
	out = append(append(append(out, vp8x...), iccp...), chunks...)
	buf.Reset()
	buf.Write(out)
	return nil
}

// asRGBA returns an opaque *image.NRGBA as the *image.RGBA with the same
// bytes (they agree when every alpha is 255), which image/jpeg encodes
// without converting each pixel through an interface; any other image is
// returned as it is.
func asRGBA(img image.Image) image.Image {
	if n, ok := img.(*image.NRGBA); ok && n.Opaque() {
		return &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}
	}
	return img
}
