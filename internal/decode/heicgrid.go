package decode

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"slices"

	"github.com/thumbs-dev/thumbs/internal/heif"
)

// heicGrid is a HEIC primary item that is a grid of HEVC tiles which
// decodeGridShrunk can decode one tile at a time: every tile an hvc1 item
// of one extent, of 8-bit 4:2:0 samples of the BT.601 matrix (or
// unspecified), all of one even size, without transforms of their own; a
// grid without alpha or clean aperture.
type heicGrid struct {
	rows, cols   int
	tileW, tileH int
	// width and height are the grid's output size, before irot and imir,
	// which crops the tiles of the right column and bottom row.
	width, height int
	tiles         []gridTile // row by row
	// colr are the grid item's colr properties, whole boxes.
	colr []byte
	// orientation is the EXIF orientation that the grid item's irot and
	// imir make, which Decode applies.
	orientation int
	// maxTile is the largest size of a tile's data, in bytes.
	maxTile int
}

// gridTile is where a tile's hvcC property and data are in the file:
// offsets of their first and one past their last byte.
type gridTile struct {
	id         uint32
	hvcC, data [2]int
}

// tileGrid returns the description of the grid item id of the HEIF file b
// (mb the children of its meta box), whose irot and imir properties make
// the given orientation; nil when decodeGridShrunk cannot decode it.
func tileGrid(b []byte, mb []box, id uint32, orientation int) *heicGrid {
	rows, cols, w, h, ok := gridDescriptor(itemData(b, mb, id))
	if !ok || w < 1 || h < 1 {
		return nil
	}
	refs, ok := itemRefs(find(mb, "iref"))
	if !ok {
		return nil
	}
	var ids []uint32
	for _, r := range refs {
		switch {
		case r.typ == "dimg" && r.from == id:
			if ids != nil {
				return nil
			}
			ids = r.to
		case r.typ == "auxl" && slices.Contains(r.to, id):
			return nil // alpha or depth
		}
	}
	if len(ids) != rows*cols {
		return nil
	}
	locs, ok := ilocItems(b)
	if !ok {
		return nil
	}
	iprp := boxes(find(mb, "iprp"))
	props := boxes(find(iprp, "ipco"))
	ipma := find(iprp, "ipma")
	g := &heicGrid{rows: rows, cols: cols, width: w, height: h, orientation: orientation}
	for _, j := range primaryProps(ipma, id) {
		if 1 <= j && j <= len(props) && props[j-1].typ == "colr" {
			g.colr = append(g.colr, newBox("colr", props[j-1].data)...)
		}
	}
	for i, tile := range ids {
		t, tw, th, ok := hevcTile(b, mb, props, ipma, locs, tile, false)
		if !ok {
			return nil
		}
		if i == 0 {
			g.tileW, g.tileH = tw, th
		} else if tw != g.tileW || th != g.tileH {
			return nil
		}
		g.maxTile = max(g.maxTile, t.data[1]-t.data[0])
		g.tiles = append(g.tiles, t)
	}
	tw, th := g.tileW, g.tileH
	if tw < 2 || th < 2 || tw%2 != 0 || th%2 != 0 || tw > 0xffff || th > 0xffff ||
		cols*tw < w || (cols-1)*tw >= w || rows*th < h || (rows-1)*th >= h {
		return nil
	}
	return g
}

