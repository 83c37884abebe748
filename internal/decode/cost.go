package decode

import "math"

// layout is what is known of how an image's pixels are stored that bears
// on the memory decoding them takes; zero values where unknown.
type layout struct {
	bits        int  // PNG and TIFF bits per sample, AVIF 10 for more than 8
	colorType   int  // PNG colour type
	interlaced  bool // PNG Adam7
	transparent bool // PNG tRNS

	// JPEG: the components' sampling factors and the frame type.
	progressive, fallback bool
	sampling              [][2]int

	lossyOpaque bool // WebP: a plain VP8 stream, without alpha
	animated    bool // WebP: the VP8X animation flag
	// WebP: a still VP8 frame with an ALPH chunk, and whether that holds
	// a VP8L stream (else the raw plane).
	lossyAlpha, alphaLossless bool
}

// jpegApp is what a JPEG file's APP0 and APP14 segments say of its colours.
type jpegApp struct {
	jfif, adobe bool
	transform   byte
}

// jpegLayout reads the frame type and sampling factors of a JPEG SOFn
// segment, and whether internal/jpeg leaves the file to image/jpeg: by the
// same rules, RGB and non-Adobe CMYK files, and frames other than 8-bit
// baseline, extended and progressive Huffman.
func jpegLayout(marker byte, sof []byte, app jpegApp) layout {
	l := layout{progressive: marker == 0xC2, fallback: marker != 0xC0 && marker != 0xC1 && marker != 0xC2}
	if len(sof) < 6 || sof[0] != 8 {
		l.fallback = true
		return l
	}
	n := int(sof[5])
	switch {
	case n == 3 && !app.jfif && (app.adobe && app.transform == 0 || len(sof) >= 13 && sof[6] == 'R' && sof[9] == 'G' && sof[12] == 'B'):
		l.fallback = true
	case n == 4 && !app.adobe, n == 2, n > 4:
		l.fallback = true
	}
	for i := 0; i < n && 8+3*i < len(sof); i++ {
		f := sof[7+3*i]
		l.sampling = append(l.sampling, [2]int{max(1, int(f>>4)), max(1, int(f&15))})
	}
	if n == 1 && len(l.sampling) == 1 {
		l.sampling[0] = [2]int{1, 1}
	}
	return l
}

// The measured peak resident memory of decoding, in bytes per pixel of the
// header's size, for the decoders whose cost does not follow from the
// layout (docs/decode-memory.md has the table and how it was measured),
// rounded up, and the fixed cost of the WebAssembly decoders.
const (
	costTIFF           = 16 // strips and the image: 15 B/px measured for 8-bit RGBA
	costWebPOpaque     = 2  // a VP8 stream: 1.7 B/px
	costWebP           = 7  // VP8L or VP8 with ALPH: 4.0 and 6.7 B/px
	costWebPAlphaPlane = 6  // a VP8L alpha plane: x/image/vp8l's NRGBA, and its packed colour indices while it unpacks them: 4.3 and 5.0 B/px measured (3 and 256 levels)
	costWebPAnim       = 32 // per canvas pixel, libwebp in WebAssembly: 26-31 B/px
	costHEIC           = 10 // libheif in WebAssembly, then the Go copy: 8.0-9.0 B/px
	costAVIF           = 75 // libavif and libaom in WebAssembly: 66-72 B/px at 8 bits
	costAVIFDeep       = 2 * costAVIF
	wasmFixed          = 40 << 20 // a WebAssembly decoder's own memory, as allocated
	costMargin         = 1.1
	costFixedGoPath    = 1 << 20
)

