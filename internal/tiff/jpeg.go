package tiff

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"

	"golang.org/x/image/webp"

	"github.com/thumbs-dev/thumbs/internal/jpeg"
)

// putJPEG decodes the JPEG stream of a w x h strip or tile whose top left pixel
// is (x0, y0) and stores its samples in the raster. YCbCr is converted to RGB
// when the file says YCbCr; for any other photometric interpretation the
// components are taken as they are, as libtiff does.
// With PlanarConfiguration 2, each stream is one grey plane.
func (r *raster) putJPEG(stream []byte, plane, x0, y0, w, h int) error {
	l := r.l
	// A 4-component stream without Adobe's APP14 marker holds CMYK as it is;
	// the marker makes the JPEG decoder accept it, inverted as Adobe's are.
	tagged := l.spp == 4 && !bytes.Contains(stream, []byte("\xFF\xEE\x00\x0EAdobe")) && len(stream) > 2
	if tagged {
		stream = append(append(append([]byte{}, stream[:2]...), adobeCMYK...), stream[2:]...)
	}
	m, err := jpeg.Decode(context.Background(), stream, 1) // one strip or tile: short, so not worth a cancellation point
	if err != nil {
		return err
	}
	if c, ok := m.(*image.CMYK); ok && tagged {
		for i, v := range c.Pix {
			c.Pix[i] = 255 - v
		}
	}
	b := m.Bounds()
	vw, vh := min(w, l.width-x0), min(h, l.height-y0)
	if b.Dx() < vw || b.Dy() < vh {
		return formatError(fmt.Sprintf("JPEG data is %dx%d, want %dx%d", b.Dx(), b.Dy(), vw, vh))
	}
	comps := 0
	switch m.(type) {
	case *image.Gray:
		comps = 1
	case *image.YCbCr, *image.RGBA:
		comps = 3
	case *image.CMYK:
		comps = 4
	}
	if l.planar {
		if comps != 1 {
			return formatError(fmt.Sprintf("JPEG data of %d components in a plane", comps))
		}
		r.alloc()
		g := m.(*image.Gray)
		for y := 0; y < vh; y++ {
			p := r.pix[((y0+y)*l.width+x0)*r.spp+plane:]
			s := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < vw; x++ {
				p[x*r.spp] = s[x]
			}
		}
		return nil
	}
	if comps != l.spp {
		return unsupportedError(fmt.Sprintf("JPEG data of %d components for SamplesPerPixel %d", comps, l.spp))
	}
	r.alloc()
	n := r.spp
	for y := 0; y < vh; y++ {
		p := r.pix[((y0+y)*l.width+x0)*n:]
		sy := b.Min.Y + y
		switch m := m.(type) {
		case *image.Gray:
			copy(p[:vw], m.Pix[m.PixOffset(b.Min.X, sy):])
		case *image.CMYK:
			copy(p[:4*vw], m.Pix[m.PixOffset(b.Min.X, sy):])
		case *image.RGBA:
			s := m.Pix[m.PixOffset(b.Min.X, sy):]
			for x := 0; x < vw; x++ {
				p[n*x], p[n*x+1], p[n*x+2] = s[4*x], s[4*x+1], s[4*x+2]
			}
		case *image.YCbCr:
			for x := 0; x < vw; x++ {
				yi, ci := m.YOffset(b.Min.X+x, sy), m.COffset(b.Min.X+x, sy)
				yy, cb, cr := m.Y[yi], m.Cb[ci], m.Cr[ci]
				if l.photometric == pYCbCr {
					p[n*x], p[n*x+1], p[n*x+2] = color.YCbCrToRGB(yy, cb, cr)
				} else {
					p[n*x], p[n*x+1], p[n*x+2] = yy, cb, cr
				}
			}
		}
	}
	return nil
}

// adobeCMYK is an APP14 "Adobe" segment saying the components are not transformed.
var adobeCMYK = []byte{0xFF, 0xEE, 0x00, 0x0E, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0}

// readOldJPEG decodes an old-style JPEG (Compression 6) image from the JPEG
// interchange stream that JPEGInterchangeFormat points to, or from a single
// strip holding a complete JPEG stream.
func (r *raster) readOldJPEG(data []byte, d *ifd) error {
	var stream []byte
	if off := d.uint(tagJPEGIFOffset, 0); off > 0 && off < uint64(len(data)) {
		stream = data[off:]
		if n := d.uint(tagJPEGIFLength, 0); n > 0 && n <= uint64(len(stream)) {
			stream = stream[:n]
		}
	} else if offs, counts := d.uints(tagStripOffsets), d.uints(tagStripByteCounts); len(offs) == 1 && len(counts) == 1 &&
		offs[0] < uint64(len(data)) && counts[0] <= uint64(len(data))-offs[0] {
		stream = data[offs[0] : offs[0]+counts[0]]
	}
	if len(stream) < 2 || stream[0] != 0xFF || stream[1] != 0xD8 {
		return unsupportedError("old-style JPEG (Compression 6) without a JPEGInterchangeFormat stream")
	}
	return r.putJPEG(stream, 0, 0, 0, r.l.width, r.l.height)
}

// putWebP decodes the WebP image of a w x h strip or tile (Compression 50001)
// whose top left pixel is (x0, y0) and stores its RGB or RGBA samples.
func (r *raster) putWebP(src []byte, x0, y0, w, h int) error {
	l := r.l
	m, err := webp.Decode(bytes.NewReader(src))
	if err != nil {
		return err
	}
	b := m.Bounds()
	vw, vh := min(w, l.width-x0), min(h, l.height-y0)
	if b.Dx() < vw || b.Dy() < vh {
		return formatError(fmt.Sprintf("WebP data is %dx%d, want %dx%d", b.Dx(), b.Dy(), vw, vh))
	}
	r.alloc()
	for y := 0; y < vh; y++ {
		p := r.pix[((y0+y)*l.width+x0)*r.spp:]
		for x := 0; x < vw; x++ {
			var c [4]uint8
			switch m := m.(type) {
			case *image.YCbCr:
				yc := m.YCbCrAt(b.Min.X+x, b.Min.Y+y)
				c = studioToRGB(yc.Y, yc.Cb, yc.Cr, 255)
			case *image.NYCbCrA:
				yc := m.NYCbCrAAt(b.Min.X+x, b.Min.Y+y)
				c = studioToRGB(yc.Y, yc.Cb, yc.Cr, yc.A)
			default:
				n := color.NRGBAModel.Convert(m.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				c = [4]uint8{n.R, n.G, n.B, n.A}
			}
			copy(p[x*r.spp:x*r.spp+l.spp], c[:l.spp])
		}
	}
	return nil
}

// studioToRGB converts VP8's BT.601 YCbCr (luma 16-235, chroma 16-240) to RGB.
func studioToRGB(y, cb, cr, a uint8) [4]uint8 {
	yy := 1.164383 * (float64(y) - 16)
	u, v := float64(cb)-128, float64(cr)-128
	return [4]uint8{clamp8(yy + 1.596027*v), clamp8(yy - 0.391762*u - 0.812968*v), clamp8(yy + 2.017232*u), a}
}
