package png

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"math"
	"testing"
)

// cases returns PNG streams of every colour type and bit depth, with and
// without tRNS, at sizes that are not multiples of the shrink factors.
func cases() []struct {
	name string
	s    stream
} {
	type tc = struct {
		name string
		s    stream
	}
	var out []tc
	const w, h = 37, 23
	for _, depth := range []int{1, 2, 4, 8, 16} {
		out = append(out, tc{fmt.Sprintf("gray%d", depth), stream{w: w, h: h, depth: depth, colorType: ctGray, pixels: noise(1, 1, depth)}})
		key := []byte{0, 1}
		if depth == 16 {
			key = []byte{0x12, 0x34}
		}
		out = append(out, tc{fmt.Sprintf("gray%d-trns", depth), stream{w: w, h: h, depth: depth, colorType: ctGray, trns: key, pixels: func(x, y int) []int {
			if (x+y)%3 == 0 { // the key
				return []int{int(key[0])<<8 | int(key[1])}
			}
			return noise(2, 1, depth)(x, y)
		}}})
		if depth <= 8 {
			n := 1 << depth
			plte := make([]byte, 3*n)
			for i := range plte {
				plte[i] = byte(i * 37)
			}
			alpha := make([]byte, n/2+1)
			for i := range alpha {
				alpha[i] = byte(255 - i*60)
			}
			out = append(out, tc{fmt.Sprintf("paletted%d", depth), stream{w: w, h: h, depth: depth, colorType: ctPaletted, palette: plte, pixels: noise(3, 1, depth)}})
			out = append(out, tc{fmt.Sprintf("paletted%d-trns", depth), stream{w: w, h: h, depth: depth, colorType: ctPaletted, palette: plte, trns: alpha, pixels: noise(4, 1, depth)}})
		}
		if depth >= 8 {
			out = append(out, tc{fmt.Sprintf("rgb%d", depth), stream{w: w, h: h, depth: depth, colorType: ctRGB, pixels: noise(5, 3, depth)}})
			key := []byte{0, 10, 0, 20, 0, 30}
			out = append(out, tc{fmt.Sprintf("rgb%d-trns", depth), stream{w: w, h: h, depth: depth, colorType: ctRGB, trns: key, pixels: func(x, y int) []int {
				if (x*y)%5 == 1 {
					return []int{10, 20, 30}
				}
				return noise(6, 3, depth)(x, y)
			}}})
			out = append(out, tc{fmt.Sprintf("grayalpha%d", depth), stream{w: w, h: h, depth: depth, colorType: ctGrayAlpha, pixels: noise(7, 2, depth)}})
			out = append(out, tc{fmt.Sprintf("rgba%d", depth), stream{w: w, h: h, depth: depth, colorType: ctRGBA, pixels: noise(8, 4, depth)}})
			opaque := func(x, y int) []int {
				p := noise(9, 4, depth)(x, y)
				p[3] = 1<<depth - 1
				return p
			}
			out = append(out, tc{fmt.Sprintf("rgba%d-opaque", depth), stream{w: w, h: h, depth: depth, colorType: ctRGBA, pixels: opaque}})
		}
	}
	// A palette index past PLTE reads as opaque black, as in libpng.
	out = append(out, tc{"paletted-short", stream{w: 9, h: 5, depth: 8, colorType: ctPaletted, palette: []byte{255, 0, 0, 0, 255, 0}, pixels: func(x, y int) []int { return []int{(x + y) % 4} }}})
	return out
}

