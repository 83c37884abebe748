package tiff

import (
	"fmt"
	"image"
	"math"
)

// image converts the raster to its result: *image.Gray for grey without
// alpha, *image.NRGBA otherwise.
func (r *raster) image(d *ifd) (image.Image, error) {
	l := r.l
	r.alloc()
	rect := image.Rect(0, 0, l.width, l.height)
	n := l.width * l.height
	if (r.photometric == pBlackIsZero || r.photometric == pWhiteIsZero) && l.alpha < 0 {
		pix := r.pix
		if r.spp != 1 {
			pix = make([]uint8, n)
			for i := range pix {
				pix[i] = r.pix[i*r.spp]
			}
		}
		if r.photometric == pWhiteIsZero {
			for i, v := range pix {
				pix[i] = 255 - v
			}
		}
		return &image.Gray{Pix: pix, Stride: l.width, Rect: rect}, nil
	}
	// Each colour conversion below reads a pixel's samples before it writes
	// the same pixel's result, so four-slot rasters of three or four colour
	// samples are converted in place.
	var out []uint8
	if r.spp == 4 && l.colors >= 3 {
		out = r.pix
	} else {
		out = make([]uint8, 4*n)
	}
	src, spp := r.pix, r.spp
	switch r.photometric {
	case pBlackIsZero, pWhiteIsZero:
		for i := 0; i < n; i++ {
			v := src[i*spp]
			if r.photometric == pWhiteIsZero {
				v = 255 - v
			}
			out[4*i], out[4*i+1], out[4*i+2] = v, v, v
		}
	case pRGB:
		if &out[0] != &src[0] {
			for i := 0; i < n; i++ {
				s := src[i*spp : i*spp+3 : i*spp+3]
				o := out[4*i : 4*i+3 : 4*i+3]
				o[0], o[1], o[2] = s[0], s[1], s[2]
			}
		}
	case pPalette:
		if err := r.palette(d, out); err != nil {
			return nil, err
		}
	case pSeparated:
		for i := 0; i < n; i++ {
			s := src[i*spp : i*spp+4 : i*spp+4]
			k := 255 - uint32(s[3])
			out[4*i] = uint8((255 - uint32(s[0])) * k / 255)
			out[4*i+1] = uint8((255 - uint32(s[1])) * k / 255)
			out[4*i+2] = uint8((255 - uint32(s[2])) * k / 255)
		}
	case pYCbCr:
		r.ycbcr(d, out)
	case pCIELab:
		r.lab(out)
	default:
		return nil, unsupportedError(fmt.Sprintf("PhotometricInterpretation %d", r.photometric))
	}
	if l.alpha < 0 {
		for i := 0; i < n; i++ {
			out[4*i+3] = 255
		}
	} else {
		for i := 0; i < n; i++ {
			a := src[i*spp+l.alpha]
			out[4*i+3] = a
			if l.premultiplied && a != 255 {
				o := out[4*i : 4*i+3 : 4*i+3]
				for c := range o {
					if a == 0 {
						o[c] = 0
					} else {
						o[c] = uint8(min(255, (uint32(o[c])*255+uint32(a)/2)/uint32(a)))
					}
				}
			}
		}
	}
	return &image.NRGBA{Pix: out, Stride: 4 * l.width, Rect: rect}, nil
}

// palette maps indices through ColorMap. A map whose values all fit in 8 bits
// is taken as 8-bit, as libtiff does for files written that way.
func (r *raster) palette(d *ifd, out []uint8) error {
	cm := d.uints(tagColorMap)
	size := 1 << r.l.bps
	if len(cm) < 3*size {
		return formatError(fmt.Sprintf("ColorMap has %d values, want %d", len(cm), 3*size))
	}
	shift := 8
	if max := maxOf(cm[:3*size]); max < 256 {
		shift = 0
	}
	var lut [256][3]uint8
	for i := 0; i < size; i++ {
		lut[i] = [3]uint8{uint8(cm[i] >> shift), uint8(cm[size+i] >> shift), uint8(cm[2*size+i] >> shift)}
	}
	for i := 0; i < r.l.width*r.l.height; i++ {
		c := lut[r.pix[i*r.spp]]
		out[4*i], out[4*i+1], out[4*i+2] = c[0], c[1], c[2]
	}
	return nil
}

func maxOf(v []uint64) uint64 {
	var m uint64
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// ycbcr converts Y, Cb, Cr samples to RGB with YCbCrCoefficients and
// ReferenceBlackWhite (TIFF 6.0 section 21; defaults of libtiff).
func (r *raster) ycbcr(d *ifd, out []uint8) {
	lr, lg, lb := 0.299, 0.587, 0.114
	if c := d.floats(tagYCbCrCoefficients); len(c) >= 3 && c[1] != 0 {
		lr, lg, lb = c[0], c[1], c[2]
	}
	ref := []float64{0, 255, 128, 255, 128, 255}
	if v := d.floats(tagReferenceBW); len(v) >= 6 {
		ref = v
	}
	code := func(v uint8, black, white, codingRange float64) float64 {
		if white == black {
			return 0
		}
		return (float64(v) - black) * codingRange / (white - black)
	}
	var yl, cbl, crl [256]float64
	for v := 0; v < 256; v++ {
		yl[v] = code(uint8(v), ref[0], ref[1], 255)
		cbl[v] = code(uint8(v), ref[2], ref[3], 127)
		crl[v] = code(uint8(v), ref[4], ref[5], 127)
	}
	src, spp := r.pix, r.spp
	for i := 0; i < r.l.width*r.l.height; i++ {
		s := src[i*spp : i*spp+3 : i*spp+3]
		y, cb, cr := yl[s[0]], cbl[s[1]], crl[s[2]]
		red := y + cr*(2-2*lr)
		blue := y + cb*(2-2*lb)
		green := (y - lb*blue - lr*red) / lg
		out[4*i], out[4*i+1], out[4*i+2] = clamp8(red), clamp8(green), clamp8(blue)
	}
}

func clamp8(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// lab converts CIE L*a*b* samples (L 0..255 for 0..100, a* and b* signed
// 8-bit) to sRGB through XYZ under D50, with the Bradford-adapted matrix.
func (r *raster) lab(out []uint8) {
	var gamma [4097]uint8
	for i := range gamma {
		v := float64(i) / 4096
		if v <= 0.0031308 {
			v *= 12.92
		} else {
			v = 1.055*math.Pow(v, 1/2.4) - 0.055
		}
		gamma[i] = clamp8(v * 255)
	}
	encode := func(v float64) uint8 {
		switch {
		case v <= 0:
			return 0
		case v >= 1:
			return 255
		}
		return gamma[int(v*4096+0.5)]
	}
	finv := func(t float64) float64 {
		if t > 6.0/29 {
			return t * t * t
		}
		return 3 * (6.0 / 29) * (6.0 / 29) * (t - 4.0/29)
	}
	src, spp := r.pix, r.spp
	for i := 0; i < r.l.width*r.l.height; i++ {
		s := src[i*spp : i*spp+3 : i*spp+3]
		L := float64(s[0]) * 100 / 255
		a, b := float64(int8(s[1])), float64(int8(s[2]))
		fy := (L + 16) / 116
		x := 0.96422 * finv(fy+a/500)
		y := finv(fy)
		z := 0.82521 * finv(fy-b/200)
		out[4*i] = encode(3.1338561*x - 1.6168667*y - 0.4906146*z)
		out[4*i+1] = encode(-0.9787684*x + 1.9161415*y + 0.0334540*z)
		out[4*i+2] = encode(0.0719453*x - 0.2289914*y + 1.4052427*z)
	}
}
