package tiff

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// sampleMode says how a stored sample becomes an 8-bit one.
type sampleMode int

const (
	scaled sampleMode = iota // unsigned, scaled from its range to 0..255
	signed                   // two's complement, shifted so that the minimum is 0, then scaled
	raw                      // kept as it is (palette indices), or its top 8 bits (CIELab)
	float                    // IEEE floating point, 0..1 mapped to 0..255 and clamped
)

// raster holds the decoded samples of the whole image, 8 bits each, spp per
// pixel. Three-sample pixels get a fourth, unused slot, so that the colour
// conversion can write the *image.NRGBA result in place.
type raster struct {
	l           *layout
	bo          binary.ByteOrder
	pix         []uint8
	spp         int
	photometric int // after decompression: YCbCr decoded by a JPEG codec is RGB
	mode        sampleMode
	row         []uint8 // one unpacked row of a strip or tile
	scale       []uint8 // maps an unsigned sample of fewer than 8 bits to 0..255
}

// newPlanes allocates the raster for l.
func newPlanes(d *ifd, l *layout) (*raster, error) {
	r := &raster{l: l, bo: d.bo, spp: l.spp, photometric: l.photometric}
	switch {
	case l.format == fFloat:
		r.mode = float
		if l.photometric == pPalette || l.photometric == pCIELab {
			return nil, unsupportedError(fmt.Sprintf("floating-point samples with PhotometricInterpretation %d", l.photometric))
		}
	case l.photometric == pPalette || l.photometric == pCIELab:
		r.mode = raw
	case l.format == fInt && l.bps > 8:
		r.mode = signed // 8-bit signed samples are read as unsigned bytes, as ImageMagick does
	}
	if (l.compression == cJPEG || l.compression == cOldJPEG) && l.photometric == pYCbCr && !l.planar {
		r.photometric = pRGB
	}
	if l.photometric == pCIELab && l.bps != 8 && l.bps != 16 {
		return nil, unsupportedError(fmt.Sprintf("CIELab with BitsPerSample %d", l.bps))
	}
	if l.photometric == pPalette && l.bps > 8 {
		return nil, unsupportedError(fmt.Sprintf("palette with BitsPerSample %d", l.bps))
	}
	if l.bps < 8 {
		max := 1<<l.bps - 1
		r.scale = make([]uint8, max+1)
		for v := range r.scale {
			r.scale[v] = uint8((v*255 + max/2) / max)
			if r.mode == raw {
				r.scale[v] = uint8(v)
			}
		}
	}
	if l.spp == 3 {
		r.spp = 4
	}
	return r, nil
}

// alloc allocates the samples once the first strip or tile has decoded, so
// that a header claiming a huge image over garbage data costs no memory.
func (r *raster) alloc() {
	if r.pix == nil {
		r.pix = make([]uint8, r.l.width*r.l.height*r.spp)
	}
}

// readChunks decompresses every strip or tile of the image into the raster.
func (r *raster) readChunks(data []byte, d *ifd) error {
	l := r.l
	perPlane := l.across * l.down
	dec := newDecompressor(l, d)
	for i := 0; i < l.chunkCount(); i++ {
		plane, j := i/perPlane, i%perPlane
		if l.ignoredPlane(plane) {
			continue
		}
		x0, y0 := (j%l.across)*l.chunkW, (j/l.across)*l.chunkH
		w, h := l.chunkW, l.chunkH
		if !l.tiled {
			h = min(h, l.height-y0)
		}
		what := "strip"
		if l.tiled {
			what = "tile"
		}
		off, n := l.offsets[i], l.counts[i]
		if off > uint64(len(data)) {
			return formatError(fmt.Sprintf("%s %d starts past the end of the file", what, i))
		}
		truncated := n > uint64(len(data))-off
		if truncated {
			n = uint64(len(data)) - off
		}
		src := data[off : off+n]
		var err error
		switch l.compression {
		case cJPEG:
			err = r.putJPEG(dec.jpegStream(src), plane, x0, y0, w, h)
		case cWebP:
			err = r.putWebP(src, x0, y0, w, h)
		default:
			var buf []byte
			buf, err = dec.decompress(src, w, h)
			if err == nil {
				err = r.unpackChunk(buf, plane, x0, y0, w, h)
			}
		}
		if err != nil {
			if truncated {
				err = fmt.Errorf("truncated by the end of the file: %w", err)
			}
			return &chunkError{what: what, index: i, of: l.chunkCount(), err: err}
		}
	}
	return nil
}

