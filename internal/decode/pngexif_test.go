package decode

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"image/png"
	"testing"
)

// withPNGChunkBeforeIEND appends a chunk after the image data.
func withPNGChunkBeforeIEND(b []byte, typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	iend := len(b) - 12
	out := append([]byte{}, b[:iend]...)
	out = append(out, c...)
	return append(out, b[iend:]...)
}

// imageMagickRawEXIF is a tEXt chunk as ImageMagick writes EXIF into PNG:
// "Raw profile type exif", then the hex of "Exif\0\0" and the TIFF structure.
func imageMagickRawEXIF(tiff []byte) []byte {
	payload := append([]byte("Exif\x00\x00"), tiff...)
	return fmt.Appendf(nil, "Raw profile type exif\x00\nexif\n%8d\n%s\n", len(payload), hex.EncodeToString(payload))
}

// TestPNGOrientationPlacement: only an eXIf chunk before the image data
// orients a PNG. The PNG specification (3rd edition) lets decoders ignore
// an eXIf after IDAT, and browsers do (web-platform-tests
// css/css-images/image-orientation/image-orientation-exif-png-2.html);
// EXIF hex-encoded in a text chunk, an ImageMagick convention, is text.
func TestPNGOrientationPlacement(t *testing.T) {
	plain := enc(t, func(b *bytes.Buffer) error { return png.Encode(b, photo(16, 8)) })
	exif := exifTIFF(6, true)
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"eXIf before IDAT", withPNGChunk(plain, "eXIf", exif), 6},
		{"eXIf after IDAT", withPNGChunkBeforeIEND(plain, "eXIf", exif), 1},
		{"ImageMagick raw profile in tEXt", withPNGChunk(plain, "tEXt", imageMagickRawEXIF(exif)), 1},
		{"image-png F-exif-chunk-early.png", readFile(t, "conformance/F-exif-chunk-early.png"), 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if h.Orientation != tt.want {
				t.Errorf("Orientation = %d, want %d", h.Orientation, tt.want)
			}
			if _, err := Decode(context.Background(), tt.data, h, 1); err != nil {
				t.Errorf("Decode: %v", err)
			}
		})
	}
}
