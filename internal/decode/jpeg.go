package decode

import (
	"context"
	"image"

	"github.com/thumbs-dev/thumbs/internal/jpeg"
)

// decodeJPEG decodes a JPEG file at 1/shrink of its size (shrink being 1,
// 2, 4 or 8), in the DCT domain where the file allows it.
func decodeJPEG(ctx context.Context, data []byte, shrink int) (image.Image, error) {
	return jpeg.Decode(ctx, data, shrink)
}