// TestDecodeShrunkMatchesImagePNG decodes each stream box-shrunk by
// several factors and compares every sample with the block means of
// image/png's picture: within 1 level (of 255, or of 255·255 for
// premultiplied colour), since both round the same exact means.
func TestDecodeShrunkMatchesImagePNG(t *testing.T) {
	for _, tt := range cases() {
		data := tt.s.encode()
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: image/png: %v", tt.name, err)
		}
		for _, k := range []int{1, 2, 3, 7, 40} {
			t.Run(fmt.Sprintf("%s/k%d", tt.name, k), func(t *testing.T) {
				p, err := DecodeShrunk(context.Background(), data, k)
				if err != nil {
					t.Fatal(err)
				}
				colour, premultiplied, alpha, opaque, w, h := reference(img, k)
				if p.Width != w || p.Height != h {
					t.Fatalf("size %dx%d, want %dx%d", p.Width, p.Height, w, h)
				}
				if ex, ey := float64(tt.s.w)/float64(k), float64(tt.s.h)/float64(k); p.ExtentX != ex || p.ExtentY != ey {
					t.Errorf("extent %gx%g, want %gx%g", p.ExtentX, p.ExtentY, ex, ey)
				}
				wantGray := tt.s.colorType == ctGray && tt.s.trns == nil
				if p.Gray != wantGray {
					t.Errorf("Gray = %v, want %v", p.Gray, wantGray)
				}
				if opaque != (p.Alpha == nil) {
					t.Fatalf("alpha plane present = %v, but the picture is opaque = %v", p.Alpha != nil, opaque)
				}
				worst := 0.0
				check := func(got, want float64) { worst = max(worst, math.Abs(got-want)) }
				for i := range w * h {
					if opaque {
						for c := range 3 {
							check(float64(p.Colour[min(c, len(p.Colour)-1)][i]), colour[c][i])
						}
						continue
					}
					check(float64(p.Alpha[i]), alpha[i])
					for c := range 3 {
						check(float64(p.Premultiplied[c][i]), premultiplied[c][i])
					}
				}
				if worst > 1 {
					t.Errorf("a sample is %.2f levels off image/png's block mean, want at most 1", worst)
				}
			})
		}
	}
}

// damage returns variants of the sound stream b, each broken in one way.
func damage(b []byte) map[string][]byte {
	out := map[string][]byte{}
	for _, cut := range []int{len(b) - 1, len(b) - 12, len(b) / 2, 40} {
		out[fmt.Sprintf("cut at %d", cut)] = b[:cut]
	}
	idat := bytes.Index(b, []byte("IDAT"))
	flip := func(name string, at int) {
		c := bytes.Clone(b)
		c[at] ^= 0x40
		out[name] = c
	}
	flip("IDAT data", idat+20)
	flip("IHDR data", 8+8+9)
	flip("signature", 1)
	return out
}

// TestDecodeShrunkFailsWhereImagePNGFails breaks sound streams in several
// ways and checks that DecodeShrunk fails exactly when image/png does.
func TestDecodeShrunkFailsWhereImagePNGFails(t *testing.T) {
	for _, tt := range cases()[:6] {
		for name, data := range damage(tt.s.encode()) {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				_, stdErr := png.Decode(bytes.NewReader(data))
				_, err := DecodeShrunk(context.Background(), data, 2)
				if (err != nil) != (stdErr != nil) {
					t.Errorf("DecodeShrunk: %v; image/png: %v", err, stdErr)
				}
			})
		}
	}
}

func TestDecodeShrunkIgnoresAncillaryChunksWithBadCRC(t *testing.T) {
	s := stream{w: 8, h: 8, depth: 8, colorType: ctRGB, trns: []byte{0, 1, 0, 2, 0, 3}, pixels: func(x, y int) []int { return []int{1, 2, 3} }}
	data := s.encode()
	i := bytes.Index(data, []byte("tRNS"))
	data[i+4+6+3] ^= 0xff // the CRC
	p, err := DecodeShrunk(context.Background(), data, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Alpha != nil {
		t.Error("the tRNS chunk with a bad CRC was used")
	}
}

func TestDecodeShrunkLeavesInterlacedStreams(t *testing.T) {
	s := stream{w: 8, h: 8, depth: 8, colorType: ctGray, interlaced: true, pixels: noise(1, 1, 8)}
	if _, err := DecodeShrunk(context.Background(), s.encode(), 2); !errors.Is(err, ErrUnsupported) {
		t.Errorf("err = %v, want ErrUnsupported", err)
	}
}

func TestDecodeShrunkStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := stream{w: 8, h: 8, depth: 8, colorType: ctGray, pixels: noise(1, 1, 8)}
	if _, err := DecodeShrunk(ctx, s.encode(), 2); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestDecodeShrunkRefusesTooMuchPixelData(t *testing.T) {
	s := stream{w: 8, h: 8, depth: 8, colorType: ctGray, pixels: noise(1, 1, 8)}
	data := s.encode()
	// Claim one row fewer than the data holds.
	data[8+8+7] = 7
	fixCRC(data, 8)
	if _, err := DecodeShrunk(context.Background(), data, 1); err == nil || err.Error() != "png: too much pixel data" {
		t.Errorf("err = %v, want too much pixel data", err)
	}
}

// fixCRC recomputes the CRC of the chunk at offset at of b.
func fixCRC(b []byte, at int) {
	c := chunk(string(b[at+4:at+8]), b[at+8:at+8+int(b[at+3])|int(b[at+2])<<8])
	copy(b[at:], c)
}
