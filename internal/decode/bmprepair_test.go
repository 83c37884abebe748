package decode

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color/palette"
	"image/draw"
	"math"
	"testing"

	"golang.org/x/image/bmp"
)

// withBMPGap inserts n bytes between the header (and colour table) and the
// pixel data of a BMP stream, and sets its pixel data offset to match.
func withBMPGap(b []byte, n int) []byte {
	offset := binary.LittleEndian.Uint32(b[10:])
	out := append([]byte{}, b[:offset]...)
	out = append(out, bytes.Repeat([]byte{0xAB}, n)...)
	out = append(out, b[offset:]...)
	binary.LittleEndian.PutUint32(out[2:], uint32(len(out)))
	binary.LittleEndian.PutUint32(out[10:], offset+uint32(n))
	return out
}

func TestBMPGapBeforePixels(t *testing.T) {
	pic := photo(13, 7)
	pal := image.NewPaletted(pic.Bounds(), palette.WebSafe)
	draw.Draw(pal, pal.Bounds(), pic, image.Point{}, draw.Src)
	rgb := enc(t, func(b *bytes.Buffer) error { return bmp.Encode(b, pic) })
	indexed := enc(t, func(b *bytes.Buffer) error { return bmp.Encode(b, pal) })
	tests := []struct {
		name string
		data []byte
		want image.Image
	}{
		{"24-bit, no gap", rgb, pic},
		{"24-bit, 12-byte gap", withBMPGap(rgb, 12), pic},
		{"8-bit palette, 3-byte gap", withBMPGap(indexed, 3), pal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.data)
			if err != nil {
				t.Fatalf("ReadHeader: %v", err)
			}
			if h.Width != 13 || h.Height != 7 {
				t.Fatalf("header %dx%d, want 13x7", h.Width, h.Height)
			}
			img, err := Decode(tt.data, h, 1)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if p := psnr(t, tt.want, img); !math.IsInf(p, 1) {
				t.Errorf("pixels differ from the encoded ones: PSNR %.1f dB", p)
			}
		})
	}
}

func TestRepairBMPLeavesOtherStreamsAlone(t *testing.T) {
	rgb := enc(t, func(b *bytes.Buffer) error { return bmp.Encode(b, photo(4, 4)) })
	beyond := bytes.Clone(rgb)
	binary.LittleEndian.PutUint32(beyond[10:], uint32(len(rgb)+1))
	for name, b := range map[string][]byte{"no gap": rgb, "offset beyond the end": beyond, "short": rgb[:20]} {
		if got := repairBMP(b); !bytes.Equal(got, b) {
			t.Errorf("%s: repairBMP changed the stream", name)
		}
	}
}
