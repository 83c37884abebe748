package bmp_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/bmp"
)

// conformanceCase is one way of writing a test picture.
type conformanceCase struct {
	name string
	file bmpFile
	pic  picture
}

// conformanceCases crosses header variants, depths and compressions the way
// the BMP suite does: every layout a peer reads.
func conformanceCases() []conformanceCase {
	const w, h = 37, 11 // odd, so that rows need padding at every depth
	var cases []conformanceCase
	add := func(name string, f bmpFile, p picture) {
		cases = append(cases, conformanceCase{name, f, p})
	}
	windows := []int{40, 52, 56, 108, 124}
	os2 := []int{12, 16, 64}
	for _, info := range append(os2, windows...) {
		isWindows := info != 12 && info != 16 && info != 64
		orders := []bool{false}
		if isWindows {
			orders = []bool{false, true}
		}
		for _, topDown := range orders {
			order := "bottom-up"
			if topDown {
				order = "top-down"
			}
			name := func(s string) string { return fmt.Sprintf("%d/%s/%s", info, order, s) }
			gap := 0
			if info == 124 {
				gap = 7
			}
			for _, depth := range []int{1, 2, 4, 8} {
				full := testPalette(1<<depth, false)
				f := bmpFile{infoSize: info, bitsPerPixel: depth, topDown: topDown, palette: full, gap: gap}
				add(name(fmt.Sprintf("pal%d", depth)), f, indexPicture(w, h, depth))
				f.palette = testPalette(1<<depth, true)
				add(name(fmt.Sprintf("pal%d-gray", depth)), f, indexPicture(w, h, depth))
				if depth >= 2 && info != 12 && info != 16 { // only these headers have a colour count
					// A palette shorter than the depth allows, with indices past its end.
					f.palette = full[:3]
					f.colorsUsed = 3
					add(name(fmt.Sprintf("pal%d-short", depth)), f, indexPicture(w, h, depth))
				}
			}
			if info != 12 && info != 16 { // 16-byte OS/2 headers end before the compression field
				for _, c := range []struct {
					compression uint32
					depth       int
					name        string
				}{{biRLE8, 8, "rle8"}, {biRLE4, 4, "rle4"}} {
					f := bmpFile{infoSize: info, bitsPerPixel: c.depth, compression: c.compression, topDown: topDown,
						palette: testPalette(1<<c.depth, false), gap: gap}
					add(name(c.name), f, indexPicture(w, h, c.depth))
					f.palette = testPalette(1<<c.depth, true)
					add(name(c.name+"-gray"), f, indexPicture(w, h, c.depth))
					f.palette = testPalette(5, false)
					f.colorsUsed = 5
					add(name(c.name+"-short"), f, indexPicture(w, h, c.depth))
				}
			}
			add(name("rgb24"), bmpFile{infoSize: info, bitsPerPixel: 24, topDown: topDown, gap: gap}, colorPicture(w, h))
			if info == 12 {
				continue
			}
			add(name("rgb16-555"), bmpFile{infoSize: info, bitsPerPixel: 16, topDown: topDown, gap: gap}, colorPicture(w, h))
			add(name("rgb32"), bmpFile{infoSize: info, bitsPerPixel: 32, topDown: topDown, gap: gap}, colorPicture(w, h))
			if !isWindows {
				if info == 64 {
					add(name("rle24"), bmpFile{infoSize: info, bitsPerPixel: 24, compression: biRLE24OS2}, runPicture(w, h))
				}
				continue
			}
			for _, m := range []struct {
				name  string
				depth int
				masks [4]uint32
			}{
				{"565", 16, [4]uint32{0xf800, 0x07e0, 0x001f, 0}},
				{"4444", 16, [4]uint32{0x0f00, 0x00f0, 0x000f, 0xf000}},
				{"1555", 16, [4]uint32{0x7c00, 0x03e0, 0x001f, 0x8000}},
				{"664-no-alpha", 16, [4]uint32{0xfc00, 0x03f0, 0x000f, 0}},
				{"8888", 32, [4]uint32{0xff0000, 0xff00, 0xff, 0xff000000}},
				{"rgba-order", 32, [4]uint32{0xff000000, 0xff0000, 0xff00, 0xff}},
				{"10-10-10-2", 32, [4]uint32{0x3ff00000, 0xffc00, 0x3ff, 0xc0000000}},
				{"12-12-7-1", 32, [4]uint32{0xfff00000, 0xfff00, 0xfe, 0x1}},
				{"32-bit-wide", 32, [4]uint32{0xffffffff, 0, 0, 0}},
				{"green-missing", 32, [4]uint32{0xff0000, 0, 0xff, 0}},
			} {
				f := bmpFile{infoSize: info, bitsPerPixel: m.depth, compression: biBitfields, masks: m.masks, topDown: topDown, gap: gap}
				add(name("bitfields-"+m.name), f, colorPicture(w, h))
				if info == 40 {
					f.compression = biAlphaBitfields
					add(name("alphabitfields-"+m.name), f, colorPicture(w, h))
				}
			}
		}
	}
	return cases
}

