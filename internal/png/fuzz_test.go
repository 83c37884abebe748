package png

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image/png"
	"math"
	"testing"
)

// FuzzDecodeShrunk checks DecodeShrunk against image/png on any input
// (with ancillary chunks of bad CRC dropped first, as thumbs does before
// image/png): each succeeds where the other does (but for interlaced
// streams, which DecodeShrunk leaves alone), and the planes are the block
// means of image/png's picture to within a level.
func FuzzDecodeShrunk(f *testing.F) {
	for i, tt := range cases() {
		if i%3 == 0 {
			f.Add(tt.s.encode(), uint8(i)|0x80)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, factor uint8) {
		if len(data) >= 24 && uint64(binary.BigEndian.Uint32(data[16:]))*uint64(binary.BigEndian.Uint32(data[20:])) > 1<<20 {
			return // image/png would allocate the whole picture
		}
		k := int(factor%9) + 1
		if factor&0x80 != 0 {
			data = withGoodCRCs(data) // past the CRCs, to the pixels
		}
		p, err := DecodeShrunk(context.Background(), data, k)
		img, stdErr := png.Decode(bytes.NewReader(WithoutChunks(data, BadAncillary(data))))
		switch {
		case err == nil && stdErr != nil:
			t.Fatalf("DecodeShrunk succeeded where image/png fails: %v", stdErr)
		case err != nil && stdErr == nil && !errors.Is(err, ErrUnsupported):
			t.Fatalf("DecodeShrunk fails where image/png succeeds: %v", err)
		case err != nil:
			return
		}
		colour, premultiplied, alpha, opaque, w, h := reference(img, k)
		if p.Width != w || p.Height != h || opaque != (p.Alpha == nil) {
			t.Fatalf("planes %dx%d (alpha %v), want %dx%d (opaque %v)", p.Width, p.Height, p.Alpha != nil, w, h, opaque)
		}
		for i := range w * h {
			for c := range 3 {
				var got, want float64
				if opaque {
					got, want = float64(p.Colour[min(c, len(p.Colour)-1)][i]), colour[c][i]
				} else {
					got, want = float64(p.Premultiplied[c][i]), premultiplied[c][i]
				}
				if math.Abs(got-want) > 1 {
					t.Fatalf("sample %d of plane %d is %v, want %.2f", i, c, got, want)
				}
			}
			if !opaque && math.Abs(float64(p.Alpha[i])-alpha[i]) > 1 {
				t.Fatalf("alpha %d is %d, want %.2f", i, p.Alpha[i], alpha[i])
			}
		}
	})
}

// withGoodCRCs returns a copy of the PNG stream b with the CRC of every
// complete chunk made right.
func withGoodCRCs(b []byte) []byte {
	out := bytes.Clone(b)
	for c := range Chunks(out) {
		binary.BigEndian.PutUint32(out[c.End-4:], crc32.ChecksumIEEE(out[c.Start+4:c.End-4]))
	}
	return out
}
