package png

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"iter"
)

// Signature is the 8 bytes every PNG stream starts with.
const Signature = "\x89PNG\r\n\x1a\n"

// Chunk is one complete chunk of a PNG stream b: b[Start:End] holds its
// length, type, data and CRC.
type Chunk struct {
	Start, End int
	Kind       string
	Data       []byte
	crc        uint32
}

// Ancillary reports whether c may be ignored by a decoder that does not
// know it: the first letter of its type is lower case (iCCP, tRNS, tEXt).
func (c Chunk) Ancillary() bool { return c.Kind[0]&0x20 != 0 }

// CRCOK reports whether c's CRC matches its type and data.
func (c Chunk) CRCOK() bool {
	h := crc32.Update(0, crc32.IEEETable, []byte(c.Kind))
	return crc32.Update(h, crc32.IEEETable, c.Data) == c.crc
}

// Chunks yields, in file order, the complete chunks of the PNG stream b
// that follow its signature, up to and including IEND. It stops before a
// chunk that is cut short; it does not check CRCs or the signature.
func Chunks(b []byte) iter.Seq[Chunk] {
	return func(yield func(Chunk) bool) {
		for i := len(Signature); i+12 <= len(b); {
			end := int64(i) + 12 + int64(binary.BigEndian.Uint32(b[i:]))
			if end > int64(len(b)) {
				return
			}
			c := Chunk{Start: i, End: int(end), Kind: string(b[i+4 : i+8]), Data: b[i+8 : end-4], crc: binary.BigEndian.Uint32(b[end-4:])}
			if !yield(c) || c.Kind == "IEND" {
				return
			}
			i = int(end)
		}
	}
}

// BadAncillary returns, in file order, the ancillary chunks of b up to
// IEND whose CRC is bad: libpng, and so Decode and the decoders that
// repair a stream with WithoutChunks, ignore them. Critical chunks with a
// bad CRC are not returned, so that decoding them still fails.
func BadAncillary(b []byte) []Chunk {
	var bad []Chunk
	for c := range Chunks(b) {
		if c.Ancillary() && !c.CRCOK() {
			bad = append(bad, c)
		}
	}
	return bad
}

// Warnings describes each of the chunks bad, which a decoder ignores, in
// one line.
func Warnings(bad []Chunk) []string {
	if len(bad) == 0 {
		return nil
	}
	w := make([]string, len(bad))
	for i, c := range bad {
		w[i] = fmt.Sprintf("png: %q chunk at byte %d has a bad CRC; ignored", c.Kind, c.Start)
	}
	return w
}

// WithoutChunks returns b without the chunks drop, which are in file order
// and do not overlap; b itself when drop is empty.
func WithoutChunks(b []byte, drop []Chunk) []byte {
	if len(drop) == 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	at := 0
	for _, c := range drop {
		out = append(out, b[at:c.Start]...)
		at = c.End
	}
	return append(out, b[at:]...)
}