// nrgbaAt returns the pixel of img at (x, y) as non-premultiplied 8-bit colour.
func nrgbaAt(img image.Image, x, y int) color.NRGBA {
	if m, ok := img.(*image.NRGBA); ok {
		return m.NRGBAAt(x, y)
	}
	return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
}

// samePixels fails t unless got holds exactly the pixels of want.
func samePixels(t *testing.T, got image.Image, want *image.NRGBA) {
	t.Helper()
	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	for y := range want.Rect.Dy() {
		for x := range want.Rect.Dx() {
			if g, w := nrgbaAt(got, x, y), want.NRGBAAt(x, y); g != w {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, g, w)
			}
		}
	}
}

// wantType returns the image type Decode should give for f.
func wantType(f bmpFile) string {
	switch {
	case f.hasAlpha():
		return "*image.NRGBA"
	case f.palette != nil:
		for _, c := range f.palette {
			if c[0] != c[1] || c[1] != c[2] {
				return "*image.RGBA"
			}
		}
		return "*image.Gray"
	}
	return "*image.RGBA"
}

// TestConformance encodes a known picture in every layout, decodes it, and
// compares every pixel exactly: palette lookups and 24-bit pixels are
// lossless, and bitfields must scale an n-bit field v to round(v*255/(2^n-1)).
func TestConformance(t *testing.T) {
	for _, c := range conformanceCases() {
		t.Run(c.name, func(t *testing.T) {
			data := c.file.encode(c.pic)
			img, err := bmp.Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got, want := fmt.Sprintf("%T", img), wantType(c.file); got != want {
				t.Errorf("image type %s, want %s", got, want)
			}
			samePixels(t, img, c.file.expected(c.pic))
			cfg, err := bmp.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("DecodeConfig: %v", err)
			}
			if cfg.Width != c.pic.w || cfg.Height != c.pic.h || cfg.ColorModel != img.ColorModel() {
				t.Errorf("DecodeConfig = %dx%d %v, want %dx%d %v", cfg.Width, cfg.Height, cfg.ColorModel, c.pic.w, c.pic.h, img.ColorModel())
			}
		})
	}
}

// TestBitfieldsCloseToSource bounds the error bitfields make: an n-bit field
// is within half a step, 255/(2^n-1)/2, of the 8-bit value it stores.
func TestBitfieldsCloseToSource(t *testing.T) {
	pic := colorPicture(64, 16)
	f := bmpFile{infoSize: 124, bitsPerPixel: 16, compression: biBitfields, masks: [4]uint32{0xf800, 0x07e0, 0x001f, 0}}
	img, err := bmp.Decode(f.encode(pic))
	if err != nil {
		t.Fatal(err)
	}
	tolerance := []int{5, 3, 5} // ceil(255/31/2 + rounding), ceil(255/63/2 + rounding)
	for y := range 16 {
		for x := range 64 {
			got, src := nrgbaAt(img, x, y), pic.rgba.NRGBAAt(x, y)
			for i, d := range []int{int(got.R) - int(src.R), int(got.G) - int(src.G), int(got.B) - int(src.B)} {
				if d < -tolerance[i] || d > tolerance[i] {
					t.Fatalf("pixel (%d,%d) channel %d is %v, source %v", x, y, i, got, src)
				}
			}
		}
	}
}

