package encode

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"github.com/gen2brain/avif"
	"github.com/gen2brain/webp"
)

func picture(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(3)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			seed = seed*1664525 + 1013904223
			n := float64(seed>>27) - 16
			img.SetNRGBA(x, y, color.NRGBA{
				uint8(math.Max(0, math.Min(255, 128+100*math.Sin(float64(x)/9)+n))),
				uint8(math.Max(0, math.Min(255, 128+100*math.Cos(float64(y)/7)+n))),
				uint8(255 * x * y / (w * h)), 255})
		}
	}
	return img
}

func encodeBytes(t *testing.T, img image.Image, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, img, o); err != nil {
		t.Fatalf("%+v: %v", o, err)
	}
	return b.Bytes()
}

var formats = []Format{JPEG, PNG, WebP, AVIF}

func TestDeterministic(t *testing.T) {
	img := picture(97, 61)
	for _, f := range formats {
		for _, icc := range [][]byte{nil, rgbICC(1000)} {
			o := Options{Format: f, Quality: 80, ICC: icc}
			a, b := encodeBytes(t, img, o), encodeBytes(t, img, o)
			if !bytes.Equal(a, b) {
				t.Errorf("%s: two encodings differ", f)
			}
		}
	}
}

func TestDecodable(t *testing.T) {
	img := picture(97, 61)
	for _, f := range formats {
		for _, icc := range [][]byte{nil, rgbICC(999), rgbICC(200000)} {
			data := encodeBytes(t, img, Options{Format: f, Quality: 90, ICC: icc})
			var m image.Image
			var err error
			switch f {
			case JPEG:
				m, err = jpeg.Decode(bytes.NewReader(data))
			case PNG:
				m, err = png.Decode(bytes.NewReader(data)) // also checks the iCCP CRC
			case WebP:
				m, err = webp.Decode(bytes.NewReader(data))
			case AVIF:
				m, err = avif.Decode(bytes.NewReader(data))
			}
			if err != nil {
				t.Fatalf("%s ICC %d: %v", f, len(icc), err)
			}
			if m.Bounds().Size() != img.Bounds().Size() {
				t.Errorf("%s: size %v", f, m.Bounds())
			}
		}
	}
}

func TestICCEmbedded(t *testing.T) {
	icc := rgbICC(150000) // three JPEG segments
	img := picture(40, 30)
	j := encodeBytes(t, img, Options{Format: JPEG, ICC: icc})
	var got []byte
	for i, seq := 2, 1; i+4 < len(j) && j[i+1] == 0xE2; seq++ {
		n := int(binary.BigEndian.Uint16(j[i+2:]))
		seg := j[i+4 : i+2+n]
		if string(seg[:12]) != "ICC_PROFILE\x00" || int(seg[12]) != seq || seg[13] != 3 {
			t.Fatalf("segment %d header %q", seq, seg[:14])
		}
		got = append(got, seg[14:]...)
		i += 2 + n
	}
	if !bytes.Equal(got, icc) {
		t.Errorf("JPEG: reassembled %d bytes, want %d", len(got), len(icc))
	}
	w := encodeBytes(t, img, Options{Format: WebP, ICC: icc})
	if string(w[12:16]) != "VP8X" || w[20]&0x20 == 0 || string(w[30:34]) != "ICCP" ||
		!bytes.Equal(w[38:38+len(icc)], icc) || int(binary.LittleEndian.Uint32(w[4:])) != len(w)-8 {
		t.Errorf("WebP layout %q", w[:40])
	}
	p := encodeBytes(t, img, Options{Format: PNG, ICC: icc})
	if string(p[37:41]) != "iCCP" {
		t.Errorf("PNG chunk after IHDR is %q", p[37:41])
	}
}

func TestGray(t *testing.T) {
	src := picture(50, 40)
	gray := image.NewGray(src.Bounds())
	g16 := image.NewGray16(src.Bounds())
	grayNRGBA := image.NewNRGBA(src.Bounds())
	for y := 0; y < 40; y++ {
		for x := 0; x < 50; x++ {
			v := src.NRGBAAt(x, y).G
			gray.SetGray(x, y, color.Gray{v})
			g16.SetGray16(x, y, color.Gray16{uint16(v) * 257})
			grayNRGBA.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
		}
	}
	ycc := image.NewYCbCr(src.Bounds(), image.YCbCrSubsampleRatio420)
	copy(ycc.Y, gray.Pix)
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 128, 128
	}
	for _, c := range []struct {
		name string
		img  image.Image
		icc  []byte
		gray bool
	}{
		{"Gray", gray, nil, true},
		{"Gray16", g16, nil, true},
		{"gray NRGBA", grayNRGBA, nil, true},
		{"gray YCbCr", ycc, nil, true},
		{"gray profile", gray, grayICC(), true},
		{"colour", src, nil, false},
		{"Gray with RGB profile", gray, rgbICC(500), false},
	} {
		for _, f := range []Format{JPEG, PNG} {
			data := encodeBytes(t, c.img, Options{Format: f, Quality: 90, ICC: c.icc})
			var m image.Image
			var err error
			if f == JPEG {
				m, err = jpeg.Decode(bytes.NewReader(data))
			} else {
				m, err = png.Decode(bytes.NewReader(data))
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, isGray := m.(*image.Gray); isGray != c.gray {
				t.Errorf("%s as %s decodes to %T", c.name, f, m)
			}
		}
	}
}

func TestQualityAffectsSize(t *testing.T) {
	img := picture(200, 150)
	for _, f := range []Format{JPEG, WebP, AVIF} {
		lo := len(encodeBytes(t, img, Options{Format: f, Quality: 30}))
		hi := len(encodeBytes(t, img, Options{Format: f, Quality: 95}))
		def := len(encodeBytes(t, img, Options{Format: f}))
		if !(lo < def && def < hi) {
			t.Errorf("%s sizes: q30 %d, default %d, q95 %d", f, lo, def, hi)
		}
	}
}

func TestExtAndUnknown(t *testing.T) {
	for f, want := range map[Format]string{JPEG: "jpg", PNG: "png", WebP: "webp", AVIF: "avif", "bmp": ""} {
		if got := f.Ext(); got != want {
			t.Errorf("%q.Ext() = %q, want %q", f, got, want)
		}
	}
	if err := Encode(&bytes.Buffer{}, picture(2, 2), Options{Format: "bmp"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func rgbICC(n int) []byte { return fakeICC(n, "RGB ") }
func grayICC() []byte     { return fakeICC(400, "GRAY") }

func fakeICC(n int, space string) []byte {
	b := make([]byte, n)
	binary.BigEndian.PutUint32(b, uint32(n))
	copy(b[12:], "mntr"+space+"XYZ ")
	copy(b[36:], "acsp")
	for i := 128; i < n; i++ {
		b[i] = byte(i * 131 >> 3)
	}
	return b
}

// TestICCTooLargeForJPEG checks that a profile beyond the 255 APP2 segments
// a JPEG can hold fails with one plain message.
func TestICCTooLargeForJPEG(t *testing.T) {
	icc := make([]byte, 255*65519+1)
	copy(icc[16:], "RGB ")
	var buf bytes.Buffer
	err := Encode(&buf, picture(8, 8), Options{Format: JPEG, ICC: icc})
	if err == nil {
		t.Fatal("Encode accepted a profile too large for JPEG")
	}
	if got, want := err.Error(), "encode jpeg: ICC profile too large for JPEG"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}
