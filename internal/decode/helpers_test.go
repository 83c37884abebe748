package decode

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"math"
	"testing"
)

// photo returns a deterministic opaque picture with gradients, edges and texture.
func photo(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(7)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			seed = seed*1664525 + 1013904223
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			n := float64(seed>>27) - 16
			r := 128 + 100*math.Sin(fx*6+fy*2) + n
			g := 128 + 100*math.Cos(fy*5-fx*2) + n
			b := 40 + 200*fx*fy
			if x < w/4 && y < h/4 {
				r, g, b = 250, 20, 20 // marks the top-left corner
			}
			img.SetNRGBA(x, y, color.NRGBA{clamp8(r), clamp8(g), clamp8(b), 255})
		}
	}
	return img
}

// translucent returns photo(w, h) with alpha rising from left to right.
func translucent(w, h int) *image.NRGBA {
	img := photo(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Pix[img.PixOffset(x, y)+3] = uint8(55 + 200*x/w)
		}
	}
	return img
}

// negative returns img with its colour channels inverted: a picture that
// differs from img everywhere.
func negative(img *image.NRGBA) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	for i := 0; i < len(img.Pix); i += 4 {
		out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = 255-img.Pix[i], 255-img.Pix[i+1], 255-img.Pix[i+2], img.Pix[i+3]
	}
	return out
}

func clamp8(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v))) }

// psnr compares the non-premultiplied RGBA channels of two same-sized images, in dB.
func psnr(t *testing.T, a, b image.Image) float64 {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("size %v, want %v", b.Bounds().Size(), a.Bounds().Size())
	}
	var sum float64
	ao, bo := a.Bounds().Min, b.Bounds().Min
	sz := a.Bounds().Size()
	for y := 0; y < sz.Y; y++ {
		for x := 0; x < sz.X; x++ {
			p := color.NRGBAModel.Convert(a.At(ao.X+x, ao.Y+y)).(color.NRGBA)
			q := color.NRGBAModel.Convert(b.At(bo.X+x, bo.Y+y)).(color.NRGBA)
			for _, d := range []float64{float64(p.R) - float64(q.R), float64(p.G) - float64(q.G), float64(p.B) - float64(q.B), float64(p.A) - float64(q.A)} {
				sum += d * d
			}
		}
	}
	mse := sum / float64(4*sz.X*sz.Y)
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// exifTIFF returns a TIFF structure whose IFD0 holds an orientation tag.
func exifTIFF(o int, bigEndian bool) []byte {
	var bo binary.AppendByteOrder = binary.LittleEndian
	b := []byte("II*\x00")
	if bigEndian {
		bo, b = binary.BigEndian, []byte("MM\x00*")
	}
	b = bo.AppendUint32(b, 8)
	b = bo.AppendUint16(b, 2) // entries
	b = bo.AppendUint16(b, 0x010F)
	b = bo.AppendUint16(b, 2) // ASCII "Go\0" inline
	b = bo.AppendUint32(b, 3)
	b = append(b, 'G', 'o', 0, 0)
	b = bo.AppendUint16(b, 0x0112)
	b = bo.AppendUint16(b, 3) // SHORT
	b = bo.AppendUint32(b, 1)
	b = bo.AppendUint16(b, uint16(o))
	b = append(b, 0, 0)
	return bo.AppendUint32(b, 0)
}

