package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"slices"
)

// ftypFormat tells HEIC from AVIF by the brands of an ISOBMFF ftyp box, or returns "".
func ftypFormat(b []byte) Format {
	n := int(binary.BigEndian.Uint32(b))
	if n < 16 || n > len(b) {
		n = min(len(b), 16)
	}
	var heif bool
	for i := 8; i+4 <= n; i += 4 {
		if i == 12 {
			continue // minor version
		}
		switch string(b[i : i+4]) {
		case "avif", "avis":
			return AVIF
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			heif = true
		}
	}
	if heif {
		return HEIC
	}
	return ""
}

// heicBrand returns data for the HEIC decoder. libheif decodes only files
// that its heif_check_filetype calls supported, and it calls other major
// brands than heic and heix (the generic mif1 and msf1 of Nokia's and many
// cameras' files, heim, heis) only "maybe" HEIF; ReadHeader judged the file
// HEIC by its compatible brands, so it is presented with heic as its major
// brand, in a copy: the brand is four bytes in place, no offset moves, and
// data is not changed.
func heicBrand(data []byte) []byte {
	if len(data) < 16 || string(data[4:8]) != "ftyp" {
		return data
	}
	if major := string(data[8:12]); major == "heic" || major == "heix" {
		return data
	}
	out := bytes.Clone(data)
	copy(out[8:12], "heic")
	return out
}

// box is one ISOBMFF box: its type and its payload (after size and type).
type box struct {
	typ  string
	data []byte
}

