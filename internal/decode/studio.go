package decode

import "image"

// fromStudioSwing converts the lossy WebP pixels that golang.org/x/image/webp
// returns as *image.YCbCr or *image.NYCbCrA to *image.NRGBA. VP8 stores
// BT.601 "studio swing" YCbCr (luma 16-235, chroma 16-240), whereas Go's
// YCbCr colour model is JPEG's full range; converting with Go's model
// would wash out blacks and whites. Other images are returned unchanged.
func fromStudioSwing(img image.Image) image.Image {
	var ycc *image.YCbCr
	var alpha *image.NYCbCrA
	switch m := img.(type) {
	case *image.YCbCr:
		ycc = m
	case *image.NYCbCrA:
		ycc, alpha = &m.YCbCr, m
	default:
		return img
	}
	r := ycc.Rect
	out := image.NewNRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		p := out.Pix[(y-r.Min.Y)*out.Stride:]
		for x := r.Min.X; x < r.Max.X; x++ {
			yy := (int32(ycc.Y[ycc.YOffset(x, y)]) - 16) * 76309
			ci := ycc.COffset(x, y)
			cb, cr := int32(ycc.Cb[ci])-128, int32(ycc.Cr[ci])-128
			i := 4 * (x - r.Min.X)
			p[i] = clampByte((yy + 104597*cr + 1<<15) >> 16)
			p[i+1] = clampByte((yy - 25675*cb - 53279*cr + 1<<15) >> 16)
			p[i+2] = clampByte((yy + 132201*cb + 1<<15) >> 16)
			p[i+3] = 255
			if alpha != nil {
				p[i+3] = alpha.A[alpha.AOffset(x, y)]
			}
		}
	}
	return out
}

func clampByte(v int32) uint8 {
	return uint8(min(max(v, 0), 255))
}
