package tiff

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"testing"
)

// smooth is a picture without sharp edges, which JPEG keeps close.
func smooth(x, y, c int) uint16 {
	return uint16((x*900 + y*500 + c*15000) % 50000)
}

// encodeJPEG returns a JPEG stream of the w x h part of pic at (x0, y0), grey when gray.
func encodeJPEG(t *testing.T, x0, y0, w, h int, gray bool) []byte {
	t.Helper()
	var m image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				g.Pix[y*g.Stride+x] = uint8(smooth(x0+x, y0+y, 0) >> 8)
			}
		}
		m = g
	} else {
		n := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				n.SetNRGBA(x, y, color.NRGBA{uint8(smooth(x0+x, y0+y, 0) >> 8), uint8(smooth(x0+x, y0+y, 1) >> 8), uint8(smooth(x0+x, y0+y, 2) >> 8), 255})
			}
		}
		m = n
	}
	var b bytes.Buffer
	if err := stdjpeg.Encode(&b, m, &stdjpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// splitTables splits a JPEG stream into JPEGTables (SOI, DQT and DHT segments, EOI)
// and the rest (SOI and every other segment and the scan).
func splitTables(t *testing.T, s []byte) (tables, rest []byte) {
	t.Helper()
	tables, rest = []byte{0xFF, 0xD8}, []byte{0xFF, 0xD8}
	for i := 2; ; {
		if i+4 > len(s) || s[i] != 0xFF {
			t.Fatalf("bad marker at %d", i)
		}
		marker := s[i+1]
		if marker == 0xDA {
			rest = append(rest, s[i:]...)
			break
		}
		n := int(s[i+2])<<8 | int(s[i+3])
		seg := s[i : i+2+n]
		if marker == 0xDB || marker == 0xC4 {
			tables = append(tables, seg...)
		} else {
			rest = append(rest, seg...)
		}
		i += 2 + n
	}
	return append(tables, 0xFF, 0xD9), rest
}

func TestDecodeJPEG(t *testing.T) {
	tests := []struct {
		name        string
		photometric int
		gray        bool
		tiled       bool
		tables      bool
	}{
		{"YCbCr strips with JPEGTables", pYCbCr, false, false, true},
		{"YCbCr tiles with JPEGTables", pYCbCr, false, true, true},
		{"YCbCr strips with their own tables", pYCbCr, false, false, false},
		{"RGB photometric keeps components as stored", pRGB, false, true, true},
		{"grey strips", pBlackIsZero, true, false, true},
	}
	const w, h = 45, 37
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tiffFile{width: w, height: h, bps: 8, spp: 3, photometric: tt.photometric, compression: cJPEG, rowsPerStrip: 16}
			if tt.gray {
				f.spp = 1
			}
			cw, ch := w, 16
			if tt.tiled {
				f.tileW, f.tileH, cw, ch = 32, 16, 32, 16
			}
			want := image.NewNRGBA(image.Rect(0, 0, w, h))
			var tables []byte
			for y0 := 0; y0 < h; y0 += ch {
				for x0 := 0; x0 < w; x0 += cw {
					rows := ch
					if !tt.tiled {
						rows = min(ch, h-y0)
					}
					s := encodeJPEG(t, x0, y0, cw, rows, tt.gray)
					ref, err := stdjpeg.Decode(bytes.NewReader(s))
					if err != nil {
						t.Fatal(err)
					}
					for y := 0; y < rows && y0+y < h; y++ {
						for x := 0; x < cw && x0+x < w; x++ {
							var c color.NRGBA
							switch m := ref.(type) {
							case *image.Gray:
								v := m.GrayAt(x, y).Y
								c = color.NRGBA{v, v, v, 255}
							case *image.YCbCr:
								yc := m.YCbCrAt(x, y)
								if tt.photometric == pRGB {
									c = color.NRGBA{yc.Y, yc.Cb, yc.Cr, 255}
								} else {
									r, g, b := color.YCbCrToRGB(yc.Y, yc.Cb, yc.Cr)
									c = color.NRGBA{r, g, b, 255}
								}
							default:
								t.Fatalf("reference decode gave %T", ref)
							}
							want.SetNRGBA(x0+x, y0+y, c)
						}
					}
					if tt.tables {
						tables, s = splitTables(t, s)
					}
					f.chunks = append(f.chunks, s)
				}
			}
			if tt.tables {
				f.extraTags = []entry{{tag: tagJPEGTables, typ: typeUndefined, raw: tables}}
			}
			img, err := Decode(writeTIFF(t, f))
			if err != nil {
				t.Fatal(err)
			}
			checkPixels(t, img, w, h, 2, func(x, y int) [4]uint8 {
				c := want.NRGBAAt(x, y)
				return [4]uint8{c.R, c.G, c.B, c.A}
			})
		})
	}
}

