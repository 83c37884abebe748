// Package testimage makes synthetic pictures with known layouts for tests,
// benchmarks and the demo, so that no test depends on downloaded files.
package testimage

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"

	"github.com/disintegration/imaging"
)

// Quadrant colours of the image made by Quadrants, in reading order.
var (
	TopLeft     = color.NRGBA{R: 220, G: 30, B: 30, A: 255}
	TopRight    = color.NRGBA{R: 30, G: 200, B: 40, A: 255}
	BottomLeft  = color.NRGBA{R: 30, G: 50, B: 220, A: 255}
	BottomRight = color.NRGBA{R: 240, G: 220, B: 40, A: 255}
)

// Quadrants returns a w×h image whose four quadrants are filled with
// TopLeft, TopRight, BottomLeft and BottomRight. No two quadrants share a
// colour, so any rotation or mirroring of it is detectable.
func Quadrants(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := TopLeft
			switch {
			case x >= w/2 && y < h/2:
				c = TopRight
			case x < w/2 && y >= h/2:
				c = BottomLeft
			case x >= w/2 && y >= h/2:
				c = BottomRight
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// Photo returns a deterministic w×h picture with the traits of a photograph:
// smooth gradients, soft round shapes and fine texture. The same size always
// gives the same pixels.
func Photo(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	fw, fh := float64(w), float64(h)
	for y := 0; y < h; y++ {
		fy := float64(y) / fh
		for x := 0; x < w; x++ {
			fx := float64(x) / fw
			sky := 1 - fy
			blob := math.Exp(-((fx-0.65)*(fx-0.65)+(fy-0.4)*(fy-0.4))*18) * 0.8
			ripple := 0.08 * math.Sin(fx*60+fy*25) * math.Sin(fy*40)
			grain := float64((x*7919+y*104729)%17) / 17 * 0.04
			r := 0.25 + 0.5*fx*sky + blob + ripple + grain
			g := 0.3 + 0.45*sky + 0.3*blob*fy + ripple
			b := 0.2 + 0.6*sky*(1-fx) + 0.1*fy + grain
			img.SetNRGBA(x, y, color.NRGBA{R: unit(r), G: unit(g), B: unit(b), A: 255})
		}
	}
	return img
}

// ColourEdges returns a deterministic w×h picture of saturated colours
// meeting at sharp edges, the hardest case for subsampled chroma and for
// resampling in YCbCr: slanted bands of pure red, green, blue, yellow,
// magenta and cyan over a smooth gradient, crossed by thin dark lines.
func ColourEdges(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	saturated := []color.NRGBA{
		{R: 255, A: 255}, {G: 255, A: 255}, {B: 255, A: 255},
		{R: 255, G: 255, A: 255}, {R: 255, B: 255, A: 255}, {G: 255, B: 255, A: 255},
	}
	band := max(w, h) / 23
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{R: uint8(255 * x / w), G: 128, B: uint8(255 * y / h), A: 255}
			if d := x + y/2; (d/band)%3 != 2 {
				c = saturated[(d/band)%len(saturated)]
			}
			if (x*3+y)%(band+5) < 2 {
				c = color.NRGBA{R: 20, G: 10, B: 30, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// Translucent returns a w×h image of Quadrants whose right half is fully
// transparent and whose bottom-left quadrant is half transparent.
func Translucent(w, h int) *image.NRGBA {
	img := Quadrants(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := img.PixOffset(x, y) + 3
			switch {
			case x >= w/2:
				img.Pix[i] = 0
			case y >= h/2:
				img.Pix[i] = 128
			}
		}
	}
	return img
}

func unit(v float64) uint8 {
	return uint8(math.Round(math.Max(0, math.Min(1, v)) * 255))
}

// Stored returns the pixels a camera would store for the upright picture
// when it tags the file with EXIF orientation o (1-8): applying orientation o
// to the result gives upright back.
func Stored(upright image.Image, o int) *image.NRGBA {
	switch o {
	case 2:
		return imaging.FlipH(upright)
	case 3:
		return imaging.Rotate180(upright)
	case 4:
		return imaging.FlipV(upright)
	case 5:
		return imaging.Transpose(upright)
	case 6:
		return imaging.Rotate90(upright)
	case 7:
		return imaging.Transverse(upright)
	case 8:
		return imaging.Rotate270(upright)
	}
	return imaging.Clone(upright)
}

// JPEG encodes img as a JPEG of the given quality. When orientation is 1 to
// 8 it adds an EXIF segment carrying it (big-endian when bigEndian is set);
// otherwise the file has no EXIF.
func JPEG(img image.Image, quality, orientation int, bigEndian bool) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err) // encoding to memory fails only on programming errors
	}
	data := buf.Bytes()
	if orientation < 1 || orientation > 8 {
		return data
	}
	app1 := ExifSegment(orientation, bigEndian)
	out := make([]byte, 0, len(data)+len(app1))
	out = append(out, data[:2]...) // SOI
	out = append(out, app1...)
	return append(out, data[2:]...)
}

// ExifSegment returns a complete JPEG APP1 segment (marker included) whose
// EXIF IFD0 holds a single Orientation tag.
func ExifSegment(orientation int, bigEndian bool) []byte {
	tiff := ExifTIFF(orientation, bigEndian)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+6+len(tiff)))
	seg = append(seg, "Exif\x00\x00"...)
	return append(seg, tiff...)
}

// ExifTIFF returns the TIFF-structured EXIF payload with one Orientation tag,
// as carried by JPEG APP1 (after "Exif\0\0"), PNG eXIf and WebP EXIF.
func ExifTIFF(orientation int, bigEndian bool) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	tiff := []byte("II*\x00")
	if bigEndian {
		order = binary.BigEndian
		tiff = []byte("MM\x00*")
	}
	tiff = order.AppendUint32(tiff, 8)     // IFD0 offset
	tiff = order.AppendUint16(tiff, 1)     // one entry
	tiff = order.AppendUint16(tiff, 0x112) // Orientation
	tiff = order.AppendUint16(tiff, 3)     // SHORT
	tiff = order.AppendUint32(tiff, 1)     // count
	tiff = order.AppendUint16(tiff, uint16(orientation))
	tiff = order.AppendUint16(tiff, 0) // padding of the 4-byte value field
	return order.AppendUint32(tiff, 0) // no next IFD
}

// AnimatedWebP returns an animated WebP of frames copies of the still
// WebP file still, a frameW×frameH picture, each placed at the top left of
// a canvasW×canvasH canvas. The canvas may be far larger than the frames,
// which is what makes such a file a memory bomb for decoders that allocate
// whole canvases.
func AnimatedWebP(still []byte, frameW, frameH, canvasW, canvasH, frames int) []byte {
	chunk := func(id string, d []byte) []byte {
		c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(d)))...)
		c = append(c, d...)
		if len(d)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	u24 := func(v int) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16)} }
	frame := append(append(append([]byte{0, 0, 0, 0, 0, 0}, u24(frameW-1)...), u24(frameH-1)...), 100, 0, 0, 0)
	frame = append(frame, still[12:]...) // the still's chunks, less its RIFF header
	body := chunk("VP8X", append(append([]byte{0x02, 0, 0, 0}, u24(canvasW-1)...), u24(canvasH-1)...))
	body = append(body, chunk("ANIM", make([]byte, 6))...)
	for range frames {
		body = append(body, chunk("ANMF", frame)...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)))...)
	return append(append(out, "WEBP"...), body...)
}