// withJPEGSegment inserts a marker segment right after SOI.
func withJPEGSegment(jpg []byte, marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// withPNGChunk inserts a chunk right after IHDR.
func withPNGChunk(png []byte, typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	out := append([]byte{}, png[:33]...)
	out = append(out, c...)
	return append(out, png[33:]...)
}

// withWebPChunks turns a simple WebP file into an extended one holding extra chunks before
// the image data.
func withWebPChunks(wp []byte, w, h int, chunks map[string][]byte) []byte {
	flags := byte(0)
	var body []byte
	for _, id := range []string{"ICCP", "EXIF"} {
		d, ok := chunks[id]
		if !ok {
			continue
		}
		flags |= map[string]byte{"ICCP": 0x20, "EXIF": 0x08}[id]
		body = append(body, id...)
		body = binary.LittleEndian.AppendUint32(body, uint32(len(d)))
		body = append(body, d...)
		if len(d)%2 == 1 {
			body = append(body, 0)
		}
	}
	x := []byte("VP8X\x0a\x00\x00\x00")
	x = append(x, flags, 0, 0, 0, byte(w-1), byte((w-1)>>8), byte((w-1)>>16), byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	all := append(append(x, body...), wp[12:]...)
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(4+len(all)))
	return append(append(out, "WEBP"...), all...)
}

// withHEIFProps appends property boxes to ipco, associates them with the primary item (in
// the given order) and shifts the iloc file offsets past meta accordingly. It handles the
// layout libheif and libavif write: ftyp, meta, mdat.
func withHEIFProps(t *testing.T, file []byte, props ...[]byte) []byte {
	t.Helper()
	top := boxes(file)
	if len(top) < 3 || top[1].typ != "meta" || top[2].typ != "mdat" {
		t.Fatalf("unexpected layout %v", top)
	}
	meta := top[1].data
	children := boxes(meta[4:])
	primary := uint16(1)
	if p := find(children, "pitm"); len(p) >= 6 {
		primary = binary.BigEndian.Uint16(p[4:])
	}
	iprp := boxes(find(children, "iprp"))
	ipco := find(iprp, "ipco")
	first := len(boxes(ipco)) + 1
	for _, p := range props {
		ipco = append(append([]byte{}, ipco...), p...)
	}
	ipma := find(iprp, "ipma")
	if ipma[0] != 0 || ipma[3]&1 != 0 {
		t.Fatal("ipma version/flags not handled")
	}
	var newIpma []byte
	newIpma = append(newIpma, ipma[:8]...)
	p := ipma[8:]
	for e := binary.BigEndian.Uint32(ipma[4:]); e > 0; e-- {
		id, n := binary.BigEndian.Uint16(p), int(p[2])
		assoc := append([]byte{}, p[3:3+n]...)
		if id == primary {
			for i := range props {
				assoc = append(assoc, byte(0x80|(first+i)))
			}
		}
		newIpma = binary.BigEndian.AppendUint16(newIpma, id)
		newIpma = append(append(newIpma, byte(len(assoc))), assoc...)
		p = p[3+n:]
	}
	newIprp := append(mkbox("ipco", ipco), mkbox("ipma", newIpma)...)
	delta := len(newIprp) - len(find(children, "iprp"))
	newMeta := append([]byte{}, meta[:4]...)
	for _, c := range children {
		switch c.typ {
		case "iprp":
			newMeta = append(newMeta, mkbox("iprp", newIprp)...)
		case "iloc":
			newMeta = append(newMeta, mkbox("iloc", shiftIloc(t, c.data, delta))...)
		default:
			newMeta = append(newMeta, mkbox(c.typ, c.data)...)
		}
	}
	out := mkbox(top[0].typ, top[0].data)
	out = append(out, mkbox("meta", newMeta)...)
	for _, b := range top[2:] {
		out = append(out, mkbox(b.typ, b.data)...)
	}
	return out
}

func mkbox(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(data)))
	return append(append(b, typ...), data...)
}

// shiftIloc adds delta to the file offsets of items stored in the file (construction method 0).
func shiftIloc(t *testing.T, b []byte, delta int) []byte {
	b = bytes.Clone(b)
	version := b[0]
	offSize, lenSize, baseSize, idxSize := int(b[4]>>4), int(b[4]&15), int(b[5]>>4), int(b[5]&15)
	if version == 0 {
		idxSize = 0
	}
	if version > 1 {
		t.Fatal("iloc version 2 not handled")
	}
	get := func(p, n int) uint64 {
		var v uint64
		for i := 0; i < n; i++ {
			v = v<<8 | uint64(b[p+i])
		}
		return v
	}
	put := func(p, n int, v uint64) {
		for i := n - 1; i >= 0; i-- {
			b[p+i] = byte(v)
			v >>= 8
		}
	}
	p := 6
	count := int(get(p, 2))
	p += 2
	for ; count > 0; count-- {
		p += 2 // item ID
		method := 0
		if version == 1 {
			method = int(get(p, 2) & 15)
			p += 2
		}
		p += 2 // data reference index
		basePos := p
		p += baseSize
		extents := int(get(p, 2))
		p += 2
		for ; extents > 0; extents-- {
			p += idxSize
			if method == 0 && baseSize == 0 && offSize > 0 {
				put(p, offSize, get(p, offSize)+uint64(delta))
			}
			p += offSize + lenSize
		}
		if method == 0 && baseSize > 0 {
			put(basePos, baseSize, get(basePos, baseSize)+uint64(delta))
		}
	}
	return b
}