func TestDecodeOldStyleJPEG(t *testing.T) {
	const w, h = 40, 24
	s := encodeJPEG(t, 0, 0, w, h, false)
	ref, err := stdjpeg.Decode(bytes.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	for _, viaInterchange := range []bool{true, false} {
		t.Run(fmt.Sprintf("JPEGInterchangeFormat=%v", viaInterchange), func(t *testing.T) {
			// The stream is the only strip, at offset 8 right after the header.
			f := tiffFile{width: w, height: h, bps: 8, spp: 3, photometric: pYCbCr, compression: cOldJPEG, chunks: [][]byte{s}}
			if viaInterchange {
				f.extraTags = []entry{
					{tag: tagJPEGIFOffset, typ: typeLong, vals: []uint64{8}},
					{tag: tagJPEGIFLength, typ: typeLong, vals: []uint64{uint64(len(s))}},
				}
			}
			img, err := Decode(writeTIFF(t, f))
			if err != nil {
				t.Fatal(err)
			}
			checkPixels(t, img, w, h, 2, func(x, y int) [4]uint8 {
				r, g, b, _ := ref.At(x, y).RGBA()
				return [4]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}
			})
		})
	}
	t.Run("without a JPEG stream", func(t *testing.T) {
		f := tiffFile{width: w, height: h, bps: 8, spp: 3, photometric: pYCbCr, compression: cOldJPEG, chunks: [][]byte{make([]byte, 100)}}
		if _, err := Decode(writeTIFF(t, f)); err == nil || !bytes.Contains([]byte(err.Error()), []byte("JPEGInterchangeFormat")) {
			t.Errorf("error %v, want one naming JPEGInterchangeFormat", err)
		}
	})
}

func TestDecodePlanarJPEG(t *testing.T) {
	// RGB with PlanarConfiguration 2: every strip of every plane is a grey JPEG.
	const w, h = 30, 20
	f := tiffFile{width: w, height: h, bps: 8, spp: 3, photometric: pRGB, planar: true, compression: cJPEG, rowsPerStrip: 8}
	want := make([][]uint8, 3)
	for c := 0; c < 3; c++ {
		want[c] = make([]uint8, w*h)
		for y0 := 0; y0 < h; y0 += 8 {
			rows := min(8, h-y0)
			g := image.NewGray(image.Rect(0, 0, w, rows))
			for y := 0; y < rows; y++ {
				for x := 0; x < w; x++ {
					g.Pix[y*w+x] = uint8(smooth(x, y0+y, c) >> 8)
				}
			}
			var b bytes.Buffer
			if err := stdjpeg.Encode(&b, g, &stdjpeg.Options{Quality: 95}); err != nil {
				t.Fatal(err)
			}
			ref, err := stdjpeg.Decode(bytes.NewReader(b.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			rg := ref.(*image.Gray)
			for y := 0; y < rows; y++ {
				copy(want[c][(y0+y)*w:(y0+y+1)*w], rg.Pix[rg.PixOffset(0, y):])
			}
			f.chunks = append(f.chunks, b.Bytes())
		}
	}
	img, err := Decode(writeTIFF(t, f))
	if err != nil {
		t.Fatal(err)
	}
	checkPixels(t, img, w, h, 1, func(x, y int) [4]uint8 {
		i := y*w + x
		return [4]uint8{want[0][i], want[1][i], want[2][i], 255}
	})
}
