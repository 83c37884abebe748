package decode

import (
	"bytes"
	"image"
	imagepng "image/png"

	"github.com/thumbs-dev/thumbs/internal/png"
)

// decodePNG decodes the PNG stream data as libpng does by default: an
// ancillary chunk whose CRC is bad is dropped (ReadHeader lists it in
// Header.Warnings), and a critical chunk whose CRC is bad fails.
func decodePNG(data []byte) (image.Image, error) {
	return imagepng.Decode(bytes.NewReader(png.WithoutChunks(data, png.BadAncillary(data))))
}