func TestRLEPixelsSkippedTakePaletteEntryZero(t *testing.T) {
	// 4x2 RLE8, bottom-up: bottom row: 1 pixel of 1, delta 2 right, 1 pixel
	// of 2, end of line; top row: nothing (end of bitmap).
	pixels := []byte{1, 1, 0, 2, 2, 0, 1, 2, 0, 0, 0, 1}
	f := bmpFile{infoSize: 40, bitsPerPixel: 8, compression: biRLE8,
		palette: [][3]byte{{10, 20, 30}, {200, 0, 0}, {0, 200, 0}}, colorsUsed: 3}
	data := f.encode(picture{w: 4, h: 2, index: make([]byte, 8)})
	data = append(data[:len(data)-len(f.pixels(picture{w: 4, h: 2, index: make([]byte, 8)}))], pixels...)
	img, err := bmp.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	bg, red, green := color.NRGBA{10, 20, 30, 255}, color.NRGBA{200, 0, 0, 255}, color.NRGBA{0, 200, 0, 255}
	want := [2][4]color.NRGBA{{bg, bg, bg, bg}, {red, bg, bg, green}}
	for y := range 2 {
		for x := range 4 {
			if got := nrgbaAt(img, x, y); got != want[y][x] {
				t.Errorf("pixel (%d,%d) = %v, want %v", x, y, got, want[y][x])
			}
		}
	}
}

func TestRLE4AlternatingRunAndOddLiteral(t *testing.T) {
	// 6x1 RLE4: a run of 3 alternating 1,2; a literal of 3 pixels 3,4,5 (two
	// bytes, padded to 16 bits); end of bitmap.
	pixels := []byte{3, 0x12, 0, 3, 0x34, 0x50, 0, 1}
	pal := testPalette(16, false)
	f := bmpFile{infoSize: 40, bitsPerPixel: 4, compression: biRLE4, palette: pal}
	zero := picture{w: 6, h: 1, index: make([]byte, 6)}
	data := f.encode(zero)
	data = append(data[:len(data)-len(f.pixels(zero))], pixels...)
	img, err := bmp.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for x, i := range []int{1, 2, 1, 3, 4, 5} {
		want := color.NRGBA{pal[i][0], pal[i][1], pal[i][2], 255}
		if got := nrgbaAt(img, x, 0); got != want {
			t.Errorf("pixel %d = %v, want palette entry %d %v", x, got, i, want)
		}
	}
}

func TestEmbeddedPayloads(t *testing.T) {
	src := colorPicture(20, 10).rgba
	opaque := image.NewNRGBA(src.Rect)
	copy(opaque.Pix, src.Pix)
	for i := 3; i < len(opaque.Pix); i += 4 {
		opaque.Pix[i] = 255
	}
	var pngData, jpegData bytes.Buffer
	if err := png.Encode(&pngData, src); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpegData, opaque, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name        string
		compression uint32
		payload     []byte
		w, h        int
		wantErr     string
	}{
		{"png", 5, pngData.Bytes(), 20, 10, ""},
		{"jpeg", 4, jpegData.Bytes(), 20, 10, ""},
		{"png with other dimensions", 5, pngData.Bytes(), 21, 10, "embedded PNG is 20x10, the header says 21x10"},
		{"broken png", 5, pngData.Bytes()[:40], 20, 10, "embedded PNG"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := embeddedFile(tt.compression, tt.w, tt.h, tt.payload)
			img, err := bmp.Decode(data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, _, err := image.Decode(bytes.NewReader(tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			for y := range 10 {
				for x := range 20 {
					if g, w := nrgbaAt(img, x, y), nrgbaAt(want, x, y); g != w {
						t.Fatalf("pixel (%d,%d) = %v, the payload's decoder gives %v", x, y, g, w)
					}
				}
			}
		})
	}
}

// embeddedFile returns a V5 BMP whose pixel data is a PNG or JPEG payload.
func embeddedFile(compression uint32, w, h int, payload []byte) []byte {
	f := bmpFile{infoSize: 124, compression: compression}
	header := f.encode(picture{w: w, h: h, rgba: image.NewNRGBA(image.Rect(0, 0, 0, 0))})[:14+124]
	binary.LittleEndian.PutUint32(header[2:], uint32(len(header)+len(payload)))
	binary.LittleEndian.PutUint32(header[14+20:], uint32(len(payload)))
	return append(header, payload...)
}

func TestTruncatedPixelsGivePartialImage(t *testing.T) {
	pic := colorPicture(10, 8)
	for _, tt := range []struct {
		name    string
		file    bmpFile
		pic     picture
		cut     int // bytes removed from the end
		rows    int
		topDown bool
	}{
		{"bottom-up 24-bit", bmpFile{infoSize: 40, bitsPerPixel: 24}, pic, 35, 6, false},
		{"top-down 24-bit", bmpFile{infoSize: 40, bitsPerPixel: 24, topDown: true}, pic, 35, 6, true},
		{"rle8", bmpFile{infoSize: 40, bitsPerPixel: 8, compression: biRLE8, palette: testPalette(256, false)}, indexPicture(10, 8, 8), 14, 6, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.file.encode(tt.pic)
			img, err := bmp.Decode(data[:len(data)-tt.cut])
			var te *bmp.TruncatedError
			if !errors.As(err, &te) {
				t.Fatalf("error %v, want a *TruncatedError", err)
			}
			if te.Rows != tt.rows || te.Height != 8 {
				t.Errorf("TruncatedError %+v, want %d of 8 rows", te, tt.rows)
			}
			if img == nil {
				t.Fatal("no partial image")
			}
			want := tt.file.expected(tt.pic)
			for i := range tt.rows {
				y := 7 - i
				if tt.topDown {
					y = i
				}
				for x := range 10 {
					if g, w := nrgbaAt(img, x, y), want.NRGBAAt(x, y); g != w {
						t.Fatalf("decoded row %d: pixel (%d,%d) = %v, want %v", i, x, y, g, w)
					}
				}
			}
		})
	}
}