// hevcTile returns where the hvcC and the data of the hvc1 item id of the
// HEIF file b are (mb the children of its meta box; props, ipma and locs
// its properties, their associations and its item locations), and the
// item's ispe size. It reports false unless the item is of one extent,
// of 8-bit 4:2:0 samples of the BT.601 matrix (or unspecified), without
// transforms; colr properties are allowed only when withColr is set.
func hevcTile(b []byte, mb []box, props []box, ipma []byte, locs []ilocItem, id uint32, withColr bool) (t gridTile, tw, th int, ok bool) {
	if itemType(mb, id) != "hvc1" {
		return t, 0, 0, false
	}
	t.id = id
	// at returns the offsets in b of p, a slice of b.
	at := func(p []byte) [2]int {
		start := cap(b) - cap(p) // boxes only reslices b
		return [2]int{start, start + len(p)}
	}
	for _, j := range primaryProps(ipma, id) {
		if j < 1 || j > len(props) {
			return t, 0, 0, false
		}
		p := props[j-1].data
		switch props[j-1].typ {
		case "hvcC":
			t.hvcC = at(p)
		case "ispe":
			if len(p) >= 12 {
				tw, th = int(binary.BigEndian.Uint32(p[4:])), int(binary.BigEndian.Uint32(p[8:]))
			}
		case "pixi":
		case "colr":
			if !withColr && (len(p) < 4 || string(p[:4]) == "nclx") {
				return t, 0, 0, false
			}
		default:
			return t, 0, 0, false // a transform, or what this decoder does not know
		}
	}
	hvcC := b[t.hvcC[0]:t.hvcC[1]]
	// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1):
	// chroma format, luma and chroma bit depths less 8.
	if len(hvcC) < 19 || hvcC[16]&3 != 1 || hvcC[17]&7 != 0 || hvcC[18]&7 != 0 {
		return t, 0, 0, false
	}
	// The samples are taken as Go's YCbCr takes them, BT.601 (5 and 6)
	// or unspecified.
	if m, err := hevcMatrix(hvcC); err != nil || m != 2 && m != 5 && m != 6 {
		return t, 0, 0, false
	}
	j := slices.IndexFunc(locs, func(it ilocItem) bool { return it.id == id })
	if j < 0 || locs[j].method != 0 || len(locs[j].extents) != 1 {
		return t, 0, 0, false
	}
	e := locs[j].extents[0]
	if e.offset < 0 || e.length <= 0 || e.offset+e.length > int64(len(b)) {
		return t, 0, 0, false
	}
	t.data = [2]int{int(e.offset), int(e.offset + e.length)}
	return t, tw, th, true
}

// itemGrid returns the hvc1 item id of the HEIF file b (its primary item
// when id is 0) as a grid of one tile, with the item's colr properties,
// for oneTileGrid; nil when hevcTile refuses it (an item with a transform
// among them) or its size is odd.
func itemGrid(b []byte, id uint32) *heicGrid {
	meta := find(boxes(b), "meta")
	if len(meta) < 4 {
		return nil
	}
	mb := boxes(meta[4:])
	if id == 0 {
		id, _ = primaryItem(mb)
	}
	iprp := boxes(find(mb, "iprp"))
	props := boxes(find(iprp, "ipco"))
	ipma := find(iprp, "ipma")
	locs, ok := ilocItems(b)
	if !ok {
		return nil
	}
	var refs []itemRef
	if iref := find(mb, "iref"); iref != nil {
		if refs, ok = itemRefs(iref); !ok {
			return nil
		}
	}
	for _, r := range refs {
		if r.typ == "auxl" && slices.Contains(r.to, id) {
			return nil // alpha or depth, which libheif decodes with the item
		}
	}
	t, w, h, ok := hevcTile(b, mb, props, ipma, locs, id, true)
	if !ok || w < 2 || h < 2 || w%2 != 0 || h%2 != 0 || w > 0xffff || h > 0xffff {
		return nil
	}
	g := &heicGrid{rows: 1, cols: 1, tileW: w, tileH: h, width: w, height: h, tiles: []gridTile{t}, orientation: 1}
	for _, j := range primaryProps(ipma, id) {
		if props[j-1].typ == "colr" {
			g.colr = append(g.colr, newBox("colr", props[j-1].data)...)
		}
	}
	return g
}

// DecodesTiles reports whether Decode decodes the image of h at 1/k tile
// by tile (decodeGridShrunk): a HEIC grid primary item that tileGrid
// accepts, and k even.
func (h Header) DecodesTiles(k int) bool {
	return h.Format == HEIC && h.item == 0 && h.grid != nil && k > 1 && k%2 == 0
}

// cost is the memory that decodeGridShrunk takes at 1/k, besides the
// WebAssembly decoder's fixed memory: a one-tile file twice (its own and
// the decoder's copy), one tile as libheif decodes it (costHEIC per
// pixel), a row of decoded tiles (4:2:0 planes, their rows padded: 2 bytes
// per pixel), and the shrunk 4:4:4 picture; and the decoded tiles that
// gen2brain/heic's decode function never frees in the decoder's memory
// (2 bytes per pixel), up to the memory at which the decoder is closed
// rather than kept (heif.HEICInstanceMemory).
func (g *heicGrid) cost(k int) float64 {
	tile := float64(g.tileW) * float64(g.tileH)
	shrunk := float64((g.width+k-1)/k) * float64((g.height+k-1)/k)
	file := float64(g.maxTile + len(g.colr) + 1024)
	leaked := min(float64(len(g.tiles))*tile*2, heif.HEICInstanceMemory)
	return 2*file + tile*costHEIC + float64(g.cols)*tile*2 + shrunk*3 + leaked
}

// errGridUnsupported is the error of a tile that decodes to other samples
// than its header promised: Decode then decodes the whole picture.
var errGridUnsupported = errors.New("a tile unlike its header")

