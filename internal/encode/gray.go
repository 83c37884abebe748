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
		for y := r.Min.Y; y < r.Max.Y; y++ {
			row := m.Pix[m.PixOffset(r.Min.X, y):m.PixOffset(r.Max.X, y)]
			dst := g.Pix[g.PixOffset(r.Min.X, y):]
			for i := 0; i < len(row); i += 4 {
				if row[i] != row[i+1] || row[i] != row[i+2] || row[i+3] != 0xff {
					return nil
				}
				dst[i/4] = row[i]
			}
		}
	case *image.RGBA:
		for y := r.Min.Y; y < r.Max.Y; y++ {
			row := m.Pix[m.PixOffset(r.Min.X, y):m.PixOffset(r.Max.X, y)]
			dst := g.Pix[g.PixOffset(r.Min.X, y):]
			for i := 0; i < len(row); i += 4 {
				if row[i] != row[i+1] || row[i] != row[i+2] || row[i+3] != 0xff {
					return nil
				}
				dst[i/4] = row[i]
			}
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
