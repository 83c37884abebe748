package encode

import (
	"image"
	"image/color"
)

// asGray returns img as *image.Gray when it is opaque and all its pixels are gray, else nil.
func asGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	r := img.Bounds()
	g := image.NewGray(r)
	switch m := img.(type) {
	case *image.NRGBA:
		if !grayRows(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, g) {
			return nil
		}
	case *image.RGBA: // opaque, so the same bytes as NRGBA
		if !grayRows(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, g) {
			return nil
		}
	default:
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := img.At(x, y)
				cr, cg, cb, ca := c.RGBA()
				if cr != cg || cr != cb || ca != 0xffff {
					return nil
				}
				g.SetGray(x, y, color.GrayModel.Convert(c).(color.Gray))
			}
		}
	}
	return g
}

// grayRows copies 4-byte RGBA pixels, rows stride bytes apart, into g when
// every one is opaque and gray, and reports whether they all were.
func grayRows(pix []byte, stride int, g *image.Gray) bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := 0; y < h; y++ {
		row := pix[y*stride : y*stride+4*w]
		dst := g.Pix[y*g.Stride:]
		for i := 0; i < len(row); i += 4 {
			if row[i] != row[i+1] || row[i] != row[i+2] || row[i+3] != 0xff {
				return false
			}
			dst[i/4] = row[i]
		}
	}
	return true
}