// decodeGridShrunk decodes the grid primary item of the HEIC file data,
// as h describes it (h.DecodesTiles(k)), straight to a 4:4:4 picture of
// ceil(w/k)×ceil(h/k), each luma sample the mean of a k×k block and each
// chroma sample the mean of the (k/2)×(k/2) chroma block under it, those
// at the right and bottom edges taken over the samples they hold; then it
// applies the grid's irot and imir. It decodes one tile at a time with
// libheif, each as a file of its own (oneTileGrid), so that only one row
// of tiles and the shrunk picture exist at once.
func decodeGridShrunk(ctx context.Context, data []byte, h Header, k int) (*image.YCbCr, error) {
	g := h.grid
	w, ht := g.width, g.height
	dw, dh := (w+k-1)/k, (ht+k-1)/k
	out := image.NewYCbCr(image.Rect(0, 0, dw, dh), image.YCbCrSubsampleRatio444)
	cw, ch := (w+1)/2, (ht+1)/2
	// libheif gives a grid's samples in full range, as it gives the whole
	// grid.
	luma := newBoxRows(out.Y, dw, w, ht, k, fullRange)
	cb := newBoxRows(out.Cb, dw, cw, ch, k/2, fullRange)
	cr := newBoxRows(out.Cr, dw, cw, ch, k/2, fullRange)
	tiles := make([]*image.YCbCr, g.cols)
	line := make([]byte, w)
	// addRows adds n rows of a plane, from the tiles' planes of tw
	// samples across, to rows, the plane being pw samples across.
	addRows := func(rows *boxRows, plane func(*image.YCbCr) ([]byte, int), n, tw, pw int) {
		for y := range n {
			for c, t := range tiles {
				pix, stride := plane(t)
				x0 := c * tw
				copy(line[x0:min(x0+tw, pw)], pix[y*stride:])
			}
			rows.add(line[:pw])
		}
	}
	yPlane := func(t *image.YCbCr) ([]byte, int) { return t.Y, t.YStride }
	cbPlane := func(t *image.YCbCr) ([]byte, int) { return t.Cb, t.CStride }
	crPlane := func(t *image.YCbCr) ([]byte, int) { return t.Cr, t.CStride }
	for r := range g.rows {
		for c := range g.cols {
			i := r*g.cols + c
			img, err := heif.DecodeHEIC(ctx, g.oneTileGrid(data, i))
			if err != nil {
				return nil, fmt.Errorf("tile %d of %d (item %d): %w", i+1, len(g.tiles), g.tiles[i].id, err)
			}
			t, ok := img.(*image.YCbCr)
			if !ok || t.SubsampleRatio != image.YCbCrSubsampleRatio420 || t.Rect != image.Rect(0, 0, g.tileW, g.tileH) {
				return nil, errGridUnsupported
			}
			tiles[c] = t
		}
		addRows(luma, yPlane, min(g.tileH, ht-r*g.tileH), g.tileW, w)
		n := min(g.tileH/2, ch-r*g.tileH/2)
		addRows(cb, cbPlane, n, g.tileW/2, cw)
		addRows(cr, crPlane, n, g.tileW/2, cw)
		clear(tiles)
	}
	return orientYCbCr444(out, g.orientation), nil
}

