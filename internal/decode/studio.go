package decode

import (
	"image"
	"math"
)

// Studio-swing to full-range lookup tables: luma 16-235 and chroma 16-240
// stretched to 0-255 around their zero points.
var fullLuma, fullChroma = func() (y, c [256]uint8) {
	for v := range 256 {
		y[v] = clampByte(int32(math.Round(float64(v-16) * 255 / 219)))
		c[v] = clampByte(int32(math.Round(float64(v-128)*255/224)) + 128)
	}
	return y, c
}()

// fromStudioSwing rescales, in place, the samples of the lossy WebP pixels
// that golang.org/x/image/webp and github.com/gen2brain/webp return as
// *image.YCbCr or *image.NYCbCrA (and of limited-range HEIC pixels, also
// *image.Gray, see heicLimitedRange), and returns the image. VP8 stores BT.601
// "studio swing" YCbCr (luma 16-235, chroma 16-240), whereas Go's YCbCr
// colour model is JPEG's full range: without this, blacks and whites come
// out washed out. Stretching the samples makes Go's conversion give
// BT.601's colours, and keeps the image in YCbCr, which the resampler
// handles plane by plane. Other images are returned unchanged.
func fromStudioSwing(img image.Image) image.Image {
	var ycc *image.YCbCr
	switch m := img.(type) {
	case *image.YCbCr:
		ycc = m
	case *image.NYCbCrA:
		ycc = &m.YCbCr
	case *image.Gray: // a monochrome HEIC
		for i, v := range m.Pix {
			m.Pix[i] = fullLuma[v]
		}
		return img
	default:
		return img
	}
	for i, v := range ycc.Y {
		ycc.Y[i] = fullLuma[v]
	}
	for i, v := range ycc.Cb {
		ycc.Cb[i] = fullChroma[v]
	}
	for i, v := range ycc.Cr {
		ycc.Cr[i] = fullChroma[v]
	}
	return img
}

func clampByte(v int32) uint8 {
	return uint8(min(max(v, 0), 255))
}
