package heif

import (
	"context"
	"encoding/binary"
	"fmt"
	"image"
)

// DecodeAVIF decodes the first picture of the AVIF file data with the
// Default engine. See Engine.DecodeAVIF.
func DecodeAVIF(ctx context.Context, data []byte) (image.Image, error) {
	return Default().DecodeAVIF(ctx, data)
}

// DecodeAVIF decodes the first picture of the AVIF file data with libavif,
// converted to RGB by libavif with its alpha premultiplied: an
// *image.RGBA, or an *image.RGBA64 for more than 8 bits per sample. No
// transform (clap, irot, imir) is applied. The image does not share memory
// with the decoder.
func (e *Engine) DecodeAVIF(ctx context.Context, data []byte) (image.Image, error) {
	return e.avif.decode(ctx, data, (*instance).decodeAVIF)
}

// decodeAVIF decodes data in the instance with lib/decode.c's decode; see
// decodeHEIC for reusable.
func (in *instance) decodeAVIF(ctx context.Context, data []byte) (img image.Image, reusable bool, err error) {
	mem := in.mod.Memory()
	src, err := in.copyIn(ctx, data)
	if err != nil {
		return nil, false, err
	}
	// width, height, depth, count, then the first picture's duration.
	fields, err := in.alloc(ctx, 4*4+8)
	if err != nil {
		return nil, false, err
	}
	call := func(configOnly, out uint32) (ok bool, err error) {
		res, err := in.decode.Call(ctx, uint64(src), uint64(len(data)), uint64(configOnly), 0,
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
	width, height, depth := read(0), read(1), read(2)
	if width < 1 || height < 1 {
		return nil, in.release(ctx, src, fields) == nil, fmt.Errorf("the decoder reports a %dx%d picture", width, height)
	}
	// libavif's RGB rows are packed: avifRGBImageAllocatePixels makes
	// rowBytes width × channels × bytes per channel.
	pixel := 4
	if depth > 8 {
		pixel = 8
	}
	size := int64(width) * int64(height) * int64(pixel)
	if size+guardSize > 1<<31 {
		return nil, in.release(ctx, src, fields) == nil, fmt.Errorf("a %dx%d picture is too large for the WebAssembly decoder", width, height)
	}
	out, err := in.alloc(ctx, int(size)+guardSize)
	if err != nil {
		return nil, false, err
	}
	seed := byte(sentinelSeed.Add(1))
	check, _ := mem.Read(out+uint32(size), guardSize)
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
	check, _ = mem.Read(out+uint32(size), guardSize)
	if !writtenUpTo(check, 0, seed) {
		return nil, false, fmt.Errorf("the decoder wrote past the %dx%d picture", width, height)
	}
	pix, _ := mem.Read(out, uint32(size))
	r := image.Rect(0, 0, width, height)
	if depth > 8 {
		m := image.NewRGBA64(r)
		for i := 0; i < len(pix); i += 2 {
			binary.BigEndian.PutUint16(m.Pix[i:], binary.LittleEndian.Uint16(pix[i:]))
		}
		img = m
	} else {
		img = &image.RGBA{Pix: append([]byte(nil), pix...), Stride: 4 * width, Rect: r}
	}
	if err := in.release(ctx, src, fields, out); err != nil {
		return nil, false, err
	}
	return img, true, nil
}
