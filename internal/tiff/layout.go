package tiff

import (
	"fmt"
)

// Photometric interpretations.
const (
	pWhiteIsZero = 0
	pBlackIsZero = 1
	pRGB         = 2
	pPalette     = 3
	pSeparated   = 5
	pYCbCr       = 6
	pCIELab      = 8
)

// Compression schemes.
const (
	cNone       = 1
	cCCITTRLE   = 2
	cCCITTT4    = 3
	cCCITTT6    = 4
	cLZW        = 5
	cOldJPEG    = 6
	cJPEG       = 7
	cDeflate    = 8
	cPackBits   = 32773
	cDeflateOld = 32946
	cLZMA       = 34925
	cWebP       = 50001
)

// Sample formats.
const (
	fUint  = 1
	fInt   = 2
	fFloat = 3
)

// Limits that keep a hostile header from asking for absurd allocations.
const (
	maxSide    = 1 << 20
	maxPixels  = 1 << 28
	maxSamples = 1 << 30
	maxSPP     = 32
)

// layout is the validated description of the first image of a file.
type layout struct {
	width, height int
	spp           int // samples per pixel
	bps           int // bits per sample, the same for every sample
	format        int // fUint, fInt or fFloat
	photometric   int
	compression   int
	planar        bool // PlanarConfiguration 2: one plane per sample
	predictor     int
	lsbFirst      bool // FillOrder 2
	colors        int  // colour samples per pixel; the rest are extra samples
	alpha         int  // index of the alpha sample, -1 when none
	premultiplied bool // the alpha is associated
	subH, subV    int  // YCbCr chroma subsampling, 1 when none

	tiled          bool
	chunkW, chunkH int // tile size, or width by RowsPerStrip
	across, down   int // chunks per row and per column of one plane
	offsets        []uint64
	counts         []uint64
}

// chunkCount returns the number of strips or tiles.
func (l *layout) chunkCount() int {
	n := l.across * l.down
	if l.planar {
		n *= l.spp
	}
	return n
}

