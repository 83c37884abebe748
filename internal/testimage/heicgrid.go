package testimage

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// HEVCItem is an hvc1 item: its hvcC property, its size, and its data.
type HEVCItem struct {
	HvcC []byte
	W, H int
	Data []byte
}

// box is one ISOBMFF box.
type box struct {
	typ  string
	data []byte
}

// boxes splits b into boxes of 32-bit sizes.
func boxes(b []byte) []box {
	var out []box
	for len(b) >= 8 {
		n := int(binary.BigEndian.Uint32(b))
		if n < 8 || n > len(b) {
			break
		}
		out = append(out, box{string(b[4:8]), b[8:n]})
		b = b[n:]
	}
	return out
}

func find(bs []box, typ string) []byte {
	for _, b := range bs {
		if b.typ == typ {
			return b.data
		}
	}
	return nil
}

// HEVCItemOf returns the primary item of a HEIC file as heif-enc writes it
// for an even-sized picture of at least 96 px: one hvc1 item (ID 1) of one
// extent, an ipma of version 0. Its W and H are those of its ispe.
func HEVCItemOf(file []byte) (HEVCItem, error) {
	top := boxes(file)
	meta := find(top, "meta")
	if len(meta) < 4 {
		return HEVCItem{}, errors.New("no meta box")
	}
	mb := boxes(meta[4:])
	if p := find(mb, "pitm"); len(p) < 6 || binary.BigEndian.Uint16(p[4:]) != 1 {
		return HEVCItem{}, errors.New("the primary item is not item 1")
	}
	var c HEVCItem
	iprp := boxes(find(mb, "iprp"))
	props := boxes(find(iprp, "ipco"))
	ipma := find(iprp, "ipma")
	if len(ipma) < 11 || ipma[0] != 0 || ipma[3]&1 != 0 || binary.BigEndian.Uint16(ipma[8:]) != 1 {
		return HEVCItem{}, errors.New("unexpected ipma")
	}
	for _, i := range ipma[11 : 11+int(ipma[10])] {
		j := int(i & 0x7f)
		if j < 1 || j > len(props) {
			return HEVCItem{}, errors.New("ipma names no property")
		}
		switch p := props[j-1]; {
		case p.typ == "hvcC":
			c.HvcC = p.data
		case p.typ == "ispe" && len(p.data) >= 12:
			c.W, c.H = int(binary.BigEndian.Uint32(p.data[4:])), int(binary.BigEndian.Uint32(p.data[8:]))
		}
	}
	iloc := find(mb, "iloc")
	// version 0, offset and length sizes 4, a base offset of 0 or 4 bytes,
	// one item of one extent.
	if len(iloc) < 6 || iloc[0] != 0 || iloc[4] != 0x44 || iloc[5] != 0 && iloc[5] != 0x40 {
		return HEVCItem{}, errors.New("unexpected iloc")
	}
	p := iloc[6:]
	base := 0
	if iloc[5] == 0x40 {
		if len(p) < 10 {
			return HEVCItem{}, errors.New("iloc cut short")
		}
		base, p = int(binary.BigEndian.Uint32(p[6:])), append(p[:6:6], p[10:]...)
	}
	if len(p) < 16 || binary.BigEndian.Uint16(p) != 1 || binary.BigEndian.Uint16(p[6:]) != 1 {
		return HEVCItem{}, errors.New("unexpected iloc")
	}
	off, n := uint64(base)+uint64(binary.BigEndian.Uint32(p[8:])), uint64(binary.BigEndian.Uint32(p[12:]))
	if c.HvcC == nil || off+n > uint64(len(file)) {
		return HEVCItem{}, errors.New("no hvcC, or data outside the file")
	}
	c.Data = file[off : off+n]
	return c, nil
}

