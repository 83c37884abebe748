package decode

import (
	"image"

	"github.com/thumbs-dev/thumbs/internal/jpeg"
)

// decodeJPEG decodes a JPEG file at 1/shrink of its size (shrink being 1,
// 2, 4 or 8), in the DCT domain where the file allows it.
func decodeJPEG(data []byte, shrink int) (image.Image, error) {
	return jpeg.Decode(data, shrink)
}