// boxes splits b into complete boxes; it stops at the first malformed one.
func boxes(b []byte) []box {
	var out []box
	for len(b) >= 8 {
		size := uint64(binary.BigEndian.Uint32(b))
		hdr := uint64(8)
		switch size {
		case 0:
			size = uint64(len(b))
		case 1:
			if len(b) < 16 {
				return out
			}
			size, hdr = binary.BigEndian.Uint64(b[8:]), 16
		}
		if size < hdr || size > uint64(len(b)) {
			return out
		}
		out = append(out, box{string(b[4:8]), b[hdr:size]})
		b = b[size:]
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

// heifOrientation maps irot angle (counter-clockwise quarter turns) and imir
// (0 none, 1 for mode 0: top and bottom exchanged, 2 for mode 1: left and right exchanged),
// applied in that order, to the EXIF orientation that does the same.
var heifOrientation = [4][3]int{{1, 4, 2}, {8, 5, 7}, {3, 2, 4}, {6, 7, 5}}

var errNoImage = errors.New("no primary image size")

// heifHeader reads the primary item's properties of a HEIC or AVIF file. For HEIC the
// size is the displayed size with clap, irot and imir applied, since the HEIC decoder
// applies them; for AVIF, whose decoder does not, it is the coded size and irot/imir
// become the Orientation. For HEIC it also records the thumbnail items of the primary.
func heifHeader(b []byte, f Format) (Header, error) {
	meta := find(boxes(b), "meta")
	if len(meta) < 4 {
		return Header{}, errors.New("no meta box")
	}
	mb := boxes(meta[4:])
	primary, pitm := primaryItem(mb)
	h, err := itemHeader(b, mb, primary, f)
	if err != nil || f != HEIC || len(pitm) < 6 {
		return h, err
	}
	// boxes only reslices b, so the capacities tell where pitm's item ID is.
	h.pitm = pitmField{offset: cap(b) - cap(pitm) + 4, wide: pitm[0] != 0}
	for _, id := range thumbnailItems(find(mb, "iref"), primary) {
		if itemType(mb, id) != "hvc1" {
			continue
		}
		if t, err := itemHeader(b, mb, id, f); err == nil {
			t.item, t.pitm = id, h.pitm
			h.thumbnails = append(h.thumbnails, t)
		}
	}
	return h, nil
}

// itemHeader reads the properties of item id, as heifHeader describes.
func itemHeader(b []byte, mb []box, id uint32, f Format) (Header, error) {
	iprp := boxes(find(mb, "iprp"))
	props := boxes(find(iprp, "ipco"))
	var w, h, angle, mir int
	var clapW, clapH int
	var clapBox []byte
	var av1C, hvcC []byte
	h0 := Header{Orientation: 1}
	for _, i := range primaryProps(find(iprp, "ipma"), id) {
		if i < 1 || i > len(props) {
			continue
		}
		p := props[i-1].data
		switch props[i-1].typ {
		case "ispe":
			if len(p) >= 12 {
				w, h = int(binary.BigEndian.Uint32(p[4:])), int(binary.BigEndian.Uint32(p[8:]))
			}
		case "irot":
			if len(p) >= 1 {
				angle = int(p[0] & 3)
			}
		case "imir":
			if len(p) >= 1 {
				mir = int(p[0]&1) + 1
			}
		case "clap":
			if len(p) >= 16 {
				clapW, clapH = ratio(p[0:8]), ratio(p[8:16])
			}
			clapBox = p
		case "av1C":
			av1C = p
		case "hvcC":
			hvcC = p
		case "colr":
			if len(p) > 4 && (string(p[:4]) == "prof" || string(p[:4]) == "rICC") {
				h0.ICC = p[4:]
			}
		}
	}
	if w <= 0 || h <= 0 || w > 1<<28 || h > 1<<28 {
		return Header{}, errNoImage
	}
	if f == AVIF {
		// The sequence header is in av1C's configOBUs, or else at the start of the item's data.
		if len(av1C) > 0 {
			cw, ch, err := av1Size(av1C[min(4, len(av1C)):])
			if err != nil {
				cw, ch, err = av1Size(itemData(b, mb, id))
			}
			if err == nil {
				h0.coded, h0.ispe = image.Pt(cw, ch), image.Pt(w, h)
			}
		}
		if len(av1C) >= 3 && av1C[2]&0x40 != 0 {
			h0.layout.bits = 10 // high_bitdepth
		}
		if clapBox != nil {
			r, ok := cleanAperture(clapBox, w, h)
			if !ok {
				return Header{}, errors.New("clap: a clean aperture outside the picture")
			}
			h0.clap = r
			w, h = r.Dx(), r.Dy()
		}
		h0.Width, h0.Height = w, h
		h0.Orientation = heifOrientation[angle][mir]
		return h0, nil
	}
	switch itemType(mb, id) {
	case "hvc1":
		// The stream of a picture with an odd side is one sample larger,
		// for 4:2:0 chroma: the decoder crops it to ispe.
		if cw, ch, err := hevcSize(hvcC); err == nil && (cw < w || cw > w+1 || ch < h || ch > h+1) {
			h0.coded, h0.ispe = image.Pt(cw, ch), image.Pt(w, h)
		}
	case "grid":
		if _, _, gw, gh, ok := gridDescriptor(itemData(b, mb, id)); ok && (gw != w || gh != h) {
			h0.coded, h0.ispe = image.Pt(gw, gh), image.Pt(w, h)
		}
		if clapBox == nil && h0.coded == h0.ispe {
			h0.grid = tileGrid(b, mb, id, heifOrientation[angle][mir])
		}
	}
	if clapW > 0 && clapH > 0 && clapW <= w && clapH <= h {
		w, h = clapW, clapH
	}
	if angle%2 == 1 {
		w, h = h, w
	}
	h0.Width, h0.Height = w, h
	return h0, nil
}

// thumbnailItems returns the IDs of the items that an iref box (ISO/IEC
// 14496-12 8.11.12) says are thumbnails (type thmb) of item to; nil when it
// is absent or malformed.
func thumbnailItems(iref []byte, to uint32) []uint32 {
	refs, _ := itemRefs(iref)
	var out []uint32
	for _, r := range refs {
		if r.typ == "thmb" && r.from != to && r.from != 0 && slices.Contains(r.to, to) {
			out = append(out, r.from)
		}
	}
	return out
}

// itemRef is one reference of an iref box: item from refers, by typ, to
// the items to, in order.
type itemRef struct {
	typ  string
	from uint32
	to   []uint32
}

// itemRefs returns the references of an iref box (ISO/IEC 14496-12
// 8.11.12); ok is false, and refs nil, when it is malformed.
func itemRefs(iref []byte) (refs []itemRef, ok bool) {
	if len(iref) < 4 || iref[0] > 1 {
		return nil, false
	}
	idSize := 2
	if iref[0] == 1 {
		idSize = 4
	}
	id := func(p []byte) uint32 {
		if idSize == 2 {
			return uint32(binary.BigEndian.Uint16(p))
		}
		return binary.BigEndian.Uint32(p)
	}
	for _, ref := range boxes(iref[4:]) {
		p := ref.data
		if len(p) < idSize+2 {
			return nil, false
		}
		r := itemRef{typ: ref.typ, from: id(p)}
		count := int(binary.BigEndian.Uint16(p[idSize:]))
		p = p[idSize+2:]
		if len(p) != count*idSize {
			return nil, false
		}
		for i := range count {
			r.to = append(r.to, id(p[i*idSize:]))
		}
		refs = append(refs, r)
	}
	return refs, true
}

// pitmField is where the item ID of a HEIF file's pitm box is: its offset
// in the file, and whether it takes 4 bytes (pitm version 1) rather than 2.
type pitmField struct {
	offset int
	wide   bool
}

// Thumbnail returns the header of the smallest thumbnail item of a HEIC
// image whose displayed size is at least w×h, which Decode then decodes in
// place of the primary item; ok is false when there is none. The
// thumbnail's Orientation is 1, as the
// primary's is, and its ICC profile is its own or else the primary's.
func (h Header) Thumbnail(w, ht int) (thumb Header, ok bool) {
	for _, t := range h.thumbnails {
		if t.Width < w || t.Height < ht {
			continue
		}
		if !ok || int64(t.Width)*int64(t.Height) < int64(thumb.Width)*int64(thumb.Height) {
			thumb, ok = t, true
		}
	}
	if !ok {
		return Header{}, false
	}
	thumb.Format = h.Format
	if thumb.ICC == nil {
		thumb.ICC = h.ICC
	}
	thumb.ICC = bytes.Clone(thumb.ICC)
	return thumb, true
}

// withPrimary returns a copy of a HEIF file data whose pitm box names item
// id, the item ID being patched in place where h.pitm says; ok is false
// when it cannot be.
func withPrimary(data []byte, p pitmField, id uint32) (out []byte, ok bool) {
	n := 2
	if p.wide {
		n = 4
	}
	if p.offset < 8 || p.offset+n > len(data) || !p.wide && id > 0xffff {
		return nil, false
	}
	out = bytes.Clone(data)
	if p.wide {
		binary.BigEndian.PutUint32(out[p.offset:], id)
	} else {
		binary.BigEndian.PutUint16(out[p.offset:], uint16(id))
	}
	return out, true
}

// ratio rounds an unsigned 32-bit fraction N/D to an int; 0 when D is 0.
func ratio(b []byte) int {
	n, d := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	if d == 0 {
		return 0
	}
	return int((uint64(n) + uint64(d)/2) / uint64(d))
}

// cleanAperture returns the rectangle of a w×h picture that a clap
// property (ISO/IEC 14496-12 12.1.4) keeps: cleanApertureWidth and Height,
// centred on the picture's centre moved by horizOff and vertOff, each a
// fraction N/D with a signed N for the offsets. It reports false when the
// fractions are malformed or the rectangle is not whole pixels inside the
// picture, which libavif refuses too.
func cleanAperture(p []byte, w, h int) (image.Rectangle, bool) {
	if len(p) < 32 {
		return image.Rectangle{}, false
	}
	frac := func(b []byte, signed bool) (float64, bool) {
		d := binary.BigEndian.Uint32(b[4:])
		if d == 0 {
			return 0, false
		}
		n := float64(binary.BigEndian.Uint32(b))
		if signed {
			n = float64(int32(binary.BigEndian.Uint32(b)))
		}
		return n / float64(d), true
	}
	cw, ok1 := frac(p[0:], false)
	ch, ok2 := frac(p[8:], false)
	dx, ok3 := frac(p[16:], true)
	dy, ok4 := frac(p[24:], true)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return image.Rectangle{}, false
	}
	left := dx + float64(w-1)/2 - (cw-1)/2
	top := dy + float64(h-1)/2 - (ch-1)/2
	whole := func(v float64) bool { return v == float64(int(v)) }
	if !whole(left) || !whole(top) || !whole(cw) || !whole(ch) {
		return image.Rectangle{}, false
	}
	r := image.Rect(int(left), int(top), int(left+cw), int(top+ch))
	if r.Empty() || !r.In(image.Rect(0, 0, w, h)) {
		return image.Rectangle{}, false
	}
	return r, true
}

// primaryItem returns the ID of the primary item named by the pitm box
// among the children mb of a meta box (item 1 when there is no readable
// pitm), and that pitm box's payload.
func primaryItem(mb []box) (id uint32, pitm []byte) {
	pitm = find(mb, "pitm")
	switch {
	case len(pitm) >= 6 && pitm[0] == 0:
		return uint32(binary.BigEndian.Uint16(pitm[4:])), pitm
	case len(pitm) >= 8:
		return binary.BigEndian.Uint32(pitm[4:]), pitm
	}
	return 1, pitm
}

// primaryItemProps returns the property boxes that the ipma box of the
// HEIF file b associates with its primary item (the pitm item, or item 1
// when there is no pitm), in ipma's order; nil when it finds none.
func primaryItemProps(b []byte) []box {
	meta := find(boxes(b), "meta")
	if len(meta) < 4 {
		return nil
	}
	mb := boxes(meta[4:])
	primary, _ := primaryItem(mb)
	iprp := boxes(find(mb, "iprp"))
	props := boxes(find(iprp, "ipco"))
	var out []box
	for _, i := range primaryProps(find(iprp, "ipma"), primary) {
		if 1 <= i && i <= len(props) {
			out = append(out, props[i-1])
		}
	}
	return out
}

// primaryProps returns the 1-based ipco indices associated with item id by an ipma box.
func primaryProps(ipma []byte, id uint32) []int {
	if len(ipma) < 8 {
		return nil
	}
	version, flags := ipma[0], ipma[3]
	count := binary.BigEndian.Uint32(ipma[4:])
	p := ipma[8:]
	for e := uint32(0); e < count; e++ {
		var item uint32
		if version < 1 {
			if len(p) < 3 {
				return nil
			}
			item, p = uint32(binary.BigEndian.Uint16(p)), p[2:]
		} else {
			if len(p) < 5 {
				return nil
			}
			item, p = binary.BigEndian.Uint32(p), p[4:]
		}
		n := int(p[0])
		p = p[1:]
		size := 1
		if flags&1 != 0 {
			size = 2
		}
		if len(p) < n*size {
			return nil
		}
		if item == id {
			out := make([]int, n)
			for j := range out {
				if size == 2 {
					out[j] = int(binary.BigEndian.Uint16(p[2*j:]) & 0x7fff)
				} else {
					out[j] = int(p[j] & 0x7f)
				}
			}
			return out
		}
		p = p[n*size:]
	}
	return nil
}

// ilocEnd returns the end of the furthest item extent stored in the file that an iloc box
// names, or 0 when it cannot tell.
func ilocEnd(file []byte) int64 {
	items, ok := ilocItems(file)
	if !ok {
		return 0
	}
	var end int64
	for _, it := range items {
		for _, e := range it.extents {
			if it.method == 0 && e.length > 0 {
				end = max(end, e.offset+e.length)
			}
		}
	}
	return end
}

// ilocItem is where an iloc box says an item's data is.
type ilocItem struct {
	id      uint32
	method  int64 // construction method: 0 for file offsets
	extents []ilocExtent
}

// ilocExtent is one extent of an item, its offset including the base offset.
type ilocExtent struct{ offset, length int64 }

// ilocItems parses the iloc box of file's meta box; ok is false when it is absent or malformed.
func ilocItems(file []byte) (items []ilocItem, ok bool) {
	meta := find(boxes(file), "meta")
	if len(meta) < 4 {
		return nil, false
	}
	b := find(boxes(meta[4:]), "iloc")
	if len(b) < 8 || b[0] > 2 {
		return nil, false
	}
	version := b[0]
	offSize, lenSize, baseSize, idxSize := int(b[4]>>4), int(b[4]&15), int(b[5]>>4), int(b[5]&15)
	if version == 0 {
		idxSize = 0
	}
	p, bad := 6, false
	next := func(n int) int64 {
		if p+n > len(b) || n > 8 {
			bad = true
			return 0
		}
		var v uint64
		for _, c := range b[p : p+n] {
			v = v<<8 | uint64(c)
		}
		p += n
		return int64(v & (1<<62 - 1))
	}
	wide := map[bool]int{false: 2, true: 4}[version == 2]
	for count := next(wide); count > 0 && !bad; count-- {
		it := ilocItem{id: uint32(next(wide))}
		if version > 0 {
			it.method = next(2) & 15
		}
		next(2) // data reference index
		base := next(baseSize)
		for extents := next(2); extents > 0 && !bad; extents-- {
			next(idxSize)
			off, n := next(offSize), next(lenSize)
			it.extents = append(it.extents, ilocExtent{base + off, n})
		}
		items = append(items, it)
	}
	return items, !bad
}

// itemData returns the start of item id's data, its first extent, in file
// or in the idat box among the meta box's children mb; nil when it cannot.
func itemData(file []byte, mb []box, id uint32) []byte {
	items, _ := ilocItems(file)
	for _, it := range items {
		if it.id != id || len(it.extents) == 0 {
			continue
		}
		var src []byte
		switch it.method {
		case 0:
			src = file
		case 1:
			src = find(mb, "idat")
		default:
			return nil
		}
		e := it.extents[0]
		if e.offset < 0 || e.length < 0 || e.offset > int64(len(src)) {
			return nil
		}
		end := int64(len(src))
		if e.length > 0 {
			end = min(end, e.offset+e.length)
		}
		return src[e.offset:end]
	}
	return nil
}

// itemType returns the type of item id in the iinf box among the meta box's children mb.
func itemType(mb []box, id uint32) string {
	iinf := find(mb, "iinf")
	if len(iinf) < 6 {
		return ""
	}
	n := 6 // version, flags, 16-bit entry count
	if iinf[0] != 0 {
		n = 8
	}
	for _, e := range boxes(iinf[n:]) {
		p := e.data
		if e.typ != "infe" || len(p) < 4 || p[0] < 2 {
			continue
		}
		var item uint32
		if p[0] == 2 && len(p) >= 12 {
			item, p = uint32(binary.BigEndian.Uint16(p[4:])), p[8:]
		} else if p[0] == 3 && len(p) >= 14 {
			item, p = binary.BigEndian.Uint32(p[4:]), p[10:]
		} else {
			continue
		}
		if item == id {
			return string(p[:4])
		}
	}
	return ""
}

// gridDescriptor returns the rows and columns of tiles and the output size
// that an ImageGrid item's data declares (ISO/IEC 23008-12 6.6.2.3).
func gridDescriptor(b []byte) (rows, cols, w, h int, ok bool) {
	if len(b) < 8 || b[0] != 0 {
		return 0, 0, 0, 0, false
	}
	rows, cols = int(b[2])+1, int(b[3])+1
	if b[1]&1 == 0 {
		return rows, cols, int(binary.BigEndian.Uint16(b[4:])), int(binary.BigEndian.Uint16(b[6:])), true
	}
	if len(b) < 12 {
		return 0, 0, 0, 0, false
	}
	return rows, cols, int(binary.BigEndian.Uint32(b[4:])), int(binary.BigEndian.Uint32(b[8:])), true
}
