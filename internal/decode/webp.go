package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"

	gwebp "github.com/gen2brain/webp"
	"github.com/thumbs-dev/thumbs/internal/vp8"
	"golang.org/x/image/webp"
)

// decodeWebP decodes the first frame of a WebP file. A lossy picture
// without alpha goes to internal/vp8; anything that decoder does not
// support, and every other kind of WebP, to golang.org/x/image/webp, or
// to github.com/gen2brain/webp when animated.
func decodeWebP(data []byte) (image.Image, error) {
	if webpAnimated(data) {
		return gwebp.Decode(bytes.NewReader(data))
	}
	if frame, ok := opaqueVP8(data); ok {
		img, err := vp8.Decode(frame)
		if !errors.Is(err, vp8.ErrUnsupported) {
			return img, err
		}
	}
	return webp.Decode(bytes.NewReader(data))
}

// opaqueVP8 returns the VP8 frame of a still, lossy WebP without alpha:
// the payload of its "VP8 " chunk, which must be complete. It reports
// false for lossless, animated and alpha pictures.
func opaqueVP8(b []byte) ([]byte, bool) {
	if len(b) < 20 {
		return nil, false
	}
	switch string(b[12:16]) {
	case "VP8 ":
		n := int64(binary.LittleEndian.Uint32(b[16:]))
		if 20+n > int64(len(b)) {
			return nil, false
		}
		return b[20 : 20+n], true
	case "VP8X":
		var frame []byte
		for _, ch := range riffChunks(b) {
			switch ch.id {
			case "ALPH", "ANIM", "ANMF", "VP8L":
				return nil, false
			case "VP8 ":
				if frame == nil {
					frame = ch.data
				}
			}
		}
		return frame, frame != nil
	}
	return nil, false
}