func TestBadInputIsRefusedByName(t *testing.T) {
	valid := bmpFile{infoSize: 40, bitsPerPixel: 24}.encode(colorPicture(4, 4))
	patch := func(off int, b ...byte) []byte {
		d := bytes.Clone(valid)
		copy(d[off:], b)
		return d
	}
	os2Huffman := bmpFile{infoSize: 64, bitsPerPixel: 1, palette: testPalette(2, true)}.encode(indexPicture(8, 2, 1))
	os2Huffman[14+16] = 3
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated header"},
		{"not bmp", []byte("GIF89a..........................."), "not a BMP file"},
		{"OS/2 icon", append([]byte("CI"), valid[2:]...), `OS/2 icon or pointer ("CI")`},
		{"OS/2 pointer", append([]byte("PT"), valid[2:]...), `OS/2 icon or pointer ("PT")`},
		{"header cut", valid[:30], "truncated header"},
		{"odd header size", patch(14, 8), "unsupported info header size 8"},
		{"zero width", patch(18, 0, 0, 0, 0), "invalid dimensions 0x4"},
		{"negative width", patch(18, 0xfc, 0xff, 0xff, 0xff), "invalid dimensions -4x4"},
		{"height min int32", patch(22, 0, 0, 0, 0x80), "invalid height -2147483648"},
		{"huge over few bytes", patch(18, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0), "truncated pixel data: 0 of 65535 rows"},
		{"huge", patch(18, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f), "too large"},
		{"depth 7", patch(28, 7), "unsupported bits per pixel 7"},
		{"rle8 at 24 bits", patch(30, biRLE8), "24 bits per pixel is invalid with RLE8"},
		{"bitfields at 24 bits", patch(30, biBitfields), "24 bits per pixel is invalid with bitfields"},
		{"compression 9", patch(30, 9), "unsupported compression 9"},
		{"offset inside header", patch(10, 20), "pixel data offset 20 lies inside the headers"},
		{"no pixels", valid[:54], "truncated pixel data: 0 of 4 rows"},
		{"OS/2 Huffman", os2Huffman, "OS/2 Huffman 1D compression is not supported"},
		{"non-contiguous mask", bmpFile{infoSize: 56, bitsPerPixel: 32, compression: biBitfields,
			masks: [4]uint32{0xf0f0, 0xff0000, 0xff000000, 0}}.encode(colorPicture(2, 2)), "red mask 0x0000f0f0 is not a contiguous run of bits"},
		{"16-bit with 32-bit mask", bmpFile{infoSize: 56, bitsPerPixel: 16, compression: biBitfields,
			masks: [4]uint32{0xff0000, 0xff00, 0xff, 0}}.encode(colorPicture(2, 2)), "red mask 0x00ff0000 is wider than a 16-bit pixel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img, err := bmp.Decode(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode error %v, want one containing %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "bmp: ") {
				t.Errorf("error %q does not name the format", err)
			}
			var te *bmp.TruncatedError
			if img != nil && !errors.As(err, &te) {
				t.Errorf("image %T returned with error %v", img, err)
			}
		})
	}
}

