package encode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"

	"github.com/gen2brain/avif"
)

// encodeAVIF writes img as AVIF at the fastest encoder speed, with icc in a colr box when non-nil.
func encodeAVIF(buf *bytes.Buffer, img image.Image, q int, icc []byte) error {
	if err := avif.Encode(buf, img, avif.Options{Quality: q, QualityAlpha: q, Speed: 10}); err != nil {
		return err
	}
	if icc == nil {
		return nil
	}
	out, err := withColrProf(buf.Bytes(), icc)
	if err != nil {
		return err
	}
	buf.Reset()
	buf.Write(out)
	return nil
}

var errLayout = errors.New("unexpected AVIF layout")

type isoBox struct {
	typ  string
	data []byte
}

// splitBoxes splits b into boxes with 32-bit sizes.
func splitBoxes(b []byte) ([]isoBox, error) {
	var out []isoBox
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, errLayout
		}
		n := int(binary.BigEndian.Uint32(b))
		if n < 8 || n > len(b) {
			return nil, errLayout
		}
		out = append(out, isoBox{string(b[4:8]), b[8:n]})
		b = b[n:]
	}
	return out, nil
}

func appendBox(dst []byte, typ string, data []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(8+len(data)))
	return append(append(dst, typ...), data...)
}

// withColrProf adds a colr box of type prof holding icc to the properties of the primary
// item of an AVIF file laid out as ftyp, meta, then the item data, and moves the item
// offsets in iloc by the growth of meta.
func withColrProf(file, icc []byte) ([]byte, error) {
	top, err := splitBoxes(file)
	if err != nil || len(top) < 3 || top[0].typ != "ftyp" || top[1].typ != "meta" || len(top[1].data) < 4 {
		return nil, errLayout
	}
	meta, err := splitBoxes(top[1].data[4:])
	if err != nil {
		return nil, err
	}
	primary := -1
	var iprp []isoBox
	for _, b := range meta {
		switch b.typ {
		case "pitm":
			if len(b.data) >= 6 && b.data[0] == 0 {
				primary = int(binary.BigEndian.Uint16(b.data[4:]))
			}
		case "iprp":
			if iprp, err = splitBoxes(b.data); err != nil {
				return nil, err
			}
		}
	}
	if primary < 0 || len(iprp) != 2 || iprp[0].typ != "ipco" || iprp[1].typ != "ipma" {
		return nil, errLayout
	}
	props, err := splitBoxes(iprp[0].data)
	if err != nil {
		return nil, err
	}
	ipco := appendBox(bytes.Clone(iprp[0].data), "colr", append([]byte("prof"), icc...))
	ipma, err := associate(iprp[1].data, primary, len(props)+1)
	if err != nil {
		return nil, err
	}
	newIprp := appendBox(appendBox(nil, "ipco", ipco), "ipma", ipma)
	delta := len(newIprp) - (8 + len(iprp[0].data) + 8 + len(iprp[1].data))
	metaEnd := len(top[0].data) + 8 + len(top[1].data) + 8

	body := bytes.Clone(top[1].data[:4])
	for _, b := range meta {
		switch b.typ {
		case "iprp":
			b.data = newIprp
		case "iloc":
			if b.data, err = shiftIloc(b.data, metaEnd, delta); err != nil {
				return nil, err
			}
		}
		body = appendBox(body, b.typ, b.data)
	}
	out := appendBox(nil, "ftyp", top[0].data)
	out = appendBox(out, "meta", body)
	return append(out, file[metaEnd:]...), nil
}

// associate returns an ipma payload that also links item id to the (non-essential) property index.
func associate(ipma []byte, id, index int) ([]byte, error) {
	if len(ipma) < 8 || ipma[0] != 0 || ipma[3]&1 != 0 || index > 127 {
		return nil, errLayout
	}
	out := bytes.Clone(ipma[:8])
	p := ipma[8:]
	for n := binary.BigEndian.Uint32(ipma[4:]); n > 0; n-- {
		if len(p) < 3 || len(p) < 3+int(p[2]) {
			return nil, errLayout
		}
		item, count := int(binary.BigEndian.Uint16(p)), int(p[2])
		assoc := p[3 : 3+count]
		if item == id {
			assoc = append(bytes.Clone(assoc), byte(index))
		}
		out = binary.BigEndian.AppendUint16(out, uint16(item))
		out = append(append(out, byte(len(assoc))), assoc...)
		p = p[3+count:]
	}
	return out, nil
}

// shiftIloc adds delta to every file offset in an iloc payload, which must all point at or
// past metaEnd.
func shiftIloc(iloc []byte, metaEnd, delta int) ([]byte, error) {
	b := bytes.Clone(iloc)
	if len(b) < 8 || b[0] > 2 {
		return nil, errLayout
	}
	version := b[0]
	offSize, lenSize, baseSize, idxSize := int(b[4]>>4), int(b[4]&15), int(b[5]>>4), int(b[5]&15)
	if version == 0 {
		idxSize = 0
	}
	p := 6
	field := func(n int, shift bool) error {
		if p+n > len(b) {
			return errLayout
		}
		var v uint64
		for i := 0; i < n; i++ {
			v = v<<8 | uint64(b[p+i])
		}
		if shift && n > 0 {
			if v < uint64(metaEnd) {
				return errLayout
			}
			v += uint64(delta)
			for i := n - 1; i >= 0; i-- {
				b[p+i] = byte(v)
				v >>= 8
			}
		}
		p += n
		return nil
	}
	countSize, idSize := 2, 2
	if version == 2 {
		countSize, idSize = 4, 4
	}
	if p+countSize > len(b) {
		return nil, errLayout
	}
	count := binary.BigEndian.Uint16(b[p:])
	if countSize == 4 {
		count = uint16(min(binary.BigEndian.Uint32(b[p:]), 1<<16-1))
	}
	p += countSize
	for ; count > 0; count-- {
		method := 0
		if err := field(idSize, false); err != nil {
			return nil, err
		}
		if version > 0 {
			if p+2 > len(b) {
				return nil, errLayout
			}
			method = int(b[p+1] & 15)
			p += 2
		}
		if err := field(2, false); err != nil { // data reference index
			return nil, err
		}
		if err := field(baseSize, method == 0); err != nil {
			return nil, err
		}
		if p+2 > len(b) {
			return nil, errLayout
		}
		extents := int(binary.BigEndian.Uint16(b[p:]))
		p += 2
		for ; extents > 0; extents-- {
			if err := field(idxSize, false); err != nil {
				return nil, err
			}
			if err := field(offSize, method == 0 && baseSize == 0); err != nil {
				return nil, err
			}
			if err := field(lenSize, false); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}
