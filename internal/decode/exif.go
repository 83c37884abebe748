package decode

import (
	"encoding/binary"
	"errors"
)

// TIFF/EXIF tag numbers read from IFD0.
const (
	tagWidth         = 256
	tagHeight        = 257
	tagOrientation   = 274
	tagBitsPerSample = 258
	tagICC           = 34675
)

// ifd0 holds the IFD0 values this package cares about; zero when absent.
type ifd0 struct {
	width, height int
	orientation   int
	bits          int // bits per sample
	icc           []byte
}

var errTIFF = errors.New("malformed TIFF structure")

// parseIFD0 reads IFD0 of a TIFF structure (a TIFF file or an EXIF payload after "Exif\0\0").
func parseIFD0(b []byte) (ifd0, error) {
	var out ifd0
	if len(b) < 8 {
		return out, errTIFF
	}
	var bo binary.ByteOrder
	switch string(b[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return out, errTIFF
	}
	off := int64(bo.Uint32(b[4:8]))
	if off < 8 || off+2 > int64(len(b)) {
		return out, errTIFF
	}
	n := int64(bo.Uint16(b[off:]))
	if off+2+12*n > int64(len(b)) {
		return out, errTIFF
	}
	for i := int64(0); i < n; i++ {
		e := b[off+2+12*i : off+14+12*i]
		tag, typ, count := bo.Uint16(e), bo.Uint16(e[2:]), bo.Uint32(e[4:])
		var v int
		switch {
		case typ == 3 && count >= 1: // SHORT
			v = int(bo.Uint16(e[8:]))
		case typ == 4 && count >= 1: // LONG
			v = int(bo.Uint32(e[8:]))
		}
		switch tag {
		case tagWidth:
			out.width = v
		case tagHeight:
			out.height = v
		case tagOrientation:
			out.orientation = v
		case tagBitsPerSample:
			if typ == 3 && count > 2 {
				if p := int64(bo.Uint32(e[8:])); p+2 <= int64(len(b)) {
					v = int(bo.Uint16(b[p:]))
				}
			}
			out.bits = v
		case tagICC:
			if (typ == 7 || typ == 1) && count > 4 {
				p := int64(bo.Uint32(e[8:]))
				if p+int64(count) <= int64(len(b)) {
					out.icc = b[p : p+int64(count) : p+int64(count)]
				}
			}
		}
	}
	return out, nil
}

// exifOrientation returns the orientation in an EXIF payload, which may start with "Exif\0\0";
// 1 when absent or invalid.
func exifOrientation(b []byte) int {
	if len(b) >= 6 && string(b[:6]) == "Exif\x00\x00" {
		b = b[6:]
	}
	d, err := parseIFD0(b)
	if err != nil || d.orientation < 1 || d.orientation > 8 {
		return 1
	}
	return d.orientation
}
