package tiff

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Tag numbers (TIFF 6.0 and the extensions this package reads).
const (
	tagNewSubfileType    = 254
	tagWidth             = 256
	tagHeight            = 257
	tagBitsPerSample     = 258
	tagCompression       = 259
	tagPhotometric       = 262
	tagFillOrder         = 266
	tagStripOffsets      = 273
	tagOrientation       = 274
	tagSamplesPerPixel   = 277
	tagRowsPerStrip      = 278
	tagStripByteCounts   = 279
	tagPlanarConfig      = 284
	tagT4Options         = 292
	tagT6Options         = 293
	tagPredictor         = 317
	tagColorMap          = 320
	tagTileWidth         = 322
	tagTileLength        = 323
	tagTileOffsets       = 324
	tagTileByteCounts    = 325
	tagInkSet            = 332
	tagExtraSamples      = 338
	tagSampleFormat      = 339
	tagJPEGTables        = 347
	tagJPEGProc          = 512
	tagJPEGIFOffset      = 513
	tagJPEGIFLength      = 514
	tagYCbCrCoefficients = 529
	tagYCbCrSubSampling  = 530
	tagYCbCrPositioning  = 531
	tagReferenceBW       = 532
	tagICC               = 34675
)

// Field types (TIFF 6.0 section 2, BigTIFF).
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeLong      = 4
	typeRational  = 5
	typeSByte     = 6
	typeUndefined = 7
	typeSShort    = 8
	typeSLong     = 9
	typeSRational = 10
	typeFloat     = 11
	typeDouble    = 12
	typeIFD       = 13
	typeLong8     = 16
	typeSLong8    = 17
	typeIFD8      = 18
)

// typeSize is the size in bytes of one value of each field type; 0 marks unknown types.
var typeSize = [...]int{
	typeByte: 1, typeASCII: 1, typeShort: 2, typeLong: 4, typeRational: 8,
	typeSByte: 1, typeUndefined: 1, typeSShort: 2, typeSLong: 4, typeSRational: 8,
	typeFloat: 4, typeDouble: 8, typeIFD: 4, typeLong8: 8, typeSLong8: 8, typeIFD8: 8,
}

// maxEntries bounds the entries of an IFD; real files have a few dozen.
const maxEntries = 4096

// field is one IFD entry with its value bytes resolved.
type field struct {
	typ   uint16
	count uint64
	raw   []byte // count values of typ, in the file's byte order
}

// ifd is the first image file directory of a file.
type ifd struct {
	bo     binary.ByteOrder
	fields map[uint16]field
}

// parseIFD reads the header and the first IFD of data. Entries may come in any order;
// an entry whose values lie outside data is an error naming the tag.
func parseIFD(data []byte) (*ifd, error) {
	if len(data) < 8 {
		return nil, formatError("file shorter than its header")
	}
	d := &ifd{fields: make(map[uint16]field)}
	switch string(data[:2]) {
	case "II":
		d.bo = binary.LittleEndian
	case "MM":
		d.bo = binary.BigEndian
	default:
		return nil, formatError("bad byte order mark")
	}
	var (
		off       uint64
		countSize int // size of the entry count
		entrySize int
		inline    int // bytes of value stored inside an entry
	)
	switch d.bo.Uint16(data[2:]) {
	case 42:
		off, countSize, entrySize, inline = uint64(d.bo.Uint32(data[4:])), 2, 12, 4
	case 43:
		if len(data) < 16 || d.bo.Uint16(data[4:]) != 8 || d.bo.Uint16(data[6:]) != 0 {
			return nil, formatError("bad BigTIFF header")
		}
		off, countSize, entrySize, inline = d.bo.Uint64(data[8:]), 8, 20, 8
	default:
		return nil, formatError("bad version number")
	}
	if off < 8 || off > uint64(len(data)) || uint64(len(data))-off < uint64(countSize) {
		return nil, formatError("IFD offset outside the file")
	}
	var n uint64
	if countSize == 2 {
		n = uint64(d.bo.Uint16(data[off:]))
	} else {
		n = d.bo.Uint64(data[off:])
	}
	if n == 0 || n > maxEntries {
		return nil, formatError(fmt.Sprintf("IFD has %d entries", n))
	}
	start := off + uint64(countSize)
	if uint64(len(data))-start < n*uint64(entrySize) {
		return nil, formatError("IFD runs past the end of the file")
	}
	for i := uint64(0); i < n; i++ {
		e := data[start+i*uint64(entrySize):][:entrySize]
		tag, typ := d.bo.Uint16(e), d.bo.Uint16(e[2:])
		var count uint64
		var val []byte
		if entrySize == 12 {
			count, val = uint64(d.bo.Uint32(e[4:])), e[8:12]
		} else {
			count, val = d.bo.Uint64(e[4:]), e[12:20]
		}
		if int(typ) >= len(typeSize) || typeSize[typ] == 0 {
			continue // unknown types are skipped, as TIFF 6.0 asks
		}
		size := uint64(typeSize[typ])
		if count > uint64(len(data))/size {
			if _, needed := requiredTags[tag]; needed {
				return nil, formatError(fmt.Sprintf("%s: count %d exceeds the file", tagName(tag), count))
			}
			continue
		}
		total := count * size
		var raw []byte
		if total <= uint64(inline) {
			raw = val[:total]
		} else {
			var p uint64
			if inline == 4 {
				p = uint64(d.bo.Uint32(val))
			} else {
				p = d.bo.Uint64(val)
			}
			if p > uint64(len(data)) || uint64(len(data))-p < total {
				if _, needed := requiredTags[tag]; needed {
					return nil, formatError(fmt.Sprintf("%s: values lie outside the file", tagName(tag)))
				}
				continue
			}
			raw = data[p : p+total : p+total]
		}
		if _, dup := d.fields[tag]; !dup {
			d.fields[tag] = field{typ: typ, count: count, raw: raw}
		}
	}
	return d, nil
}

