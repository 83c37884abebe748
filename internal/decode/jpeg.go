package decode

import (
	"bytes"
	"image"
	"image/jpeg"
)

// decodeJPEG decodes a JPEG file. It may reduce the size by shrink (1, 2, 4 or 8) but
// currently always decodes at full size.
func decodeJPEG(data []byte, shrink int) (image.Image, error) {
	_ = shrink
	return jpeg.Decode(bytes.NewReader(data))
}