func mkbox(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

func fullBox(typ string, version byte, flags uint32, payload ...[]byte) []byte {
	hdr := binary.BigEndian.AppendUint32(nil, uint32(version)<<24|flags&0xffffff)
	return mkbox(typ, append([][]byte{hdr}, payload...)...)
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// HEICGrid returns a HEIC file whose primary item (ID 1) is a w×h grid of
// cols×rows tiles, items 2 on, row by row, hidden, as phones write them,
// followed by the thumbnail items of the grid, with the grid item's ispe
// and the given irot (counter-clockwise quarter turns, when not 0) and
// imir (axis, when not -1). Each distinct hvcC is one property; there may
// be at most 127 properties.
func HEICGrid(w, h, cols, rows int, tiles, thumbs []HEVCItem, irot, imir int) []byte {
	var ipco [][]byte
	index := map[string]int{}
	prop := func(b []byte) int {
		if i, ok := index[string(b)]; ok {
			return i
		}
		ipco = append(ipco, b)
		index[string(b)] = len(ipco)
		return len(ipco)
	}
	type item struct {
		typ    string
		hidden bool
		props  []int // ipco indices, essential ones with 0x80 set
		data   []byte
	}
	gridData := []byte{0, 0, byte(rows - 1), byte(cols - 1)}
	gridData = append(append(gridData, u16(w)...), u16(h)...)
	gridItem := item{typ: "grid", data: gridData,
		props: []int{prop(fullBox("ispe", 0, 0, u32(w), u32(h)))}}
	if irot != 0 {
		gridItem.props = append(gridItem.props, 0x80|prop(mkbox("irot", []byte{byte(irot & 3)})))
	}
	if imir >= 0 {
		gridItem.props = append(gridItem.props, 0x80|prop(mkbox("imir", []byte{byte(imir & 1)})))
	}
	items := []item{gridItem}
	for _, t := range tiles {
		items = append(items, item{typ: "hvc1", hidden: true, data: t.Data,
			props: []int{0x80 | prop(mkbox("hvcC", t.HvcC)), prop(fullBox("ispe", 0, 0, u32(t.W), u32(t.H)))}})
	}
	for _, t := range thumbs {
		items = append(items, item{typ: "hvc1", data: t.Data,
			props: []int{0x80 | prop(mkbox("hvcC", t.HvcC)), prop(fullBox("ispe", 0, 0, u32(t.W), u32(t.H)))}})
	}

	var iinf, ipma, dimg, iref [][]byte
	iinf = append(iinf, u16(len(items)))
	ipma = append(ipma, u32(len(items)))
	dimg = append(dimg, u16(1), u16(len(tiles)))
	for i, it := range items {
		flags := uint32(0)
		if it.hidden {
			flags = 1
		}
		iinf = append(iinf, fullBox("infe", 2, flags, u16(i+1), u16(0), []byte(it.typ+"\x00")))
		ipma = append(ipma, u16(i+1), []byte{byte(len(it.props))})
		for _, p := range it.props {
			ipma = append(ipma, []byte{byte(p)})
		}
		if i >= 1 && i <= len(tiles) {
			dimg = append(dimg, u16(i+1))
		}
	}
	iref = append(iref, mkbox("dimg", dimg...))
	for i := range thumbs {
		iref = append(iref, mkbox("thmb", u16(len(tiles)+2+i), u16(1), u16(1)))
	}
	meta := func(dataStart int) []byte {
		iloc := [][]byte{{0x44, 0x00}, u16(len(items))}
		offset := dataStart
		for i, it := range items {
			iloc = append(iloc, u16(i+1), u16(0), u16(1), u32(offset), u32(len(it.data)))
			offset += len(it.data)
		}
		return fullBox("meta", 0, 0,
			fullBox("hdlr", 0, 0, u32(0), []byte("pict"), make([]byte, 13)),
			fullBox("pitm", 0, 0, u16(1)),
			fullBox("iinf", 0, 0, iinf...),
			fullBox("iref", 0, 0, iref...),
			mkbox("iprp", mkbox("ipco", ipco...), fullBox("ipma", 0, 0, ipma...)),
			fullBox("iloc", 0, 0, iloc...))
	}
	ftyp := mkbox("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
	start := len(ftyp) + len(meta(0)) + 8
	var mdat [][]byte
	for _, it := range items {
		mdat = append(mdat, it.data)
	}
	return bytes.Join([][]byte{ftyp, meta(start), mkbox("mdat", mdat...)}, nil)
}