// readLayout validates the fields of the first IFD that decoding depends on.
// Each field it cannot honour gives an error naming it.
func readLayout(d *ifd) (*layout, error) {
	l := &layout{alpha: -1, subH: 1, subV: 1}
	w, h := d.uint(tagWidth, 0), d.uint(tagHeight, 0)
	if w == 0 || h == 0 {
		return nil, formatError(fmt.Sprintf("ImageWidth x ImageLength is %dx%d", w, h))
	}
	if w > maxSide || h > maxSide || w*h > maxPixels {
		return nil, unsupportedError(fmt.Sprintf("ImageWidth x ImageLength %dx%d exceeds %d pixels", w, h, maxPixels))
	}
	l.width, l.height = int(w), int(h)

	l.spp = int(min(d.uint(tagSamplesPerPixel, 1), maxSPP+1))
	if l.spp < 1 || l.spp > maxSPP {
		return nil, unsupportedError(fmt.Sprintf("SamplesPerPixel %d", d.uint(tagSamplesPerPixel, 1)))
	}
	bps := d.uints(tagBitsPerSample)
	if len(bps) == 0 {
		bps = []uint64{1}
	}
	for _, b := range bps[:min(len(bps), l.spp)] {
		if b != bps[0] {
			return nil, unsupportedError(fmt.Sprintf("BitsPerSample %v (samples of different sizes)", bps))
		}
	}
	l.bps = int(min(bps[0], 65))
	l.format = int(d.uint(tagSampleFormat, fUint))
	switch l.format {
	case fUint, fInt:
		if l.bps < 1 || l.bps > 32 {
			return nil, unsupportedError(fmt.Sprintf("BitsPerSample %d", bps[0]))
		}
	case fFloat:
		if l.bps != 16 && l.bps != 24 && l.bps != 32 && l.bps != 64 {
			return nil, unsupportedError(fmt.Sprintf("BitsPerSample %d with floating-point SampleFormat", bps[0]))
		}
	case 4: // void: read as unsigned, as libtiff does
		l.format = fUint
	default:
		return nil, unsupportedError(fmt.Sprintf("SampleFormat %d", l.format))
	}
	if uint64(l.width)*uint64(l.height)*uint64(l.spp) > maxSamples {
		return nil, unsupportedError(fmt.Sprintf("%dx%d pixels of %d samples", l.width, l.height, l.spp))
	}

	l.compression = int(d.uint(tagCompression, cNone))
	switch l.compression {
	case cNone, cCCITTRLE, cCCITTT4, cCCITTT6, cLZW, cOldJPEG, cJPEG, cDeflate, cDeflateOld, cPackBits, cLZMA, cWebP:
	default:
		return nil, unsupportedError(fmt.Sprintf("Compression %d", l.compression))
	}
	l.photometric = int(d.uint(tagPhotometric, uint64(defaultPhotometric(l))))
	if l.compression == cOldJPEG && l.photometric == pYCbCr && l.spp == 1 {
		l.spp = 3 // old-style JPEG writers often leave SamplesPerPixel out
	}
	switch l.photometric {
	case pWhiteIsZero, pBlackIsZero:
		l.colors = 1
	case pPalette:
		l.colors = 1
		if l.format != fUint || l.bps > 16 {
			return nil, unsupportedError(fmt.Sprintf("palette image with BitsPerSample %d, SampleFormat %d", l.bps, l.format))
		}
	case pRGB, pYCbCr, pCIELab:
		l.colors = 3
	case pSeparated:
		if ink := d.uint(tagInkSet, 1); ink != 1 {
			return nil, unsupportedError(fmt.Sprintf("InkSet %d", ink))
		}
		l.colors = 4
	default:
		return nil, unsupportedError(fmt.Sprintf("PhotometricInterpretation %d", l.photometric))
	}
	if l.spp < l.colors {
		return nil, formatError(fmt.Sprintf("SamplesPerPixel %d too few for PhotometricInterpretation %d", l.spp, l.photometric))
	}
	extra := d.uints(tagExtraSamples)
	if !d.has(tagExtraSamples) && l.photometric == pRGB && l.spp == 4 {
		extra = []uint64{2} // RGB plus a fourth sample is read as RGBA, as libtiff and ImageMagick do
	}
	for i, kind := range extra {
		if l.colors+i >= l.spp {
			break
		}
		if (kind == 1 || kind == 2) && l.alpha < 0 {
			l.alpha, l.premultiplied = l.colors+i, kind == 1
		}
	}

	switch pc := d.uint(tagPlanarConfig, 1); pc {
	case 1:
	case 2:
		l.planar = l.spp > 1
	default:
		return nil, unsupportedError(fmt.Sprintf("PlanarConfiguration %d", pc))
	}
	switch fo := d.uint(tagFillOrder, 1); fo {
	case 1:
	case 2:
		l.lsbFirst = true
	default:
		return nil, unsupportedError(fmt.Sprintf("FillOrder %d", fo))
	}
	l.predictor = int(d.uint(tagPredictor, 1))
	switch l.predictor {
	case 1:
	case 2:
		if l.format == fFloat || l.bps < 8 || l.bps%8 != 0 {
			return nil, unsupportedError(fmt.Sprintf("Predictor 2 with BitsPerSample %d, SampleFormat %d", l.bps, l.format))
		}
	case 3:
		if l.format != fFloat {
			return nil, unsupportedError(fmt.Sprintf("Predictor 3 with SampleFormat %d", l.format))
		}
	default:
		return nil, unsupportedError(fmt.Sprintf("Predictor %d", l.predictor))
	}

	jpeg := l.compression == cJPEG || l.compression == cOldJPEG
	if l.photometric == pYCbCr && !jpeg {
		if sub := d.uints(tagYCbCrSubSampling); len(sub) >= 2 {
			l.subH, l.subV = int(sub[0]), int(sub[1])
		} else {
			l.subH, l.subV = 2, 2
		}
		if l.subH != 1 && l.subH != 2 && l.subH != 4 || l.subV != 1 && l.subV != 2 && l.subV != 4 {
			return nil, unsupportedError(fmt.Sprintf("YCbCrSubSampling %d,%d", l.subH, l.subV))
		}
		if (l.subH > 1 || l.subV > 1) && (l.bps != 8 || l.planar || l.spp != 3) {
			return nil, unsupportedError(fmt.Sprintf("subsampled YCbCr with BitsPerSample %d, SamplesPerPixel %d, PlanarConfiguration 2=%v", l.bps, l.spp, l.planar))
		}
	}
	switch l.compression {
	case cCCITTRLE, cCCITTT4, cCCITTT6:
		if l.bps != 1 || l.spp != 1 {
			return nil, unsupportedError(fmt.Sprintf("CCITT compression with BitsPerSample %d, SamplesPerPixel %d", l.bps, l.spp))
		}
	case cJPEG, cOldJPEG:
		if l.bps != 8 || l.format != fUint {
			return nil, unsupportedError(fmt.Sprintf("JPEG compression with BitsPerSample %d", l.bps))
		}
		if l.planar && (l.photometric == pYCbCr || l.compression == cOldJPEG) {
			return nil, unsupportedError("JPEG-compressed YCbCr with PlanarConfiguration 2")
		}
	case cWebP:
		if l.bps != 8 || l.planar || l.photometric != pRGB || l.spp != 3 && l.spp != 4 {
			return nil, unsupportedError(fmt.Sprintf("WebP compression with BitsPerSample %d, SamplesPerPixel %d, PhotometricInterpretation %d", l.bps, l.spp, l.photometric))
		}
	}
	if l.compression == cOldJPEG {
		return l, nil // one JPEG stream covers the image; strips are not used
	}
	return l, readChunks(d, l)
}