// requiredTags are the tags whose values cannot be dropped when malformed.
var requiredTags = map[uint16]struct{}{
	tagWidth: {}, tagHeight: {}, tagBitsPerSample: {}, tagStripOffsets: {}, tagStripByteCounts: {},
	tagTileOffsets: {}, tagTileByteCounts: {}, tagColorMap: {}, tagSampleFormat: {}, tagExtraSamples: {},
}

// tagName returns the TIFF name of a tag for error messages.
func tagName(tag uint16) string {
	switch tag {
	case tagWidth:
		return "ImageWidth"
	case tagHeight:
		return "ImageLength"
	case tagBitsPerSample:
		return "BitsPerSample"
	case tagStripOffsets:
		return "StripOffsets"
	case tagStripByteCounts:
		return "StripByteCounts"
	case tagTileOffsets:
		return "TileOffsets"
	case tagTileByteCounts:
		return "TileByteCounts"
	case tagColorMap:
		return "ColorMap"
	case tagSampleFormat:
		return "SampleFormat"
	case tagExtraSamples:
		return "ExtraSamples"
	}
	return fmt.Sprintf("tag %d", tag)
}

// has reports whether the IFD holds tag.
func (d *ifd) has(tag uint16) bool {
	_, ok := d.fields[tag]
	return ok
}

// uints returns the values of an integer field, or nil when absent or not of an integer type.
func (d *ifd) uints(tag uint16) []uint64 {
	f, ok := d.fields[tag]
	if !ok {
		return nil
	}
	out := make([]uint64, f.count)
	for i := range out {
		switch f.typ {
		case typeByte, typeUndefined, typeSByte:
			out[i] = uint64(f.raw[i])
		case typeShort, typeSShort:
			out[i] = uint64(d.bo.Uint16(f.raw[2*i:]))
		case typeLong, typeSLong, typeIFD:
			out[i] = uint64(d.bo.Uint32(f.raw[4*i:]))
		case typeLong8, typeSLong8, typeIFD8:
			out[i] = d.bo.Uint64(f.raw[8*i:])
		default:
			return nil
		}
	}
	return out
}

// uint returns the first value of an integer field, or def when absent.
func (d *ifd) uint(tag uint16, def uint64) uint64 {
	if v := d.uints(tag); len(v) > 0 {
		return v[0]
	}
	return def
}

// floats returns the values of a numeric field as float64, or nil when absent.
func (d *ifd) floats(tag uint16) []float64 {
	f, ok := d.fields[tag]
	if !ok {
		return nil
	}
	out := make([]float64, f.count)
	for i := range out {
		switch f.typ {
		case typeRational:
			num, den := d.bo.Uint32(f.raw[8*i:]), d.bo.Uint32(f.raw[8*i+4:])
			if den == 0 {
				return nil
			}
			out[i] = float64(num) / float64(den)
		case typeSRational:
			num, den := int32(d.bo.Uint32(f.raw[8*i:])), int32(d.bo.Uint32(f.raw[8*i+4:]))
			if den == 0 {
				return nil
			}
			out[i] = float64(num) / float64(den)
		case typeFloat:
			out[i] = float64(math.Float32frombits(d.bo.Uint32(f.raw[4*i:])))
		case typeDouble:
			out[i] = math.Float64frombits(d.bo.Uint64(f.raw[8*i:]))
		default:
			v := d.uints(tag)
			if v == nil {
				return nil
			}
			out[i] = float64(v[i])
		}
	}
	return out
}

// bytes returns the raw value bytes of a field, or nil when absent.
func (d *ifd) bytes(tag uint16) []byte {
	return d.fields[tag].raw
}