// unpackChunk stores the decompressed w x h strip or tile buf, whose top left
// pixel is (x0, y0), into the raster; for planar images it holds one plane.
func (r *raster) unpackChunk(buf []byte, plane, x0, y0, w, h int) error {
	l := r.l
	r.alloc()
	if l.subH > 1 || l.subV > 1 {
		r.unpackSubsampled(buf, x0, y0, w, h)
		return nil
	}
	rowBytes := l.rowBytes(w)
	if l.predictor != 1 {
		for y := 0; y < h; y++ {
			r.unpredict(buf[y*rowBytes:(y+1)*rowBytes], w)
		}
	}
	n := min(w, l.width-x0) // pixels visible in each row
	spc := l.samplesPerChunkPixel()
	if cap(r.row) < n*spc {
		r.row = make([]uint8, n*spc)
	}
	for y := 0; y < h && y0+y < l.height; y++ {
		at := ((y0+y)*l.width + x0) * r.spp
		src := buf[y*rowBytes : (y+1)*rowBytes]
		switch {
		case l.planar:
			row := r.row[:n]
			r.unpackRow(row, src, plane)
			dst := r.pix[at+plane:]
			for x, v := range row {
				dst[x*r.spp] = v
			}
		case spc == r.spp:
			r.unpackRow(r.pix[at:at+n*r.spp], src, -1)
		default: // three samples into four slots
			var row []uint8
			if l.bps == 8 && r.mode != float && r.mode != signed {
				row = src[:n*spc] // already 8-bit samples
			} else {
				row = r.row[:n*spc]
				r.unpackRow(row, src, -1)
			}
			dst := r.pix[at : at+n*r.spp]
			for x := 0; x < n; x++ {
				d, s := dst[4*x:4*x+3:4*x+3], row[3*x:3*x+3:3*x+3]
				d[0], d[1], d[2] = s[0], s[1], s[2]
			}
		}
	}
	return nil
}

// unpackRow converts the first len(dst) samples of the packed row src to 8
// bits. plane is the sample index of every sample of a planar row, -1 for a
// row of whole pixels.
func (r *raster) unpackRow(dst []uint8, src []byte, plane int) {
	l := r.l
	switch {
	case r.mode == raw && l.bps == 16: // CIELab: L* unsigned, a* and b* signed, each rounded
		for i := range dst {
			v := r.bo.Uint16(src[2*i:])
			c := plane
			if c < 0 {
				c = i % l.spp
			}
			if c == 0 {
				dst[i] = uint8((uint32(v)*255 + 32767) / 65535)
			} else {
				dst[i] = uint8(int8(min((int32(int16(v))+128)>>8, 127)))
			}
		}
	case r.mode == float:
		unpackFloat(dst, src, l.bps, r.bo)
	case l.bps == 8:
		copy(dst, src)
		if r.mode == signed {
			for i := range dst {
				dst[i] ^= 0x80
			}
		}
	case l.bps == 16:
		for i := range dst {
			v := r.bo.Uint16(src[2*i:])
			dst[i] = r.to8(uint32(v), 16)
		}
	case l.bps == 32:
		for i := range dst {
			dst[i] = r.to8(r.bo.Uint32(src[4*i:]), 32)
		}
	case l.bps < 8:
		per := 8 / l.bps
		mask := byte(1<<l.bps - 1)
		for i := range dst {
			shift := 8 - l.bps*(i%per+1)
			v := src[i/per] >> shift & mask
			if r.mode == signed {
				v ^= 1 << (l.bps - 1)
			}
			dst[i] = r.scale[v]
		}
	default: // 9..31 bits, packed most significant bit first whatever the byte order
		pos := 0
		for i := range dst {
			var v uint32
			for left := l.bps; left > 0; {
				b := src[pos/8]
				avail := 8 - pos%8
				take := min(avail, left)
				v = v<<take | uint32(b>>(avail-take))&(1<<take-1)
				left -= take
				pos += take
			}
			dst[i] = r.to8(v, l.bps)
		}
	}
}

// to8 converts an unsigned or signed sample of b bits to 8 bits according to the mode.
func (r *raster) to8(v uint32, b int) uint8 {
	switch r.mode {
	case raw:
		return uint8(v >> (b - 8))
	case signed:
		v ^= 1 << (b - 1)
	}
	if b == 32 {
		return uint8((uint64(v)*255 + math.MaxUint32/2) / math.MaxUint32)
	}
	max := uint32(1)<<b - 1
	return uint8((uint64(v)*255 + uint64(max/2)) / uint64(max))
}

