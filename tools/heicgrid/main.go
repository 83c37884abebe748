// Command heicgrid writes a HEIC file whose primary item is a grid of HEVC
// tiles, as phones write their photos, from a PNG or JPEG picture. libheif
// 1.15's heif-enc cannot write grids itself: heicgrid cuts the picture
// into tiles (the right and bottom ones padded by repeating their last
// column and row), encodes each tile as a HEIC file of its own with
// heif-enc, and assembles the tiles' HEVC streams into one file: a grid
// item whose output size is the picture's (cropping the padding), hidden
// hvc1 tile items, and optionally an hvc1 thumbnail item and an irot or
// imir property on the grid item.
//
// Usage:
//
//	heicgrid [-tile 512] [-q 70] [-thumb 320] [-irot N] [-imir A] -o out.heic in.png
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"

	xdraw "golang.org/x/image/draw"
)

func main() {
	os.Exit(run())
}

func run() int {
	tile := flag.Int("tile", 512, "tile width and height, even and at least 96 (`px`)")
	quality := flag.Int("q", 70, "heif-enc quality")
	thumb := flag.Int("thumb", 0, "add a thumbnail item fitting this box (`px`; 0: none)")
	rot := flag.Int("irot", 0, "irot property of the grid item: counter-clockwise quarter turns (0: none)")
	mir := flag.Int("imir", -1, "imir property of the grid item: axis 0 or 1 (-1: none)")
	out := flag.String("o", "", "output `file`")
	flag.Parse()
	if flag.NArg() != 1 || *out == "" || *tile < 96 || *tile%2 != 0 {
		fmt.Fprintln(os.Stderr, "usage: heicgrid [-tile 512] [-q 70] [-thumb 320] [-irot N] [-imir A] -o out.heic in.png")
		return 2
	}
	g := grid{tile: *tile, quality: *quality, thumb: *thumb, irot: *rot, imir: *mir}
	if err := g.write(flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "heicgrid:", err)
		return 1
	}
	return 0
}

// grid is what to write.
type grid struct {
	tile, quality, thumb, irot, imir int
}

// coded is an hvc1 item taken from a heif-enc file: its hvcC property and
// its data.
type coded struct {
	hvcC []byte
	w, h int
	data []byte
}

func (g grid) write(in, out string) error {
	src, err := readImage(in)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "heicgrid-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := src.Bounds()
	cols, rows := (b.Dx()+g.tile-1)/g.tile, (b.Dy()+g.tile-1)/g.tile
	if cols*rows > 0xfff0 || cols > 256 || rows > 256 {
		return errors.New("too many tiles")
	}
	var tiles []coded
	for r := range rows {
		for c := range cols {
			t := padded(src, image.Rect(c*g.tile, r*g.tile, (c+1)*g.tile, (r+1)*g.tile))
			item, err := encode(dir, fmt.Sprintf("tile%d-%d", r, c), t, g.quality)
			if err != nil {
				return err
			}
			tiles = append(tiles, item)
		}
	}
	var thumbs []coded
	if g.thumb > 0 {
		t, err := encode(dir, "thumb", fit(src, g.thumb), g.quality)
		if err != nil {
			return err
		}
		thumbs = append(thumbs, t)
	}
	file := assemble(b.Dx(), b.Dy(), cols, rows, tiles, thumbs, g.irot, g.imir)
	return os.WriteFile(out, file, 0o644)
}

func readImage(name string) (image.Image, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	return img, err
}

// padded returns the part r of src as an opaque RGBA picture of r's size,
// the pixels outside src repeating its last column and row.
func padded(src image.Image, r image.Rectangle) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := range r.Dy() {
		sy := min(r.Min.Y+y, b.Max.Y-1)
		for x := range r.Dx() {
			sx := min(r.Min.X+x, b.Max.X-1)
			dst.Set(x, y, src.At(sx, sy))
		}
	}
	return dst
}

