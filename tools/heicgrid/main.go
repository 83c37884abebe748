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

	"github.com/thumbs-dev/thumbs/internal/testimage"
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
	var tiles []testimage.HEVCItem
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
	var thumbs []testimage.HEVCItem
	if g.thumb > 0 {
		t, err := encode(dir, "thumb", fit(src, g.thumb), g.quality)
		if err != nil {
			return err
		}
		thumbs = append(thumbs, t)
	}
	file := testimage.HEICGrid(b.Dx(), b.Dy(), cols, rows, tiles, thumbs, g.irot, g.imir)
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
func encode(dir, name string, img image.Image, q int) (testimage.HEVCItem, error) {
	pngName, heicName := filepath.Join(dir, name+".png"), filepath.Join(dir, name+".heic")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return testimage.HEVCItem{}, err
	}
	if err := os.WriteFile(pngName, buf.Bytes(), 0o644); err != nil {
		return testimage.HEVCItem{}, err
	}
	cmd := exec.Command("heif-enc", "-q", fmt.Sprint(q), "-o", heicName, pngName)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return testimage.HEVCItem{}, fmt.Errorf("heif-enc %s: %v: %s", name, err, msg)
	}
	data, err := os.ReadFile(heicName)
	if err != nil {
		return testimage.HEVCItem{}, err
	}
	c, err := testimage.HEVCItemOf(data)
	if err != nil {
		return testimage.HEVCItem{}, fmt.Errorf("%s: %v", heicName, err)
	}
	return c, nil
}
