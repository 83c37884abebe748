package decode

import (
	"bytes"
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
// of 8-bit 4:2:0 samples of the BT.601 matrix (or unspecified), all of one
// even size and one sample range, without transforms of their own; a grid
// without alpha or clean aperture.
type heicGrid struct {
	rows, cols   int
	tileW, tileH int
	// width and height are the grid's output size, before irot and imir,
	// which crops the tiles of the right column and bottom row.
	width, height int
	tiles         []uint32 // item IDs, row by row
	// hidden are the offsets in the file of the flags bytes of the tiles'
	// infe boxes that mark them hidden: libheif refuses a hidden item as
	// the primary one.
	hidden []int
	// limited is whether the tiles' samples are limited range by their
	// sequence parameter set, which libheif stretches when it composes
	// the grid (whatever colr property the grid item has).
	limited bool
	// orientation is the EXIF orientation that the grid item's irot and
	// imir make, which Decode applies.
	orientation int
	fileSize    int
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
	g := &heicGrid{rows: rows, cols: cols, width: w, height: h, orientation: orientation, fileSize: len(b)}
	for _, r := range refs {
		switch {
		case r.typ == "dimg" && r.from == id:
			if g.tiles != nil {
				return nil
			}
			g.tiles = r.to
		case r.typ == "auxl" && slices.Contains(r.to, id):
			return nil // alpha or depth
		}
	}
	if len(g.tiles) != rows*cols {
		return nil
	}
	iprp := boxes(find(mb, "iprp"))
	props := boxes(find(iprp, "ipco"))
	ipma := find(iprp, "ipma")
	for i, tile := range g.tiles {
		typ, infe := itemInfo(mb, tile)
		if typ != "hvc1" {
			return nil
		}
		if infe[3]&1 != 0 {
			// boxes only reslices b, so the capacities tell where infe is.
			g.hidden = append(g.hidden, cap(b)-cap(infe)+3)
		}
		var hvcC []byte
		var tw, th int
		for _, j := range primaryProps(ipma, tile) {
			if j < 1 || j > len(props) {
				return nil
			}
			p := props[j-1].data
			switch props[j-1].typ {
			case "hvcC":
				hvcC = p
			case "ispe":
				if len(p) >= 12 {
					tw, th = int(binary.BigEndian.Uint32(p[4:])), int(binary.BigEndian.Uint32(p[8:]))
				}
			case "pixi":
			case "colr":
				if len(p) < 4 || string(p[:4]) == "nclx" {
					return nil
				}
			default:
				return nil // a transform, or what this decoder does not know
			}
		}
		// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1):
		// chroma format, luma and chroma bit depths less 8.
		if len(hvcC) < 19 || hvcC[16]&3 != 1 || hvcC[17]&7 != 0 || hvcC[18]&7 != 0 {
			return nil
		}
		full, err := hevcFullRange(hvcC)
		if err != nil {
			return nil
		}
		// The samples are taken as Go's YCbCr takes them, BT.601 (5 and 6)
		// or unspecified.
		if m, err := hevcMatrix(hvcC); err != nil || m != 2 && m != 5 && m != 6 {
			return nil
		}
		if i == 0 {
			g.tileW, g.tileH, g.limited = tw, th, !full
		} else if tw != g.tileW || th != g.tileH || g.limited == full {
			return nil
		}
	}
	tw, th := g.tileW, g.tileH
	if tw < 2 || th < 2 || tw%2 != 0 || th%2 != 0 ||
		cols*tw < w || (cols-1)*tw >= w || rows*th < h || (rows-1)*th >= h {
		return nil
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
// WebAssembly decoder's fixed memory: the file twice (the working copy and
// the decoder's), one tile as libheif decodes it (costHEIC per pixel), a
// row of decoded tiles (4:2:0 planes, their rows padded: 2 bytes per
// pixel), and the shrunk 4:4:4 picture; and the decoded tiles that
// gen2brain/heic's decode function never frees in the decoder's memory
// (2 bytes per pixel), up to the memory at which the decoder is closed
// rather than kept (heif.HEICInstanceMemory).
func (g *heicGrid) cost(k int) float64 {
	tile := float64(g.tileW) * float64(g.tileH)
	shrunk := float64((g.width+k-1)/k) * float64((g.height+k-1)/k)
	leaked := min(float64(len(g.tiles))*tile*2, heif.HEICInstanceMemory)
	return 2*float64(g.fileSize) + tile*costHEIC + float64(g.cols)*tile*2 + shrunk*3 + leaked
}

// errGridUnsupported is the error of a tile that decodes to other samples
// than its header promised: Decode then decodes the whole picture.
var errGridUnsupported = errors.New("a tile unlike its header")

// decodeGridShrunk decodes the grid primary item of the HEIC file data,
// as h describes it (h.DecodesTiles(k)), straight to a 4:4:4 picture of
// ceil(w/k)×ceil(h/k), each luma sample the mean of a k×k block and each
// chroma sample the mean of the (k/2)×(k/2) chroma block under it, those
// at the right and bottom edges taken over the samples they hold, in full
// range; then it applies the grid's irot and imir. It decodes one tile at
// a time with libheif, from a copy of data whose pitm box names the tile,
// so that only one row of tiles and the shrunk picture exist at once.
func decodeGridShrunk(ctx context.Context, data []byte, h Header, k int) (*image.YCbCr, error) {
	g := h.grid
	work := heicForLibheif(heicBrand(data))
	if len(work) > 0 && &work[0] == &data[0] {
		work = bytes.Clone(data)
	}
	for _, at := range g.hidden {
		work[at] &^= 1
	}
	w, ht := g.width, g.height
	dw, dh := (w+k-1)/k, (ht+k-1)/k
	out := image.NewYCbCr(image.Rect(0, 0, dw, dh), image.YCbCrSubsampleRatio444)
	lumaRange, chromaRange := fullRange, fullRange
	if g.limited {
		lumaRange, chromaRange = limitedLuma, limitedChroma
	}
	cw, ch := (w+1)/2, (ht+1)/2
	luma := newBoxRows(out.Y, dw, w, ht, k, lumaRange)
	cb := newBoxRows(out.Cb, dw, cw, ch, k/2, chromaRange)
	cr := newBoxRows(out.Cr, dw, cw, ch, k/2, chromaRange)
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
			id := g.tiles[r*g.cols+c]
			if !setPrimary(work, h.pitm, id) {
				return nil, errGridUnsupported
			}
			img, err := heif.DecodeHEIC(ctx, work)
			if err != nil {
				return nil, fmt.Errorf("tile %d of %d (item %d): %w", r*g.cols+c+1, len(g.tiles), id, err)
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
// item, through libheif, in full range.
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
	if h.item != 0 {
		var ok bool
		if data, ok = withPrimary(data, h.pitm, h.item); !ok {
			return nil, fmt.Errorf("cannot select thumbnail item %d", h.item)
		}
	}
	img, err := heif.DecodeHEIC(ctx, heicForLibheif(heicBrand(data)))
	if err == nil && heicLimitedRange(data) {
		img = fromStudioSwing(img)
	}
	return img, err
}
