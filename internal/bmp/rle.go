package bmp

import (
	"image"
)

// rleCanvas receives the pixels of run-length encoded data: palette indices
// for RLE4 and RLE8, or B-G-R triples for RLE24. Pixels never written keep
// index 0 or black.
type rleCanvas struct {
	w, h    int
	topDown bool
	index   []byte // w*h palette indices, image row by image row
	rgba    *image.RGBA
}

// set writes pixel v at column x of row y in file order, unless it lies
// outside the image.
func (c *rleCanvas) set(x, y int, v []byte) {
	if x >= c.w || y >= c.h {
		return
	}
	if !c.topDown {
		y = c.h - 1 - y
	}
	if c.rgba == nil {
		c.index[y*c.w+x] = v[0]
		return
	}
	p := c.rgba.Pix[y*c.rgba.Stride+4*x:]
	p[0], p[1], p[2] = v[2], v[1], v[0]
}

// decodeRLE decodes BI_RLE8, BI_RLE4 and OS/2 RLE24 pixel data: pairs of a
// count and a value, or a zero and an escape (0 end of line, 1 end of
// bitmap, 2 delta, 3 and more a run of literal pixels padded to 16 bits).
func decodeRLE(h *header, src []byte) (image.Image, error) {
	c := &rleCanvas{w: h.width, h: h.height, topDown: h.topDown}
	pixelBytes := 1
	if h.encoding == rle24 {
		pixelBytes = 3
		c.rgba = image.NewRGBA(image.Rect(0, 0, h.width, h.height))
		for i := 3; i < len(c.rgba.Pix); i += 4 {
			c.rgba.Pix[i] = 0xff
		}
	} else {
		c.index = make([]byte, h.width*h.height)
	}
	x, y := 0, 0
	complete := false
	var nibble [1]byte
	for i := 0; y < h.height; {
		count := 0
		if i < len(src) {
			count = int(src[i])
		}
		if i+2 > len(src) || count > 0 && i+1+pixelBytes > len(src) {
			// Data that ends without an end-of-bitmap escape is whole when
			// it has reached the last pixel.
			complete = y == h.height-1 && x >= h.width
			break
		}
		if count > 0 {
			v := src[i+1 : i+1+pixelBytes]
			i += 1 + pixelBytes
			for k := range min(count, h.width-x) {
				if h.encoding == rle4 {
					nibble[0] = v[0] >> 4
					if k%2 == 1 {
						nibble[0] = v[0] & 0x0f
					}
					c.set(x+k, y, nibble[:])
					continue
				}
				c.set(x+k, y, v)
			}
			x += count
			continue
		}
		escape := int(src[i+1])
		i += 2
		switch escape {
		case 0:
			x, y = 0, y+1
		case 1:
			y = h.height
		case 2:
			if i+2 > len(src) {
				i = len(src)
				continue
			}
			x, y = x+int(src[i]), y+int(src[i+1])
			i += 2
		default:
			n := escape * pixelBytes
			if h.encoding == rle4 {
				n = (escape + 1) / 2
			}
			if i+n > len(src) {
				i = len(src)
				continue
			}
			literal := src[i : i+n]
			i += n + n%2
			for k := range min(escape, max(h.width-x, 0)) {
				switch h.encoding {
				case rle4:
					nibble[0] = literal[k/2] >> 4
					if k%2 == 1 {
						nibble[0] = literal[k/2] & 0x0f
					}
					c.set(x+k, y, nibble[:])
				default:
					c.set(x+k, y, literal[k*pixelBytes:(k+1)*pixelBytes])
				}
			}
			x += escape
		}
	}
	if y >= h.height {
		complete = true
	}
	img := c.image(h)
	if !complete {
		return img, &TruncatedError{Rows: y, Height: h.height}
	}
	return img, nil
}

// image turns the decoded indices into the image Decode returns.
func (c *rleCanvas) image(h *header) image.Image {
	if c.rgba != nil {
		return c.rgba
	}
	if h.grayPalette() {
		img := image.NewGray(image.Rect(0, 0, c.w, c.h))
		lut := h.grayLUT()
		for i, v := range c.index {
			img.Pix[i] = lut[v]
		}
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	lut := h.rgbaLUT()
	for i, v := range c.index {
		copy(img.Pix[4*i:4*i+4], lut[v][:])
	}
	return img
}