// unpackFloat maps floating-point samples to 8 bits: 0 and below to 0, 1 and above to 255,
// NaN to 0.
func unpackFloat(dst []uint8, src []byte, b int, bo binary.ByteOrder) {
	for i := range dst {
		var f float64
		switch b {
		case 16:
			f = halfToFloat(bo.Uint16(src[2*i:]))
		case 24:
			f = float24ToFloat(uint32(src[3*i])<<16 | uint32(src[3*i+1])<<8 | uint32(src[3*i+2]))
			if bo == binary.LittleEndian {
				f = float24ToFloat(uint32(src[3*i+2])<<16 | uint32(src[3*i+1])<<8 | uint32(src[3*i]))
			}
		case 32:
			f = float64(math.Float32frombits(bo.Uint32(src[4*i:])))
		case 64:
			f = math.Float64frombits(bo.Uint64(src[8*i:]))
		}
		switch {
		case f >= 1:
			dst[i] = 255
		case f > 0:
			dst[i] = uint8(f*255 + 0.5)
		default:
			dst[i] = 0
		}
	}
}

// halfToFloat converts an IEEE 754 binary16 value.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * frac / 1024 * math.Ldexp(1, -14)
	case 31:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * (1 + frac/1024) * math.Ldexp(1, exp-15)
}

// float24ToFloat converts the 24-bit float of Adobe's TIFF technical note 3
// (sign, 7-bit exponent biased by 63, 16-bit fraction).
func float24ToFloat(v uint32) float64 {
	sign := 1.0
	if v&0x800000 != 0 {
		sign = -1
	}
	exp, frac := int(v>>16&0x7f), float64(v&0xffff)
	switch exp {
	case 0:
		return sign * frac / 65536 * math.Ldexp(1, -62)
	case 127:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * (1 + frac/65536) * math.Ldexp(1, exp-63)
}

// unpredict undoes the predictor on one decompressed row of w pixels, in place.
func (r *raster) unpredict(row []byte, w int) {
	l := r.l
	spc := l.samplesPerChunkPixel()
	switch {
	case l.predictor == 2 && l.bps == 8:
		for i := spc; i < len(row); i++ {
			row[i] += row[i-spc]
		}
	case l.predictor == 2 && l.bps == 16:
		for i := 2 * spc; i+2 <= len(row); i += 2 {
			r.bo.PutUint16(row[i:], r.bo.Uint16(row[i:])+r.bo.Uint16(row[i-2*spc:]))
		}
	case l.predictor == 2 && l.bps == 32:
		for i := 4 * spc; i+4 <= len(row); i += 4 {
			r.bo.PutUint32(row[i:], r.bo.Uint32(row[i:])+r.bo.Uint32(row[i-4*spc:]))
		}
	case l.predictor == 2 && l.bps == 64:
		for i := 8 * spc; i+8 <= len(row); i += 8 {
			r.bo.PutUint64(row[i:], r.bo.Uint64(row[i:])+r.bo.Uint64(row[i-8*spc:]))
		}
	case l.predictor == 2: // 24 bits
		for i := 3 * spc; i < len(row); i++ {
			row[i] += row[i-3*spc]
		}
	case l.predictor == 3:
		// Bytes are differenced across the row, then stored as byte planes,
		// most significant plane first.
		for i := spc; i < len(row); i++ {
			row[i] += row[i-spc]
		}
		size := l.bps / 8
		n := w * spc
		tmp := make([]byte, len(row))
		copy(tmp, row)
		little := r.bo == binary.LittleEndian
		for k := 0; k < n; k++ {
			for b := 0; b < size; b++ {
				at := k*size + b
				if little {
					at = k*size + size - 1 - b
				}
				row[at] = tmp[b*n+k]
			}
		}
	}
}

// unpackSubsampled stores a strip or tile of subsampled YCbCr data units as Y, Cb, Cr per pixel.
func (r *raster) unpackSubsampled(buf []byte, x0, y0, w, h int) {
	l := r.l
	sh, sv := l.subH, l.subV
	unit := sh*sv + 2
	bw := (w + sh - 1) / sh
	bh := (h + sv - 1) / sv
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			u := buf[(by*bw+bx)*unit:][:unit]
			cb, cr := u[sh*sv], u[sh*sv+1]
			for j := 0; j < sv; j++ {
				y := y0 + by*sv + j
				if y >= l.height || by*sv+j >= h {
					break
				}
				for i := 0; i < sh; i++ {
					x := x0 + bx*sh + i
					if x >= l.width || bx*sh+i >= w {
						break
					}
					p := r.pix[(y*l.width+x)*r.spp:]
					p[0], p[1], p[2] = u[j*sh+i], cb, cr
				}
			}
		}
	}
}

// reverseBits returns a copy of b with the bit order of each byte reversed (FillOrder 2).
func reverseBits(b []byte) []byte {
	out := make([]byte, len(b))
	for i, v := range b {
		out[i] = bits.Reverse8(v)
	}
	return out
}
