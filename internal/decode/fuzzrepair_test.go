package decode

import (
	"bytes"
	"image/png"
	"testing"

	pngchunks "github.com/thumbs-dev/thumbs/internal/png"
)

// FuzzRepairs runs the stream repairs on any input, outside the panic
// recovery of ReadHeader and Decode, so that a slip in them shows as a
// crash instead of an odd error.
func FuzzRepairs(f *testing.F) {
	for _, name := range []string{"oob.gif", "issue_1455_oversized.gif", "no_palette.gif", "issue_2811.gif", "cicp_pq.png"} {
		f.Add(readFile(f, "conformance/"+name))
	}
	f.Add(sps(true, false))
	f.Add(enc(f, func(b *bytes.Buffer) error { return png.Encode(b, photo(5, 3)) }))
	f.Fuzz(func(t *testing.T, data []byte) {
		repairGIF(data)
		pngchunks.WithoutChunks(data, pngchunks.BadAncillary(data))
		heicBrand(data)
		heicForLibheif(data)
		heicLimitedRange(data)
		spsFullRange(data)
		hevcFullRange(data)
		if len(data) > 0 {
			decodeGIFLZW(data[1:], uint(data[0]%12), 1000)
		}
	})
}
