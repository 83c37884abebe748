package decode

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
)

// pngChunk is where one complete chunk lies in a PNG stream: b[start:end]
// holds its length, type, data and CRC.
type pngChunk struct {
	start, end int
	kind       string
}

// pngSignatureLen is the length of the 8-byte PNG signature.
const pngSignatureLen = 8

// pngBadAncillary returns, in file order, the complete chunks of the PNG
// stream b up to IEND whose CRC does not match their type and data and
// whose type is ancillary (its first letter is lower case: iCCP, cLLI,
// tEXt, ...). A truncated last chunk is not looked at; critical chunks with
// a bad CRC are not returned, so that decoding them still fails.
func pngBadAncillary(b []byte) []pngChunk {
	var bad []pngChunk
	for i := pngSignatureLen; i+12 <= len(b); {
		n := int64(binary.BigEndian.Uint32(b[i:]))
		end := int64(i) + 12 + n
		if end > int64(len(b)) {
			break
		}
		kind := b[i+4 : i+8]
		body := b[i+4 : end-4]
		ancillary := kind[0]&0x20 != 0
		if ancillary && crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(b[end-4:]) {
			bad = append(bad, pngChunk{start: i, end: int(end), kind: string(kind)})
		}
		if string(kind) == "IEND" {
			break
		}
		i = int(end)
	}
	return bad
}

// pngWarnings describes each of the chunks that decodePNG drops, as
// Header.Warnings does.
func pngWarnings(bad []pngChunk) []string {
	if len(bad) == 0 {
		return nil
	}
	w := make([]string, len(bad))
	for i, c := range bad {
		w[i] = fmt.Sprintf("png: %q chunk at byte %d has a bad CRC; ignored", c.kind, c.start)
	}
	return w
}

// withoutChunks returns b without the chunks drop, which are in file
// order and do not overlap; b itself when drop is empty.
func withoutChunks(b []byte, drop []pngChunk) []byte {
	if len(drop) == 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	at := 0
	for _, c := range drop {
		out = append(out, b[at:c.start]...)
		at = c.end
	}
	return append(out, b[at:]...)
}

// decodePNG decodes the PNG stream data as libpng does by default: an
// ancillary chunk whose CRC is bad is dropped (ReadHeader lists it in
// Header.Warnings), and a critical chunk whose CRC is bad fails.
func decodePNG(data []byte) (image.Image, error) {
	return png.Decode(bytes.NewReader(withoutChunks(data, pngBadAncillary(data))))
}