// defaultPhotometric is what libtiff assumes when PhotometricInterpretation is missing.
func defaultPhotometric(l *layout) int {
	switch {
	case l.compression == cCCITTRLE || l.compression == cCCITTT4 || l.compression == cCCITTT6:
		return pWhiteIsZero
	case l.spp >= 3:
		return pRGB
	}
	return pBlackIsZero
}

// readChunks fills the strip or tile geometry and the offsets and byte counts of l.
func readChunks(d *ifd, l *layout) error {
	offTag, countTag := uint16(tagStripOffsets), uint16(tagStripByteCounts)
	if d.has(tagTileWidth) || d.has(tagTileOffsets) {
		l.tiled = true
		offTag, countTag = tagTileOffsets, tagTileByteCounts
		tw, th := d.uint(tagTileWidth, 0), d.uint(tagTileLength, 0)
		if tw == 0 || th == 0 || tw > maxSide || th > maxSide || tw*th > maxPixels {
			return formatError(fmt.Sprintf("TileWidth x TileLength is %dx%d", tw, th))
		}
		l.chunkW, l.chunkH = int(tw), int(th)
	} else {
		rps := d.uint(tagRowsPerStrip, uint64(l.height))
		if rps == 0 || rps > uint64(l.height) {
			rps = uint64(l.height)
		}
		l.chunkW, l.chunkH = l.width, int(rps)
	}
	l.across = (l.width + l.chunkW - 1) / l.chunkW
	l.down = (l.height + l.chunkH - 1) / l.chunkH
	if l.subH > 1 || l.subV > 1 {
		if l.tiled && l.chunkW%l.subH != 0 || l.chunkH%l.subV != 0 && (l.tiled || l.down > 1) {
			return formatError(fmt.Sprintf("strip or tile size %dx%d not a multiple of YCbCrSubSampling", l.chunkW, l.chunkH))
		}
	}
	n := l.chunkCount()
	l.offsets = d.uints(offTag)
	if len(l.offsets) < n {
		return formatError(fmt.Sprintf("%s has %d entries, want %d", tagName(offTag), len(l.offsets), n))
	}
	l.counts = d.uints(countTag)
	if len(l.counts) < n {
		if len(l.counts) == 0 && n == 1 && l.compression == cNone {
			l.counts = []uint64{uint64(l.chunkBytes(l.chunkW, l.chunkH))}
		} else {
			return formatError(fmt.Sprintf("%s has %d entries, want %d", tagName(countTag), len(l.counts), n))
		}
	}
	return l.checkSizes(n)
}

// maxRatio bounds how many bytes one byte of data can decompress to, for the
// compressions where that is bounded; 0 when it is not.
func maxRatio(compression int) uint64 {
	switch compression {
	case cNone:
		return 1
	case cPackBits:
		return 64 // 2 bytes repeat one 128 times
	case cDeflate, cDeflateOld:
		return 1032
	case cLZW:
		return 4096 // a 9- to 12-bit code stands for at most 4096 bytes
	}
	return 0
}

// checkSizes checks the strips or tiles lie in the file, and, where the
// compression bounds its ratio, that they can hold the image, before the
// image is allocated. Offsets past the end are reported when decoding reaches them.
func (l *layout) checkSizes(n int) error {
	ratio := maxRatio(l.compression)
	if ratio == 0 {
		return nil
	}
	for i := 0; i < n; i++ {
		if l.ignoredPlane(i / (l.across * l.down)) {
			continue
		}
		w, h := l.chunkW, l.chunkH
		if !l.tiled {
			h = min(h, l.height-i%l.down*l.chunkH)
		}
		if need := uint64(l.chunkBytes(w, h)); l.counts[i] < (need+ratio-1)/ratio {
			what := "strip"
			if l.tiled {
				what = "tile"
			}
			return formatError(fmt.Sprintf("%s %d has %d bytes, too few for %d bytes of samples", what, i, l.counts[i], need))
		}
	}
	return nil
}

// ignoredPlane reports whether plane p of a planar image holds extra samples
// that are not alpha, which decoding skips (their data may even be missing).
func (l *layout) ignoredPlane(p int) bool {
	return l.planar && p >= l.colors && p != l.alpha
}

// samplesPerChunkPixel is the number of samples one pixel has in one strip or tile.
func (l *layout) samplesPerChunkPixel() int {
	if l.planar {
		return 1
	}
	return l.spp
}

// rowBytes is the size of one decompressed row of w pixels of a strip or tile.
func (l *layout) rowBytes(w int) int {
	return (w*l.samplesPerChunkPixel()*l.bps + 7) / 8
}

// chunkBytes is the decompressed size of a w x h strip or tile.
func (l *layout) chunkBytes(w, h int) int {
	if l.subH > 1 || l.subV > 1 {
		blocks := ((w + l.subH - 1) / l.subH) * ((h + l.subV - 1) / l.subV)
		return blocks * (l.subH*l.subV + 2)
	}
	return l.rowBytes(w) * h
}
