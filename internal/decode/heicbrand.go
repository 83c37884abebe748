package decode

import (
	"bytes"
	"encoding/binary"
)

// withHEICMajorBrand returns the HEIF file data with its ftyp box's major
// brand set to "heic", or data itself when it already is "heic" or "heix"
// or the file has no ftyp box. The libheif inside github.com/gen2brain/heic
// refuses any file whose major brand libheif's heif_check_filetype does not
// call supported: every file branded "mif1" (a plain HEIF image, the brand
// Nokia's and many cameras' files carry, with "heic" among the compatible
// brands) failed with "decode failed", although libheif reads it. ReadHeader
// has already judged the file HEIC by its brands.
func withHEICMajorBrand(data []byte) []byte {
	if len(data) < 12 || string(data[4:8]) != "ftyp" || binary.BigEndian.Uint32(data) < 12 {
		return data
	}
	switch string(data[8:12]) {
	case "heic", "heix":
		return data
	}
	out := bytes.Clone(data)
	copy(out[8:12], "heic")
	return out
}
