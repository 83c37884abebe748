package heif

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync/atomic"
)

// The values of libheif's heif_colorspace and heif_chroma that the decode
// function of gen2brain/heic's lib/heif.c reports.
const (
	colorspaceYCbCr      = 0
	colorspaceRGB        = 1
	colorspaceMonochrome = 2

	chromaMonochrome = 0
	chroma420        = 1
	chroma422        = 2
	chroma444        = 3
	chromaRGBA       = 11
)

// A plane is where one plane of a decoded picture lies in the output
// buffer of the decode function.
type plane struct {
	offset, stride, rows int
}

// libheifStride returns the bytes per row that libheif 1.18 gives a plane
// width samples wide of bytesPerPixel bytes (HeifPixelImage::ImagePlane::
// alloc): the width rounded up to even and to at least 64, times the
// pixel size, rounded up to a multiple of 16.
func libheifStride(width, bytesPerPixel int) int {
	w := (width + 1) &^ 1
	w = max(w, 64)
	return (w*bytesPerPixel + 15) &^ 15
}

// heicPlanes returns where lib/heif.c's decode writes the planes of a
// width×height picture of the given colorspace and chroma: it copies each
// of libheif's planes whole, rows with their padding, one after the other
// (Y, Cb, Cr), and the size of all of them.
func heicPlanes(width, height int, colorspace, chroma uint32) (planes []plane, size int, err error) {
	switch colorspace {
	case colorspaceYCbCr:
		cw, ch := width, height
		switch chroma {
		case chromaMonochrome:
			// libheif's choice for a monochrome HEVC picture: only the Y
			// plane is written.
			y := plane{0, libheifStride(width, 1), height}
			return []plane{y}, y.stride * height, nil
		case chroma420:
			cw, ch = (width+1)/2, (height+1)/2
		case chroma422:
			cw = (width + 1) / 2
		case chroma444:
		default:
			return nil, 0, fmt.Errorf("unsupported chroma format %d", chroma)
		}
		y := plane{0, libheifStride(width, 1), height}
		cb := plane{y.stride * height, libheifStride(cw, 1), ch}
		cr := plane{cb.offset + cb.stride*ch, cb.stride, ch}
		return []plane{y, cb, cr}, cr.offset + cr.stride*ch, nil
	case colorspaceMonochrome:
		y := plane{0, libheifStride(width, 1), height}
		return []plane{y}, y.stride * height, nil
	case colorspaceRGB:
		if chroma != chromaRGBA {
			return nil, 0, fmt.Errorf("unsupported RGB chroma format %d", chroma)
		}
		p := plane{0, libheifStride(width, 4), height}
		return []plane{p}, p.stride * height, nil
	}
	return nil, 0, fmt.Errorf("unsupported colorspace %d", colorspace)
}

// guardSize is the number of bytes after the planes that must be left
// untouched by the decode, and tailSize how many at their end must be
// written: together they check that libheif's strides are the ones
// heicPlanes expects.
const (
	guardSize = 256
	tailSize  = 16
)

// sentinelSeed varies the fill of the check bytes from one decode to the
// next, so that stale fill left in a reused instance's memory cannot pass
// for it.
var sentinelSeed atomic.Uint32

// ErrDecode is the error of a file that the decoder itself refuses.
var ErrDecode = errors.New("the decoder cannot read it")

// DecodeHEIC decodes the primary image of the HEIC file data with the
// Default engine. See Engine.DecodeHEIC.
func DecodeHEIC(ctx context.Context, data []byte) (image.Image, error) {
	return Default().DecodeHEIC(ctx, data)
}

// DecodeHEIC decodes the primary image of the HEIC file data with libheif,
// whose transforms (clap, irot, imir) apply, and returns an *image.YCbCr
// of libheif's samples as they are (limited-range samples stay limited), an
// *image.Gray, or for pictures with alpha an *image.NRGBA or *image.RGBA.
// The image does not share memory with the decoder. libheif must call the
// file HEIC by its major brand (heic or heix).
func (e *Engine) DecodeHEIC(ctx context.Context, data []byte) (image.Image, error) {
	return e.heic.decode(ctx, data, (*instance).decodeHEIC)
}

