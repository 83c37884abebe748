package decode

import "encoding/binary"

// repairBMP returns the BMP stream b with its pixel data moved up to right
// after the header and colour table, as golang.org/x/image/bmp requires:
// the bytes between (some writers repeat the three colour masks after a
// BITMAPV5HEADER, as in the PngSuite's BMP set, whose pixels start 12 bytes
// late) are dropped, and the pixel data offset and file size are set to
// match. Readers that follow the offset, as
// browsers, libvips and ImageMagick do, see the same picture. It returns b
// itself when there is no gap or the header is not one x/image/bmp reads.
func repairBMP(b []byte) []byte {
	const fileHeaderLen = 14
	if len(b) < fileHeaderLen+40 || string(b[:2]) != "BM" {
		return b
	}
	offset := int64(binary.LittleEndian.Uint32(b[10:]))
	infoLen := int64(binary.LittleEndian.Uint32(b[14:]))
	if infoLen != 40 && infoLen != 108 && infoLen != 124 {
		return b
	}
	want := fileHeaderLen + infoLen
	if bpp := binary.LittleEndian.Uint16(b[28:]); bpp <= 8 {
		colours := int64(binary.LittleEndian.Uint32(b[46:]))
		if colours == 0 {
			colours = 1 << bpp
		}
		if colours > 1<<bpp {
			return b
		}
		want += 4 * colours
	}
	if offset <= want || offset > int64(len(b)) {
		return b
	}
	out := make([]byte, 0, int64(len(b))-(offset-want))
	out = append(out, b[:want]...)
	out = append(out, b[offset:]...)
	binary.LittleEndian.PutUint32(out[2:], uint32(len(out)))
	binary.LittleEndian.PutUint32(out[10:], uint32(want))
	return out
}