func TestBitmapArrayGivesFirstBitmap(t *testing.T) {
	pic := indexPicture(9, 5, 8)
	f := bmpFile{infoSize: 12, bitsPerPixel: 8, palette: testPalette(256, false)}
	inner := f.encode(pic)
	array := make([]byte, 14, 14+len(inner))
	copy(array, "BA")
	array = append(array, inner...)
	// Offsets in an array count from the start of the file.
	off := int(inner[10]) | int(inner[11])<<8
	array[14+10], array[14+11] = byte(off+14), byte((off+14)>>8)
	img, err := bmp.Decode(array)
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, img, f.expected(pic))
}

func TestPaletteEmptiedByOffsetGivesBlack(t *testing.T) {
	// The pixel data starts right after the header, leaving no room for the
	// palette the depth implies.
	f := bmpFile{infoSize: 40, bitsPerPixel: 8}
	pic := indexPicture(5, 3, 8)
	img, err := bmp.Decode(f.encode(pic))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, img, f.expected(pic))
	if _, ok := img.(*image.Gray); !ok {
		t.Errorf("image %T, want *image.Gray (all black)", img)
	}
}

func TestRGB32UnusedByte(t *testing.T) {
	opaque := gradient(6, 4) // alpha 255 in the source, written as the fourth byte
	transparent := gradient(6, 4)
	for i := 3; i < len(transparent.rgba.Pix); i += 4 {
		transparent.rgba.Pix[i] = 0
	}
	for _, tt := range []struct {
		name string
		file bmpFile
		pic  picture
	}{
		{"BITMAPINFOHEADER, alpha throughout", bmpFile{infoSize: 40, bitsPerPixel: 32}, colorPicture(6, 4)},
		{"BITMAPINFOHEADER, 255 throughout", bmpFile{infoSize: 40, bitsPerPixel: 32}, opaque},
		{"BITMAPINFOHEADER, 0 throughout is opaque", bmpFile{infoSize: 40, bitsPerPixel: 32}, transparent},
		{"V5 ignores it", bmpFile{infoSize: 124, bitsPerPixel: 32}, colorPicture(6, 4)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img, err := bmp.Decode(tt.file.encode(tt.pic))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.file.expected(tt.pic)
			samePixels(t, img, want)
			if tt.pic.rgba == transparent.rgba && want.Pix[3] != 255 {
				t.Fatalf("expected picture is not opaque")
			}
		})
	}
}

func TestOS2v2ThreeBytePalette(t *testing.T) {
	// Some OS/2 2.x writers keep 3-byte palette entries; the pixel data
	// offset then leaves exactly room for them.
	f := bmpFile{infoSize: 64, bitsPerPixel: 8, palette: testPalette(256, false), rgbPalette: true}
	pic := indexPicture(9, 4, 8)
	img, err := bmp.Decode(f.encode(pic))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, img, f.expected(pic))
}

func TestICCProfile(t *testing.T) {
	profile := []byte("a stand-in for an ICC profile")
	withProfile := func(csType string, offset, size uint32) []byte {
		data := bmpFile{infoSize: 124, bitsPerPixel: 24}.encode(colorPicture(3, 2))
		copy(data[14+56:], csType)
		binary.LittleEndian.PutUint32(data[14+112:], offset)
		binary.LittleEndian.PutUint32(data[14+116:], size)
		return append(data, profile...)
	}
	pixelsEnd := uint32(len(bmpFile{infoSize: 124, bitsPerPixel: 24}.encode(colorPicture(3, 2))) - 14)
	for _, tt := range []struct {
		name string
		data []byte
		want []byte
	}{
		{"embedded after the pixels", withProfile("DEBM", pixelsEnd, uint32(len(profile))), profile},
		{"sRGB", withProfile("BGRs", pixelsEnd, uint32(len(profile))), nil},
		{"past the end", withProfile("DEBM", pixelsEnd, uint32(len(profile))+1), nil},
		{"V4 header", bmpFile{infoSize: 108, bitsPerPixel: 24}.encode(colorPicture(3, 2)), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := bmp.ICCProfile(tt.data); !bytes.Equal(got, tt.want) {
				t.Errorf("ICCProfile = %q, want %q", got, tt.want)
			}
			if _, err := bmp.Decode(tt.data); err != nil {
				t.Errorf("Decode: %v", err)
			}
		})
	}
}