// oneTileGrid returns a HEIC file of tile i of the grid g of the file
// data alone: a 1×1 grid item, with the grid's colr properties, of the
// tile's hvc1 item, so that libheif decodes the tile as it decodes each
// tile of the whole grid. (libheif 1.18 in WebAssembly decodes a tile
// named the primary item by the pitm box otherwise: its first and last
// chroma columns differ from those of the grid and of libde265 itself, by
// up to a hundred levels in heif-enc's tiles.)
func (g *heicGrid) oneTileGrid(data []byte, i int) []byte {
	t := g.tiles[i]
	hvcC, tile := data[t.hvcC[0]:t.hvcC[1]], data[t.data[0]:t.data[1]]
	u16 := func(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
	u32 := func(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
	full := func(typ string, flags byte, payload ...[]byte) []byte {
		return newBox(typ, append([][]byte{{0, 0, 0, flags}}, payload...)...)
	}
	// Item 1 is the grid, item 2 the hidden tile. Property 1 is the ispe
	// of both, 2 the tile's hvcC, and the grid's colr follow.
	colr := boxes(g.colr)
	gridProps := []byte{byte(1 + len(colr)), 1}
	for n := range colr {
		gridProps = append(gridProps, byte(3+n))
	}
	ipma := slices.Concat(u32(2), u16(1), gridProps, u16(2), []byte{2, 1, 0x80 | 2})
	descriptor := slices.Concat([]byte{0, 0, 0, 0}, u16(g.tileW), u16(g.tileH))
	meta := func(dataStart int) []byte {
		return full("meta", 0,
			full("hdlr", 0, u32(0), []byte("pict"), make([]byte, 13)),
			full("pitm", 0, u16(1)),
			full("iinf", 0, u16(2),
				newBox("infe", []byte{2, 0, 0, 0}, u16(1), u16(0), []byte("grid\x00")),
				newBox("infe", []byte{2, 0, 0, 1}, u16(2), u16(0), []byte("hvc1\x00"))),
			full("iref", 0, newBox("dimg", u16(1), u16(1), u16(2))),
			newBox("iprp",
				newBox("ipco", full("ispe", 0, u32(g.tileW), u32(g.tileH)), newBox("hvcC", hvcC), g.colr),
				full("ipma", 0, ipma)),
			full("iloc", 0, []byte{0x44, 0}, u16(2),
				u16(1), u16(0), u16(1), u32(dataStart), u32(len(descriptor)),
				u16(2), u16(0), u16(1), u32(dataStart+len(descriptor)), u32(len(tile))))
	}
	ftyp := newBox("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
	start := len(ftyp) + len(meta(0)) + 8
	return slices.Concat(ftyp, meta(start), newBox("mdat", descriptor, tile))
}

// newBox returns an ISOBMFF box of type typ whose payload is the given
// parts one after the other.
func newBox(typ string, parts ...[]byte) []byte {
	n := 8
	for _, p := range parts {
		n += len(p)
	}
	b := binary.BigEndian.AppendUint32(make([]byte, 0, n), uint32(n))
	b = append(b, typ...)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// orientYCbCr444 returns the 4:4:4 picture m with EXIF orientation o
// (1-8) applied: m itself for 1, a new picture otherwise.
func orientYCbCr444(m *image.YCbCr, o int) *image.YCbCr {
	if o <= 1 || o > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	out := image.NewYCbCr(image.Rect(0, 0, dw, dh), image.YCbCrSubsampleRatio444)
	// src returns the offset in m of the pixel that goes to (x, y).
	src := func(x, y int) int {
		switch o {
		case 2:
			x = w - 1 - x
		case 3:
			x, y = w-1-x, h-1-y
		case 4:
			y = h - 1 - y
		case 5:
			x, y = y, x
		case 6:
			x, y = y, h-1-x
		case 7:
			x, y = w-1-y, h-1-x
		case 8:
			x, y = w-1-y, x
		}
		return y*m.YStride + x
	}
	for y := range dh {
		for x := range dw {
			i, j := y*out.YStride+x, src(x, y)
			out.Y[i], out.Cb[i], out.Cr[i] = m.Y[j], m.Cb[j], m.Cr[j]
		}
	}
	return out
}

// decodeHEIC decodes the HEIC image of h: its thumbnail item when h is a
// thumbnail's header; its grid of tiles at 1/shrink when h.DecodesTiles
// says so, unless a tile proves unlike its header; else the whole primary
// item, through libheif, in full range. An hvc1 item that itemGrid takes
// goes to libheif alone, as the one tile of a grid; others (with a
// transform, alpha, or not HEVC 4:2:0) in the file as it is.
func decodeHEIC(ctx context.Context, data []byte, h Header, shrink int) (image.Image, error) {
	if h.DecodesTiles(shrink) {
		img, err := decodeGridShrunk(ctx, data, h, shrink)
		switch {
		case err == nil:
			return img, nil
		case !errors.Is(err, errGridUnsupported):
			return nil, err
		}
	}
	// libheif 1.18 in WebAssembly decodes a lone hvc1 item with first and
	// last chroma rows and columns unlike libde265's, and a grid's tiles
	// right: a plain item goes to it as the one tile of a grid.
	if g := itemGrid(data, h.item); g != nil {
		return decodeHEICFile(ctx, g.oneTileGrid(data, 0))
	}
	if h.item != 0 {
		var ok bool
		if data, ok = withPrimary(data, h.pitm, h.item); !ok {
			return nil, fmt.Errorf("cannot select thumbnail item %d", h.item)
		}
	}
	return decodeHEICFile(ctx, heicForLibheif(heicBrand(data)))
}

// decodeHEICFile decodes the primary image of the HEIC file data through
// libheif, in full range.
func decodeHEICFile(ctx context.Context, data []byte) (image.Image, error) {
	img, err := heif.DecodeHEIC(ctx, data)
	if err == nil && heicLimitedRange(data) {
		img = fromStudioSwing(img)
	}
	return img, err
}
