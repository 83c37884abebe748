package thumbnail

import (
	"image"

	"github.com/disintegration/imaging"
)

// boxShrink returns img reduced by the whole factor k on both axes, each
// output pixel the alpha-weighted mean of a k×k block. The fewer than k
// pixels left over at the right and bottom edges are dropped: keeping them
// as a block of their own would stretch the image by up to a pixel of the
// result. It is the cheap first step that leaves the Lanczos filter a
// small image and a factor of two or more.
func boxShrink(img image.Image, k int) *image.NRGBA {
	src, ok := img.(*image.NRGBA)
	if !ok {
		src = imaging.Clone(img)
	}
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := sw/k, sh/k
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	sums := make([]uint64, 4*dw) // premultiplied R, G, B and A per output column
	n := uint64(k * k)
	for dy := 0; dy < dh; dy++ {
		clear(sums)
		for sy := dy * k; sy < (dy+1)*k; sy++ {
			row := src.Pix[sy*src.Stride : sy*src.Stride+4*dw*k]
			for sx := 0; sx < dw*k; sx++ {
				p := row[4*sx : 4*sx+4 : 4*sx+4]
				a := uint64(p[3])
				s := sums[4*(sx/k) : 4*(sx/k)+4 : 4*(sx/k)+4]
				s[0] += uint64(p[0]) * a
				s[1] += uint64(p[1]) * a
				s[2] += uint64(p[2]) * a
				s[3] += a
			}
		}
		out := dst.Pix[dy*dst.Stride:]
		for dx := 0; dx < dw; dx++ {
			s, o := sums[4*dx:4*dx+4], out[4*dx:4*dx+4]
			if s[3] == 0 {
				o[0], o[1], o[2], o[3] = 0, 0, 0, 0
				continue
			}
			o[0] = uint8((s[0] + s[3]/2) / s[3])
			o[1] = uint8((s[1] + s[3]/2) / s[3])
			o[2] = uint8((s[2] + s[3]/2) / s[3])
			o[3] = uint8((s[3] + n/2) / n)
		}
	}
	return dst
}
