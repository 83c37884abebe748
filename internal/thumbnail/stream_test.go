package thumbnail

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/decode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// deep returns m in 16 bits per sample, the low byte of each sample
// varying with the position, so that dropping it shows.
func deep(m *image.NRGBA) *image.NRGBA64 {
	out := image.NewNRGBA64(m.Rect)
	for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
		for x := m.Rect.Min.X; x < m.Rect.Max.X; x++ {
			c := m.NRGBAAt(x, y)
			low := func(v uint8, s int) uint16 { return uint16(v)<<8 | uint16((x*7+y*13+s)&0xff) }
			a := uint16(c.A) * 257
			if c.A != 255 && c.A != 0 {
				a = low(c.A, 3)
			}
			out.SetNRGBA64(x, y, color.NRGBA64{low(c.R, 0), low(c.G, 1), low(c.B, 2), a})
		}
	}
	return out
}

// gray returns m as 8-bit gray.
func gray(m image.Image) *image.Gray {
	out := image.NewGray(m.Bounds())
	for y := m.Bounds().Min.Y; y < m.Bounds().Max.Y; y++ {
		for x := m.Bounds().Min.X; x < m.Bounds().Max.X; x++ {
			out.Set(x, y, m.At(x, y))
		}
	}
	return out
}

// paletted returns m reduced to a palette of 64 colours, some of them
// translucent.
func paletted(m *image.NRGBA) *image.Paletted {
	pal := make(color.Palette, 64)
	for i := range pal {
		pal[i] = color.NRGBA{uint8(i * 4), uint8(255 - i*4), uint8(i * 13), uint8(255 - i%4*60)}
	}
	out := image.NewPaletted(m.Rect, pal)
	for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
		for x := m.Rect.Min.X; x < m.Rect.Max.X; x++ {
			out.SetColorIndex(x, y, uint8((int(m.NRGBAAt(x, y).G)+x%3)/4))
		}
	}
	return out
}

// TestStreamedPNGMatchesWholePicture makes thumbnails of PNGs of each kind
// through both decoder paths: the picture decoded row by row into the box
// shrink, and the whole picture decoded by image/png, then split and box
// shrunk. 8-bit sources must give the same thumbnails to the byte of
// every sample. 16-bit ones differ only where the whole-picture path drops
// their low byte before averaging: at least 50 dB apart.
func TestStreamedPNGMatchesWholePicture(t *testing.T) {
	photo := testimage.Photo(613, 409) // not a multiple of the shrink factors
	translucent := alphaPhoto(613, 409)
	tests := []struct {
		name  string
		img   image.Image
		exact bool
	}{
		{"rgb8", photo, true},
		{"rgba8", translucent, true},
		{"gray8", gray(photo), true},
		{"paletted", paletted(photo), true},
		{"rgb16", deep(photo), false},
		{"rgba16", deep(translucent), false},
	}
	for _, tt := range tests {
		data := pngOf(t, tt.img)
		h, err := decode.ReadHeader(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []string{"100", "30x200", "150"} {
			t.Run(tt.name+"/"+size, func(t *testing.T) {
				o := Options{Boxes: []Box{mustBox(t, size)}}
				tw, th := target(h.Width, h.Height, o.Boxes[0], o.Fit, o.Upscale)
				k := preShrink(image.Rect(0, 0, h.Width, h.Height), 1, h.Width, h.Height, o)
				if k < 2 {
					t.Fatalf("shrink factor %d: the box is too large to test the streaming path", k)
				}
				planes, err := decode.DecodeShrunk(context.Background(), data, h, k)
				if err != nil {
					t.Fatal(err)
				}
				img, err := decode.Decode(context.Background(), data, h, 1)
				if err != nil {
					t.Fatal(err)
				}
				whole := boxShrink(split(img, float64(h.Width), float64(h.Height)), k)
				if planes.Gray != isGray(img) {
					t.Errorf("streamed Gray = %v, whole picture gray = %v", planes.Gray, isGray(img))
				}
				got, want := resize(fromPlanes(planes), tw, th), resize(whole, tw, th)
				p := psnr(t, want, got)
				t.Logf("%dx%d from 1/%d: %.2f dB", tw, th, k, p)
				switch {
				case tt.exact && p < 1000:
					t.Errorf("streamed thumbnail differs from the whole picture's: PSNR %.2f dB, want identical", p)
				case p < 50:
					t.Errorf("streamed thumbnail is %.2f dB from the whole picture's, want at least 50", p)
				}
			})
		}
	}
}

// TestStreamedPNGKeepsSixteenBits checks that a 16-bit PNG is rounded to
// 8 bits, not truncated: gray 0x00ff is 255/257 of a level, which rounds
// to 1, where dropping the low byte gives 0.
func TestStreamedPNGKeepsSixteenBits(t *testing.T) {
	m := image.NewGray16(image.Rect(0, 0, 64, 64))
	for i := 1; i < len(m.Pix); i += 2 {
		m.Pix[i] = 0xff
	}
	thumbs, err := Make(context.Background(), pngOf(t, m), Options{Boxes: []Box{mustBox(t, "8")}, Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := png.Decode(bytes.NewReader(thumbs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _, _ := out.At(3, 3).RGBA(); r>>8 != 1 {
		t.Errorf("gray 0x00ff came out as %d, want 1", r>>8)
	}
}

// TestDamagedPNGFailsAsBefore checks that a damaged PNG gives, through
// Make, the verdict image/png gives it on its own: the same error for a
// stream cut short or with a bad critical chunk, and a thumbnail with a
// warning for an ancillary chunk with a bad CRC.
func TestDamagedPNGFailsAsBefore(t *testing.T) {
	sound := pngOf(t, alphaPhoto(300, 200))
	idat := bytes.Index(sound, []byte("IDAT"))
	flip := func(at int) []byte {
		b := bytes.Clone(sound)
		b[at] ^= 0x20
		return b
	}
	withText := append(bytes.Clone(sound[:33]), pngChunk("tEXt", []byte("a\x00b"))...)
	withText = append(withText, sound[33:]...)
	badText := bytes.Clone(withText)
	badText[33+8+3] ^= 0xff // the tEXt chunk's CRC
	tests := []struct {
		name    string
		data    []byte
		warning string // for a thumbnail that is made; "" when it fails
	}{
		{"cut in the image data", sound[:idat+200], ""},
		{"cut before IEND", sound[:len(sound)-12], ""},
		{"IDAT data changed", flip(idat + 100), ""},
		{"IDAT CRC changed", flip(bytes.Index(sound, []byte("IEND")) - 6), ""},
		{"tEXt CRC bad", badText, `"tEXt" chunk at byte 33 has a bad CRC`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			thumbs, err := Make(context.Background(), tt.data, Options{Boxes: []Box{mustBox(t, "40")}})
			if tt.warning != "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(thumbs[0].Warnings) != 1 || !strings.Contains(thumbs[0].Warnings[0], tt.warning) {
					t.Errorf("warnings %q, want one with %q", thumbs[0].Warnings, tt.warning)
				}
				return
			}
			h, herr := decode.ReadHeader(tt.data)
			if herr != nil {
				t.Fatal(herr)
			}
			_, want := decode.Decode(context.Background(), tt.data, h, 1)
			if err == nil || want == nil || err.Error() != want.Error() {
				t.Errorf("Make: %v; image/png alone: %v", err, want)
			}
		})
	}
}