// irot and imir return HEIF transform property boxes.
func irot(quarterTurnsCCW int) []byte { return mkbox("irot", []byte{byte(quarterTurnsCCW)}) }
func imir(axis int) []byte            { return mkbox("imir", []byte{byte(axis)}) }

// withThumbnailItem returns a HEIC file whose primary item (ID 1) is the
// primary item of primary and whose item 2 is the primary item of thumb,
// marked as a thumbnail of item 1 by iref (version irefVersion: 16- or
// 32-bit item IDs) and pitm (version pitmVersion). Both files must hold a
// single-extent hvc1 primary item, as heif-enc writes.
func withThumbnailItem(t *testing.T, primary, thumb []byte, irefVersion, pitmVersion byte) []byte {
	t.Helper()
	type item struct {
		props [][]byte
		data  []byte
	}
	var items []item
	for _, file := range [][]byte{primary, thumb} {
		mb := boxes(find(boxes(file), "meta")[4:])
		id := uint32(1)
		if p := find(mb, "pitm"); len(p) >= 6 {
			id = uint32(binary.BigEndian.Uint16(p[4:]))
		}
		if itemType(mb, id) != "hvc1" {
			t.Fatal("primary item is not hvc1")
		}
		iprp := boxes(find(mb, "iprp"))
		ipco := boxes(find(iprp, "ipco"))
		var it item
		for _, i := range primaryProps(find(iprp, "ipma"), id) {
			it.props = append(it.props, mkbox(ipco[i-1].typ, ipco[i-1].data))
		}
		it.data = itemData(file, mb, id)
		items = append(items, it)
	}
	id := func(version byte, v uint32) []byte {
		if version == 0 {
			return binary.BigEndian.AppendUint16(nil, uint16(v))
		}
		return binary.BigEndian.AppendUint32(nil, v)
	}
	full := func(typ string, version byte, payload ...[]byte) []byte {
		return mkbox(typ, append([]byte{version, 0, 0, 0}, bytes.Join(payload, nil)...))
	}
	ftyp := mkbox("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
	meta := func(dataStart int) []byte {
		var ipco, ipma []byte
		ipma = binary.BigEndian.AppendUint32(nil, uint32(len(items)))
		var iinf, iloc []byte
		iinf = binary.BigEndian.AppendUint16(nil, uint16(len(items)))
		iloc = append([]byte{0x44, 0x00}, binary.BigEndian.AppendUint16(nil, uint16(len(items)))...)
		n, offset := 0, dataStart
		for i, it := range items {
			ipma = binary.BigEndian.AppendUint16(ipma, uint16(i+1))
			ipma = append(ipma, byte(len(it.props)))
			for _, p := range it.props {
				ipco = append(ipco, p...)
				n++
				ipma = append(ipma, byte(n))
			}
			iinf = append(iinf, full("infe", 2, binary.BigEndian.AppendUint16(nil, uint16(i+1)), []byte{0, 0}, []byte("hvc1\x00"))...)
			iloc = binary.BigEndian.AppendUint16(iloc, uint16(i+1))
			iloc = append(iloc, 0, 0, 0, 1) // data reference index, one extent
			iloc = binary.BigEndian.AppendUint32(iloc, uint32(offset))
			iloc = binary.BigEndian.AppendUint32(iloc, uint32(len(it.data)))
			offset += len(it.data)
		}
		thmb := mkbox("thmb", bytes.Join([][]byte{id(irefVersion, 2), {0, 1}, id(irefVersion, 1)}, nil))
		return full("meta", 0,
			full("hdlr", 0, []byte("\x00\x00\x00\x00pict\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")),
			full("pitm", pitmVersion, id(pitmVersion, 1)),
			full("iinf", 0, iinf),
			full("iref", irefVersion, thmb),
			mkbox("iprp", append(mkbox("ipco", ipco), full("ipma", 0, ipma)...)),
			full("iloc", 0, iloc))
	}
	start := len(ftyp) + len(meta(0)) + 8
	mdat := mkbox("mdat", append(bytes.Clone(items[0].data), items[1].data...))
	return bytes.Join([][]byte{ftyp, meta(start), mdat}, nil)
}
