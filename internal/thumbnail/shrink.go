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
func boxShrink(img image.Image, k int) image.Image {
	switch m := img.(type) {
	case *image.YCbCr:
		return shrinkYCbCr(m, k)
	case *image.Gray:
		r := m.Rect
		pix, w, h := boxPlane(m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, r.Dx(), r.Dy(), k)
		return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
	}
	// pix holds 4-byte pixels, premultiplied by alpha or not.
	var pix []uint8
	var stride int
	premultiplied := false
	switch m := img.(type) {
	case *image.NRGBA:
		pix, stride = m.Pix[m.PixOffset(m.Rect.Min.X, m.Rect.Min.Y):], m.Stride
	case *image.RGBA:
		pix, stride, premultiplied = m.Pix[m.PixOffset(m.Rect.Min.X, m.Rect.Min.Y):], m.Stride, true
	default:
		c := imaging.Clone(img)
		pix, stride = c.Pix, c.Stride
	}
	sw, sh := img.Bounds().Dx(), img.Bounds().Dy()
	dw, dh := sw/k, sh/k
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	sums := make([]uint64, 4*dw) // premultiplied R, G, B and A per output column
	n := uint64(k * k)
	for dy := 0; dy < dh; dy++ {
		clear(sums)
		for sy := dy * k; sy < (dy+1)*k; sy++ {
			row := pix[sy*stride : sy*stride+4*dw*k]
			for sx := 0; sx < dw*k; sx++ {
				p := row[4*sx : 4*sx+4 : 4*sx+4]
				a := uint64(p[3])
				weight := a // premultiplies R, G and B
				if premultiplied {
					weight = 255
				}
				s := sums[4*(sx/k) : 4*(sx/k)+4 : 4*(sx/k)+4]
				s[0] += uint64(p[0]) * weight
				s[1] += uint64(p[1]) * weight
				s[2] += uint64(p[2]) * weight
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
			o[0] = uint8(min((s[0]+s[3]/2)/s[3], 255))
			o[1] = uint8(min((s[1]+s[3]/2)/s[3], 255))
			o[2] = uint8(min((s[2]+s[3]/2)/s[3], 255))
			o[3] = uint8((s[3] + n/2) / n)
		}
	}
	return dst
}

// shrinkYCbCr box-filters each plane of img by k, keeping its chroma
// subsampling, so that no full-size RGB copy is ever made.
func shrinkYCbCr(img *image.YCbCr, k int) *image.YCbCr {
	r := img.Rect
	hdiv, vdiv := subsampling(img.SubsampleRatio)
	y, yw, yh := boxPlane(img.Y[img.YOffset(r.Min.X, r.Min.Y):], img.YStride, r.Dx(), r.Dy(), k)
	coff := img.COffset(r.Min.X, r.Min.Y)
	cw, ch := (r.Max.X+hdiv-1)/hdiv-r.Min.X/hdiv, (r.Max.Y+vdiv-1)/vdiv-r.Min.Y/vdiv
	cb, cw2, ch2 := boxPlane(img.Cb[coff:], img.CStride, cw, ch, k)
	cr, _, _ := boxPlane(img.Cr[coff:], img.CStride, cw, ch, k)
	// The image must not reach past its last chroma sample.
	w, h := min(yw, cw2*hdiv), min(yh, ch2*vdiv)
	return &image.YCbCr{Y: y, Cb: cb, Cr: cr, YStride: yw, CStride: cw2,
		SubsampleRatio: img.SubsampleRatio, Rect: image.Rect(0, 0, w, h)}
}

// boxPlane returns the w/k × h/k means of the k×k blocks of the w×h plane
// pix (rows stride bytes apart), dropping the leftover edge samples, and
// its size.
func boxPlane(pix []uint8, stride, w, h, k int) (out []uint8, dw, dh int) {
	dw, dh = max(w/k, 1), max(h/k, 1)
	out = make([]uint8, dw*dh)
	sums := make([]uint32, dw)
	n := uint32(min(k, w) * min(k, h))
	for dy := range dh {
		clear(sums)
		for sy := dy * k; sy < min((dy+1)*k, h); sy++ {
			row := pix[sy*stride : sy*stride+min(dw*k, w)]
			for sx, v := range row {
				sums[sx/k] += uint32(v)
			}
		}
		dst := out[dy*dw : (dy+1)*dw]
		for dx, s := range sums {
			dst[dx] = uint8((s + n/2) / n)
		}
	}
	return out, dw, dh
}