// decodeHEIC decodes data in the instance; reusable reports whether every
// call into the instance returned, so that it may decode again.
func (in *instance) decodeHEIC(ctx context.Context, data []byte) (img image.Image, reusable bool, err error) {
	mem := in.mod.Memory()
	src, err := in.copyIn(ctx, data)
	if err != nil {
		return nil, false, err
	}
	fields, err := in.alloc(ctx, 5*4)
	if err != nil {
		return nil, false, err
	}
	call := func(configOnly, out uint32) (ok bool, err error) {
		res, err := in.decode.Call(ctx, uint64(src), uint64(len(data)), uint64(configOnly),
			uint64(fields), uint64(fields+4), uint64(fields+8), uint64(fields+12), uint64(fields+16), uint64(out))
		if err != nil {
			return false, err
		}
		return res[0] != 0, nil
	}
	read := func(i uint32) int {
		v, _ := mem.ReadUint32Le(fields + 4*i)
		return int(v)
	}
	ok, err := call(1, 0)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, in.release(ctx, src, fields) == nil, ErrDecode
	}
	width, height := read(0), read(1)
	colorspace, chroma, premultiplied := uint32(read(2)), uint32(read(3)), read(4) != 0
	if width < 1 || height < 1 {
		return nil, in.release(ctx, src, fields) == nil, fmt.Errorf("the decoder reports a %dx%d picture", width, height)
	}
	planes, size, err := heicPlanes(width, height, colorspace, chroma)
	if err != nil {
		return nil, in.release(ctx, src, fields) == nil, err
	}
	if int64(size)+guardSize > 1<<31 {
		return nil, in.release(ctx, src, fields) == nil, fmt.Errorf("a %dx%d picture is too large for the WebAssembly decoder", width, height)
	}
	out, err := in.alloc(ctx, size+guardSize)
	if err != nil {
		return nil, false, err
	}
	seed := byte(sentinelSeed.Add(1))
	check, _ := mem.Read(out+uint32(size-tailSize), tailSize+guardSize)
	fillSentinel(check, seed)
	ok, err = call(0, out)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, in.release(ctx, src, fields, out) == nil, ErrDecode
	}
	if w, h := read(0), read(1); w != width || h != height {
		return nil, in.release(ctx, src, fields, out) == nil, fmt.Errorf("the decoder gave %dx%d, having said %dx%d", w, h, width, height)
	}
	check, _ = mem.Read(out+uint32(size-tailSize), tailSize+guardSize)
	if !writtenUpTo(check, tailSize, seed) {
		// Freed memory is not reused: the decoder overran the buffer.
		return nil, false, fmt.Errorf("the decoder's plane layout is not libheif 1.18's for %dx%d (colorspace %d, chroma %d)", width, height, colorspace, chroma)
	}
	pix, _ := mem.Read(out, uint32(size))
	pix = append([]byte(nil), pix...)
	if err := in.release(ctx, src, fields, out); err != nil {
		return nil, false, err
	}
	return heicImage(pix, planes, width, height, colorspace, chroma, premultiplied), true, nil
}

// fillSentinel fills b with a pattern that follows from seed.
func fillSentinel(b []byte, seed byte) {
	for i := range b {
		b[i] = seed + byte(i)*151
	}
}

// writtenUpTo reports whether the decode wrote over the pattern of
// fillSentinel in b up to n and left it after n: not every byte of its
// first n, which would be the chance of one in 256 per byte, and none
// after.
func writtenUpTo(b []byte, n int, seed byte) bool {
	untouched := 0
	for i := range b {
		same := b[i] == seed+byte(i)*151
		switch {
		case i >= n && !same:
			return false
		case i < n && same:
			untouched++
		}
	}
	return n == 0 || untouched < n
}

// heicImage wraps the decoded planes pix in an image.Image.
func heicImage(pix []byte, planes []plane, width, height int, colorspace, chroma uint32, premultiplied bool) image.Image {
	r := image.Rect(0, 0, width, height)
	bytesOf := func(p plane) []byte { return pix[p.offset : p.offset+p.stride*p.rows : p.offset+p.stride*p.rows] }
	switch {
	case len(planes) == 1 && colorspace != colorspaceRGB:
		return &image.Gray{Pix: bytesOf(planes[0]), Stride: planes[0].stride, Rect: r}
	case colorspace == colorspaceRGB:
		if premultiplied {
			return &image.RGBA{Pix: bytesOf(planes[0]), Stride: planes[0].stride, Rect: r}
		}
		return &image.NRGBA{Pix: bytesOf(planes[0]), Stride: planes[0].stride, Rect: r}
	}
	ratio := image.YCbCrSubsampleRatio444
	switch chroma {
	case chroma420:
		ratio = image.YCbCrSubsampleRatio420
	case chroma422:
		ratio = image.YCbCrSubsampleRatio422
	}
	return &image.YCbCr{
		Y: bytesOf(planes[0]), Cb: bytesOf(planes[1]), Cr: bytesOf(planes[2]),
		YStride: planes[0].stride, CStride: planes[1].stride,
		SubsampleRatio: ratio, Rect: r,
	}
}