// fit returns src resized to fit a box of n×n, both sides even (heif-enc
// 1.15 writes a grid of its own for an odd side).
func fit(src image.Image, n int) image.Image {
	b := src.Bounds()
	w, h := n, n
	if b.Dx() >= b.Dy() {
		h = b.Dy() * n / b.Dx()
	} else {
		w = b.Dx() * n / b.Dy()
	}
	w, h = max(w&^1, 2), max(h&^1, 2)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

// encode writes img as name.png in dir, encodes it with heif-enc at
// quality q, and returns the coded primary item of the result.
func encode(dir, name string, img image.Image, q int) (coded, error) {
	pngName, heicName := filepath.Join(dir, name+".png"), filepath.Join(dir, name+".heic")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return coded{}, err
	}
	if err := os.WriteFile(pngName, buf.Bytes(), 0o644); err != nil {
		return coded{}, err
	}
	cmd := exec.Command("heif-enc", "-q", fmt.Sprint(q), "-o", heicName, pngName)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return coded{}, fmt.Errorf("heif-enc %s: %v: %s", name, err, msg)
	}
	data, err := os.ReadFile(heicName)
	if err != nil {
		return coded{}, err
	}
	c, err := primaryCoded(data)
	if err != nil {
		return coded{}, fmt.Errorf("%s: %v", heicName, err)
	}
	c.w, c.h = img.Bounds().Dx(), img.Bounds().Dy()
	return c, nil
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

// primaryCoded returns the hvcC property and the data of the primary item
// of a file as heif-enc writes it for an even-sized picture: one hvc1 item
// (ID 1) with one extent, an ipma of version 0.
func primaryCoded(file []byte) (coded, error) {
	top := boxes(file)
	meta := find(top, "meta")
	if len(meta) < 4 {
		return coded{}, errors.New("no meta box")
	}
	mb := boxes(meta[4:])
	if p := find(mb, "pitm"); len(p) < 6 || binary.BigEndian.Uint16(p[4:]) != 1 {
		return coded{}, errors.New("the primary item is not item 1")
	}
	var c coded
	iprp := boxes(find(mb, "iprp"))
	props := boxes(find(iprp, "ipco"))
	ipma := find(iprp, "ipma")
	if len(ipma) < 11 || ipma[0] != 0 || ipma[3]&1 != 0 || binary.BigEndian.Uint16(ipma[8:]) != 1 {
		return coded{}, errors.New("unexpected ipma")
	}
	for _, i := range ipma[11 : 11+int(ipma[10])] {
		if p := props[int(i&0x7f)-1]; p.typ == "hvcC" {
			c.hvcC = p.data
		}
	}
	iloc := find(mb, "iloc")
	// version 0, offset and length sizes 4, a base offset of 0 or 4 bytes,
	// one item of one extent.
	if len(iloc) < 6 || iloc[0] != 0 || iloc[4] != 0x44 || iloc[5] != 0 && iloc[5] != 0x40 {
		return coded{}, errors.New("unexpected iloc")
	}
	p := iloc[6:]
	base := 0
	if iloc[5] == 0x40 {
		if len(p) < 10 {
			return coded{}, errors.New("iloc cut short")
		}
		base, p = int(binary.BigEndian.Uint32(p[6:])), append(p[:6:6], p[10:]...)
	}
	if len(p) < 16 || binary.BigEndian.Uint16(p) != 1 || binary.BigEndian.Uint16(p[6:]) != 1 {
		return coded{}, errors.New("unexpected iloc")
	}
	off, n := uint64(base)+uint64(binary.BigEndian.Uint32(p[8:])), uint64(binary.BigEndian.Uint32(p[12:]))
	if c.hvcC == nil || off+n > uint64(len(file)) {
		return coded{}, errors.New("no hvcC, or data outside the file")
	}
	c.data = file[off : off+n]
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

// assemble returns the HEIC file: item 1 the w×h grid of cols×rows tiles
// (items 2 on, row by row, hidden), then the thumbnail items; the grid
// item's properties are its ispe and the given irot (when not 0) and imir
// (when not -1). Each distinct hvcC is one property.
func assemble(w, h, cols, rows int, tiles, thumbs []coded, irot, imir int) []byte {
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
		items = append(items, item{typ: "hvc1", hidden: true, data: t.data,
			props: []int{0x80 | prop(mkbox("hvcC", t.hvcC)), prop(fullBox("ispe", 0, 0, u32(t.w), u32(t.h)))}})
	}
	for _, t := range thumbs {
		items = append(items, item{typ: "hvc1", data: t.data,
			props: []int{0x80 | prop(mkbox("hvcC", t.hvcC)), prop(fullBox("ispe", 0, 0, u32(t.w), u32(t.h)))}})
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