// DecodeCost returns an upper bound of the memory, in bytes, that Decode
// takes at its peak to decode the image described by h at 1/shrink (shrink
// matters for JPEG, and for still lossy WebP when it is even): the decoded picture and the decoder's working
// memory, as measured on each decoder path. Where the image cannot be
// decoded at all within memory (a WebAssembly decoder's 4 GiB address
// space) it returns math.MaxInt64.
func (h Header) DecodeCost(shrink int) int64 {
	px := float64(h.Width) * float64(h.Height)
	l := h.layout
	var perPixel float64
	fixed := float64(costFixedGoPath)
	switch h.Format {
	case JPEG:
		return int64(jpegCost(px, l, shrink)*costMargin + costFixedGoPath)
	case PNG:
		perPixel = pngBytesPerPixel(l)
		if l.interlaced {
			perPixel *= 2 // the passes, then the image
		}
	case GIF:
		perPixel = 5 // the paletted frame, and an NRGBA canvas when it is smaller than the screen
	case TIFF:
		perPixel = costTIFF * float64(max(8, l.bits)) / 8
	case BMP:
		perPixel = 4
	case WebP:
		switch {
		case l.animated:
			perPixel, fixed = costWebPAnim, wasmFixed
		case l.lossyOpaque && shrink > 1 && shrink%2 == 0:
			// Decoded straight to the shrunk 4:4:4 picture, through two
			// macroblock rows of the full one.
			perPixel = 3 / float64(shrink*shrink)
			fixed += 64 * float64(h.Width)
		case l.lossyAlpha && shrink > 1 && shrink%2 == 0:
			// Decoded straight to the shrunk 4:4:4 picture with alpha,
			// through two macroblock rows of the full one, two rows of
			// alpha and the sums of a row of blocks; a VP8L alpha plane
			// is decoded whole first.
			perPixel = 4 / float64(shrink*shrink)
			if l.alphaLossless {
				perPixel += costWebPAlphaPlane
			}
			fixed += 96 * float64(h.Width)
		case l.lossyOpaque:
			perPixel = costWebPOpaque
		default:
			perPixel = costWebP
		}
	case HEIC:
		if h.DecodesTiles(shrink) {
			return int64(h.grid.cost(shrink)*costMargin + wasmFixed)
		}
		perPixel, fixed = costHEIC, wasmFixed
	case AVIF:
		perPixel, fixed = costAVIF, wasmFixed
		if l.bits > 8 {
			perPixel = costAVIFDeep
		}
	default:
		perPixel = 8
	}
	if fixed == wasmFixed && px*4 >= 1<<32 {
		return math.MaxInt64 // the RGBA picture alone overflows wasm32 memory
	}
	return int64(px*perPixel*costMargin + fixed)
}

// pngBytesPerPixel is the size of a pixel of the image image/png returns.
func pngBytesPerPixel(l layout) float64 {
	deep := l.bits == 16
	switch l.colorType {
	case 0: // gray
		if deep {
			return 2
		}
		return 1
	case 3: // paletted
		return 1
	}
	if deep {
		return 8
	}
	return 4
}

// jpegCost is the memory internal/jpeg allocates for a picture of px
// pixels at 1/shrink: each component's plane at the size it is decoded at
// (subsampled chroma enlarged to luma's grid where an 8x8 transform
// reaches it) and, for
// progressive files, its coefficients (per 8x8 block, the values the output
// block size needs as int16 and a 64-bit mask; the DC alone at 1/8); plus a
// 4:4:4 or CMYK copy for layouts image.YCbCr cannot hold. Files it leaves
// to image/jpeg cost a full-size decode and the shrunk copy.
func jpegCost(px float64, l layout, shrink int) float64 {
	s2 := float64(shrink * shrink)
	if l.fallback || len(l.sampling) == 0 {
		return px*4 + px*4/s2
	}
	hmax, vmax := 1, 1
	for _, f := range l.sampling {
		hmax, vmax = max(hmax, f[0]), max(vmax, f[1])
	}
	native := len(l.sampling) == 1 || len(l.sampling) == 3 && nativeSampling(l.sampling)
	var cost float64
	for _, f := range l.sampling {
		share := float64(f[0]*f[1]) / float64(hmax*vmax)
		// A subsampled component is decoded larger, up to luma's grid or
		// the full 8x8 transform (see jpeg's setScales).
		bs := 8 / shrink
		fx, fy := hmax/f[0], vmax/f[1]
		whole := fx*f[0] == hmax && fy*f[1] == vmax
		switch k := max(fx, fy); {
		case whole && bs*k <= 8 && !(l.progressive && bs == 1):
			bs *= k
			if fx != fy { // averaged down to luma's grid in a copy
				cost += px / s2
			}
		case whole && fx == fy && !native:
			bs = min(8, bs*k)
		}
		cost += px * share / 64 * float64(bs*bs)
		if l.progressive {
			cost += px * share / 64 * progressiveBlockBytes[bs]
		}
	}
	if n := len(l.sampling); n == 4 || n == 3 && !nativeSampling(l.sampling) {
		cost += px * float64(n) / s2
	}
	return cost
}

// progressiveBlockBytes is the memory a progressive file's coefficients
// take per 8x8 block, by output block size: the values the transform
// reads as int16 and a 64-bit mask, or the DC alone at 1x1.
var progressiveBlockBytes = map[int]float64{8: 65*2 + 8, 4: 50*2 + 8, 2: 26*2 + 8, 1: 2}

// nativeSampling reports whether image.YCbCr can hold 3 components with
// these sampling factors as they are.
func nativeSampling(f [][2]int) bool {
	y, cb, cr := f[0], f[1], f[2]
	if cb != cr || y[0]%cb[0] != 0 || y[1]%cb[1] != 0 {
		return false
	}
	switch [2]int{y[0] / cb[0], y[1] / cb[1]} {
	case [2]int{1, 1}, [2]int{1, 2}, [2]int{2, 1}, [2]int{2, 2}, [2]int{4, 1}, [2]int{4, 2}:
		return true
	}
	return false
}
