package thumbnail

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disintegration/imaging"
	gwebp "github.com/gen2brain/webp"
	"github.com/thumbs-dev/thumbs/internal/decode"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	xwebp "golang.org/x/image/webp"
	"golang.org/x/sync/semaphore"
)

// ---------------------------------------------------------------------------
// Helpers.

func mustBox(t testing.TB, s string) Box {
	t.Helper()
	b, err := ParseBox(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encodeBytes(t testing.TB, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, m image.Image) []byte {
	return encodeBytes(t, func(b *bytes.Buffer) error { return png.Encode(b, m) })
}

func jpegOf(t testing.TB, m image.Image, q int) []byte {
	return encodeBytes(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, m, &jpeg.Options{Quality: q}) })
}

// decodeOut decodes a thumbnail with the standard decoders (not the
// project's), so that the output file itself is what is checked.
func decodeOut(t testing.TB, data []byte) image.Image {
	t.Helper()
	var (
		m   image.Image
		err error
	)
	r := bytes.NewReader(data)
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		m, err = jpeg.Decode(r)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		m, err = png.Decode(r)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		m, err = xwebp.Decode(r)
	default:
		t.Fatalf("output is not JPEG, PNG or WebP: % x", data[:min(16, len(data))])
	}
	if err != nil {
		t.Fatalf("decode output: %v", err)
	}
	return m
}

// sniffOut returns the format of an output file from its magic bytes.
func sniffOut(data []byte) encode.Format {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return encode.JPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return encode.PNG
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return encode.WebP
	}
	return ""
}

// psnr compares two same-sized images on their premultiplied 8-bit RGBA
// channels (so the colour of fully transparent pixels does not count), in
// dB; +Inf when identical.
func psnr(t testing.TB, want, got image.Image) float64 {
	t.Helper()
	if want.Bounds().Size() != got.Bounds().Size() {
		t.Fatalf("size %v, want %v", got.Bounds().Size(), want.Bounds().Size())
	}
	a, b := premultiplied(want), premultiplied(got)
	var sum float64
	for i := range a.Pix {
		d := float64(a.Pix[i]) - float64(b.Pix[i])
		sum += d * d
	}
	mse := sum / float64(len(a.Pix))
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// premultiplied returns m as *image.RGBA at the origin.
func premultiplied(m image.Image) *image.RGBA {
	if r, ok := m.(*image.RGBA); ok && r.Rect.Min == (image.Point{}) {
		return r
	}
	out := image.NewRGBA(image.Rectangle{Max: m.Bounds().Size()})
	draw.Draw(out, out.Rect, m, m.Bounds().Min, draw.Src)
	return out
}

// lanczos is the reference resampling: imaging's Lanczos straight to w×h.
func lanczos(m image.Image, w, h int) *image.NRGBA {
	if m.Bounds().Dx() == w && m.Bounds().Dy() == h {
		return imaging.Clone(m)
	}
	return imaging.Resize(m, w, h, imaging.Lanczos)
}

// one runs Make with a single box and returns its only thumbnail.
func one(t testing.TB, data []byte, o Options) Thumb {
	t.Helper()
	th, err := Make(context.Background(), data, o)
	if err != nil {
		t.Fatalf("Make: %v", err)
	}
	if len(th) != 1 {
		t.Fatalf("Make gave %d thumbnails, want 1", len(th))
	}
	return th[0]
}

// checkThumb decodes th and checks that its recorded size and format are
// those of its bytes; it returns the decoded pixels.
func checkThumb(t testing.TB, th Thumb, w, h int, f encode.Format) image.Image {
	t.Helper()
	if got := sniffOut(th.Data); got != th.Format {
		t.Errorf("Thumb.Format %q but the bytes are %q", th.Format, got)
	}
	if f != "" && th.Format != f {
		t.Errorf("format %q, want %q", th.Format, f)
	}
	m := decodeOut(t, th.Data)
	if sz := m.Bounds().Size(); sz.X != th.Width || sz.Y != th.Height {
		t.Errorf("Thumb says %dx%d, the file is %v", th.Width, th.Height, sz)
	}
	if th.Width != w || th.Height != h {
		t.Fatalf("thumbnail %dx%d, want %dx%d", th.Width, th.Height, w, h)
	}
	return m
}

// near reports whether c is within tol of want on each channel
// (non-premultiplied, alpha included).
func near(c color.Color, want color.NRGBA, tol int) bool {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	d := func(a, b uint8) bool { return abs(int(a)-int(b)) <= tol }
	return d(n.R, want.R) && d(n.G, want.G) && d(n.B, want.B) && d(n.A, want.A)
}

func toNRGBA(c color.Color) color.NRGBA { return color.NRGBAModel.Convert(c).(color.NRGBA) }

// alphaPhoto is testimage.Photo with alpha falling from 255 on the left to
// 30 on the right and a fully transparent bottom-right corner.
func alphaPhoto(w, h int) *image.NRGBA {
	m := testimage.Photo(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			a := uint8(255 - 225*x/w)
			if x >= 3*w/4 && y >= 3*h/4 {
				a = 0
			}
			m.Pix[m.PixOffset(x, y)+3] = a
		}
	}
	return m
}

func grayOf(m image.Image) *image.Gray {
	g := image.NewGray(m.Bounds())
	draw.Draw(g, g.Rect, m, m.Bounds().Min, draw.Src)
	return g
}

// pngChunk returns a complete PNG chunk.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// withPNGChunk inserts a chunk right after IHDR.
func withPNGChunk(p []byte, typ string, data []byte) []byte {
	out := append([]byte{}, p[:33]...)
	out = append(out, pngChunk(typ, data)...)
	return append(out, p[33:]...)
}

// interlacedPNG writes m as an 8-bit RGBA Adam7-interlaced PNG (the
// standard encoder cannot interlace).
func interlacedPNG(t testing.TB, m *image.NRGBA) []byte {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 6, 0, 0, 1) // depth 8, RGBA, deflate, filter 0, Adam7
	var raw bytes.Buffer
	for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
		for y := p[1]; y < h; y += p[3] {
			if p[0] >= w {
				break
			}
			raw.WriteByte(0) // filter: none
			for x := p[0]; x < w; x += p[2] {
				raw.Write(m.Pix[m.PixOffset(x, y):][:4])
			}
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// fakeICC returns an n-byte ICC profile of colour space space ("RGB " or
// "GRAY") with a valid header signature and arbitrary contents.
func fakeICC(n int, space string) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*131 + i>>8)
	}
	binary.BigEndian.PutUint32(p, uint32(n))
	copy(p[4:], "thmb")
	copy(p[8:], []byte{4, 0x20, 0, 0})
	copy(p[12:], "mntr")
	copy(p[16:], space)
	copy(p[20:], "XYZ ")
	copy(p[36:], "acsp")
	return p
}

// ---------------------------------------------------------------------------
// Input kinds.

// losslessPSNR is the PSNR, in dB, that a thumbnail must reach against the
// reference when neither its source nor its output is lossy and nothing is
// pre-shrunk: only the resampler's rounding may differ from imaging's.
const losslessPSNR = 50

// avifPhoto is testimage.Photo(64, 42) encoded by gen2brain/avif v0.4.4
// with Quality 90, Speed 10. It is stored rather than encoded by the test
// because the first AVIF encode compiles the encoder to WebAssembly, which
// takes over a second (half a minute under -race).
const avifPhoto = `
AAAAIGZ0eXBhdmlmAAAAAGF2aWZtaWYxbWlhZk1BMUEAAADybWV0YQAAAAAAAAAoaGRscgAAAAAA
AAAAcGljdAAAAAAAAAAAAAAAAGxpYmF2aWYAAAAADnBpdG0AAAAAAAEAAAAeaWxvYwAAAABEAAAB
AAEAAAABAAABGgAAByoAAAAoaWluZgAAAAAAAQAAABppbmZlAgAAAAABAABhdjAxQ29sb3IAAAAA
amlwcnAAAABLaXBjbwAAABRpc3BlAAAAAAAAAEAAAAAqAAAAEHBpeGkAAAAAAwgICAAAAAxhdjFD
gSAAAAAAABNjb2xybmNseAACAAIAAoAAAAAXaXBtYQAAAAAAAAABAAEEAQKDBAAABzJtZGF0EgAK
BjgVf6WCQDKdDhGAAABA2bZxnrCrV7hcNizMSsXkKKRgy3AEoyTll7QN/DQ1abkkhMMBlzEObJ8q
Aph8nnVw91OxwcFJEp9m/FwRDemubPHKuMDQj2hxYAW97Ume4rKZtAdMOrWwpCNAHiAsbJrwXJ6i
rBEERfm3NJ3lMUwbFftLxBqxD7f++Yeu5AqSQtCtuMqsodGXcTCdZ7NQZhejBdSO585iWV7PVXye
Vzp4U0upocDRQsQF8z9e/CnBfXuCWxPaC7cIdXfpA/1XZReiez7B+Z6MB2fz3Lw8A29DZaW3+nBM
dDC6Tdg7mS/QkZqXY4tNSx4NmEo1tvEe+P/YNbA1sxsBnEfexVAmdNbiaIozYTytEDKB2rteghXw
1Hzb9IxzXbo0p++0b11nHWhp8E9F7eakxcodU5Oglur8EudcrVb97e1afcoDtrMF4Xp49a2GREVv
G+wgsFxcmq9rkC0LmTqIb96ALO6mXhAZAmE1wDURNQT+2ZTnBCE5VUxCKB6ip2OW5HyQTVsWpcMz
j/Histib3jtc+uL13YXhsJ6deAf+4gwBuJ0lCVIe0hPf74LwmbkpMdJPhYUXPJ3a9K22wsqFumeH
Nk/Iw7GE0Mw/KoAgL64FtyvB1q4PJtKkwuWrO5HYfXvROvKpt8O7Z7O1NSQpDNibQOkxqI+AmKN0
WwTTZJjEsMU7DAhc+IAFAP6092lvD6RoJMu+jmKOB31YH95mwxmYt53Y5VAKSpfOKbE16ygtgvhp
qxuTa9Ugo/UYDEkmr7l5AlpjhN7fUMOW1OF79bLntZ23f6cFn8CU6v9z3NYslNHuFnkWVjzrPZGv
EnzUSMZmyC4sOqbltiePSan0m0QzacLADSfbnhHHPPg9LIyJxsXbd050qF9NJ3lrR+hLASpW2yd7
yW5n/0klx3KJIkaFSZ5xgO4OuHpCFXFUNjdzTqOBDj64sHurLPeWWi2/iEalfZXf5MK8wPI70iL2
YDKMNaMDiAKHcr2ISi8aBShvIcKBJjOZxD4fdD+TvDSNQIg0S2exZ4Gf/NxCigGdXZy7fATQu4nM
q1eFJBUXuCyq4BCy9OHmun6VLbSAx+YEhV65YrJ7SW4a59t5GLKJmvo5e+V2XKvzz6pRIyY+DFh0
B4XPV0Tz2Vencb+MM5+6Wev3vthK0pN3e9Tx1w5zZh1FlZLULUzDx4qMMt9JKMzK2nSX62Gq2COw
2wmM2JF6QLfmN2LtBr0xe9YRK3FPxEoMRp4G9yRo/pF1NQVByQ6uL2PbytmDL/rBDjwEGnUiruQD
/XHY/Etiaq4P4cl0aUgWmLHzNFcxxE6mUqLX0kzx+TuhQjY1R2gIPnUvrazJH5Iy8+F9Ml5KSGwd
2RoEBKaY/ljDaHJvyqn8WRKzAUz06RdvTW1qMjwkGfxymnH5b5RqlSoKqfS4m0Bo+lkLpR7Efm+9
yCoMzKG2vBmo21EItf524HckXIROSzZnaaxTcsN6+6HqScQBxISKLfHrOTcD6KGm+0Kr1rajDFOI
0QuTm+nHCKM8JWqDLnSRF3fvmSIQMFhWmqvlAd5xfuqBkbeKwUYjhJ+rvnJJBF/K/MjP+f9S9Cbf
ufn9KGeOAy2kR928GbDiekoBs3DsRyWkW7hKwHGz0zhJm/w2VSfLA8TgFBNiE1yT+tF90sxge1KB
Z1el/2wPNsjzla1gxXDKOjSmjvF3iCQo7RF7w+2PokpkMcsTvMWCW5NFW5hFh0oeHfQ8G7tT37Qk
6FVPTB/qUJcCigr44Mbv6YpsYuFWCKuZOvxw9xnD2KCop6dvvD2xvRA5rFhyMwuz5roy0q1Rtujf
OvfCE8XYDX+o1WDUex9fc1SSA8KNFQOG4dk1i+ejDFW4YOfL+aNXGsvPV/PxgLg7WPN2oIaR9OEk
dy/9UD0mvdnzjjpBCeQkgNs5W+IHpXVuE/GqJRDKKhXBQ/UvThUt8N/SxKcbzmUP0Xw6gYgUu223
fJwZYrNOIagaVnugMje4bzNwPuOx0QSqm7NAG9y+lRiKcY4MoL9MDDRZwJd249pj9PW+nc9PtWJN
s33rpiQl2RvSZ8lXX/0raxg6RK80d70pulsIDc0qeMIPRVs4TEYAYaWlaxAhtz2NRw6eEswwGG+5
y03xbdM8vvMSXcEXV3oWQL0AMGTcLcc8lY6EDXiuhwD4mw7YRniABD/sbAvVbpNc012chVe9V1xz
CVbuwXJj/w2Rwq9wuYvjezdgiZ7k/blO1d1Nw5kBIa2jgfUiJu9/PCyikLpS5tRjj12/cucIoZdw
JyyNw6HHy93/ozV1aQ1llkKx4KLtijepnhaJrfNuctiqlyfBj9v110PV4uDk6EmfNPQhE9fmurQz
JsCCsM8aLz3XgB1XSz2tY1wcznEOtuBAotV+kT3t8cVGi7aIH+cLQPy048fu80phndBuORHO9exM
oAZa1CYxIg==
`

type inputKind struct {
	name string
	data []byte
	want image.Image // the pixels the file holds (or was made from, when lossy)
	psnr float64     // minimum PSNR of the thumbnail against lanczos(want)
	gray bool        // the thumbnail must be grayscale
}

func inputKinds(t *testing.T) []inputKind {
	const w, h = 240, 160
	pic := testimage.Photo(w, h)
	alpha := alphaPhoto(w, h)
	gray := grayOf(pic)
	pal := image.NewPaletted(pic.Rect, palette.Plan9)
	draw.Draw(pal, pal.Rect, pic, image.Point{}, draw.Src)
	deep := image.NewNRGBA64(alpha.Rect) // each 8-bit sample v becomes v*257
	for i, v := range alpha.Pix {
		binary.BigEndian.PutUint16(deep.Pix[2*i:], uint16(v)*257)
	}
	gray16 := image.NewGray16(gray.Rect)
	draw.Draw(gray16, gray16.Rect, gray, image.Point{}, draw.Src)

	// Lossless sources differ from the reference only by the rounding of
	// the resampler (which need not be imaging's own for every pixel type).
	inf := float64(losslessPSNR)
	kinds := []inputKind{
		{"jpeg-420", jpegOf(t, pic, 90), pic, 30, false},
		{"jpeg-gray", jpegOf(t, gray, 90), gray, 33, true},
		{"jpeg-odd-size", jpegOf(t, testimage.Photo(241, 161), 90), testimage.Photo(241, 161), 30, false},
		{"png-rgba", pngOf(t, alpha), alpha, inf, false},
		{"png-opaque", pngOf(t, pic), pic, inf, false},
		{"png-paletted", pngOf(t, pal), pal, inf, false},
		{"png-gray", pngOf(t, gray), gray, inf, true},
		{"png-gray16", pngOf(t, gray16), gray, inf, true},
		{"png-16bit", pngOf(t, deep), alpha, inf, false},
		{"png-interlaced", interlacedPNG(t, alpha), alpha, inf, false},
		{"gif", encodeBytes(t, func(b *bytes.Buffer) error { return gif.Encode(b, pal, nil) }), pal, inf, false},
		{"tiff", encodeBytes(t, func(b *bytes.Buffer) error { return tiff.Encode(b, alpha, nil) }), alpha, inf, false},
		{"tiff-deflate", encodeBytes(t, func(b *bytes.Buffer) error {
			return tiff.Encode(b, pic, &tiff.Options{Compression: tiff.Deflate, Predictor: true})
		}), pic, inf, false},
		{"bmp", encodeBytes(t, func(b *bytes.Buffer) error { return bmp.Encode(b, pic) }), pic, inf, false},
		{"webp-lossy", encodeBytes(t, func(b *bytes.Buffer) error { return gwebp.Encode(b, pic, gwebp.Options{Quality: 90}) }), pic, 30, false},
		{"webp-lossless", encodeBytes(t, func(b *bytes.Buffer) error {
			return gwebp.Encode(b, alpha, gwebp.Options{Lossless: true, Exact: true})
		}), alpha, inf, false},
		{"webp-encode-pkg", encodeBytes(t, func(b *bytes.Buffer) error {
			return encode.Encode(b, pic, encode.Options{Format: encode.WebP, Quality: 90})
		}), pic, 30, false},
		{"avif", avifData(t), testimage.Photo(64, 42), 30, false},
	}
	// JPEG layouts image/jpeg does not write, from the fixtures of
	// internal/jpeg (made by libjpeg-turbo). The expected pixels are their
	// decode by image/jpeg, so only resampling is compared. image/jpeg
	// replicates chroma samples where Make resamples the chroma planes,
	// which costs 4:1:1 (chroma 4x narrower) a few dB: 38.0 dB measured,
	// against 52 dB when the reference upsamples chroma with Lanczos too.
	for _, name := range []string{"422.jpg", "440.jpg", "411.jpg", "444-rst3b.jpg", "420-rst1row.jpg", "prog420.jpg", "proggray.jpg", "ycck-im.jpg"} {
		min := 40.0
		if name == "411.jpg" {
			min = 35
		}
		data, err := os.ReadFile("../jpeg/testdata/" + name)
		if err != nil {
			t.Logf("skipping JPEG case %s: %v", name, err)
			continue
		}
		want, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, gray := want.(*image.Gray)
		kinds = append(kinds, inputKind{"jpeg-" + strings.TrimSuffix(name, ".jpg"), data, want, min, gray})
	}
	// HEIC: no encoder is available, so the samples of internal/decode are
	// used, and the expected pixels are their full-size decode.
	for _, name := range []string{"small.heic", "alpha.heic"} {
		data, err := os.ReadFile("../decode/testdata/" + name)
		if err != nil {
			t.Logf("skipping HEIC case %s: %v", name, err)
			continue
		}
		hd, err := decode.ReadHeader(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		full, err := decode.Decode(context.Background(), data, hd, 1)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		kinds = append(kinds, inputKind{"heic-" + strings.TrimSuffix(name, ".heic"), data, orient(full, hd.Orientation), 45, false})
	}
	return kinds
}

func avifData(t *testing.T) []byte {
	data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(avifPhoto), ""))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestInputKinds makes a PNG thumbnail of each kind of input (PNG output
// keeps the comparison free of output compression) and compares it with
// the reference resize of the pixels the input holds.
func TestInputKinds(t *testing.T) {
	for _, k := range inputKinds(t) {
		t.Run(k.name, func(t *testing.T) {
			wb := k.want.Bounds()
			box := max(wb.Dx(), wb.Dy()) / 2
			tw, th := target(wb.Dx(), wb.Dy(), Box{W: box, H: box}, Contain, false)
			got := one(t, k.data, Options{Boxes: []Box{{W: box, H: box}}, Format: encode.PNG})
			m := checkThumb(t, got, tw, th, encode.PNG)
			p := psnr(t, lanczos(k.want, tw, th), m)
			t.Logf("%s → %dx%d PNG: PSNR %.2f dB (min %.0f)", k.name, tw, th, p, k.psnr)
			if p < k.psnr {
				t.Errorf("PSNR %.2f dB, want >= %.0f", p, k.psnr)
			}
			if _, isGray := m.(*image.Gray); isGray != k.gray {
				t.Errorf("decoded output is %T; gray source = %v", m, k.gray)
			}
		})
	}
}

// TestJPEGSourceIs420 guards the premise of the "jpeg-420" case.
func TestJPEGSourceIs420(t *testing.T) {
	m, err := jpeg.Decode(bytes.NewReader(jpegOf(t, testimage.Photo(64, 48), 90)))
	if err != nil {
		t.Fatal(err)
	}
	if y, ok := m.(*image.YCbCr); !ok || y.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		t.Fatalf("image/jpeg wrote %T, want 4:2:0 YCbCr", m)
	}
}

// ---------------------------------------------------------------------------
// Output formats.

func TestOutputFormats(t *testing.T) {
	pic := testimage.Photo(300, 200)
	src := pngOf(t, pic)
	want := lanczos(pic, 150, 100)
	for _, c := range []struct {
		format, got encode.Format
		quality     int
		psnr        float64
	}{
		{Auto, encode.JPEG, 0, 30},
		{"", encode.JPEG, 0, 30},
		{encode.JPEG, encode.JPEG, 0, 30},
		{encode.JPEG, encode.JPEG, 95, 36},
		{encode.PNG, encode.PNG, 0, losslessPSNR},
		{encode.WebP, encode.WebP, 0, 30},
		{encode.WebP, encode.WebP, 95, 31},
	} {
		th := one(t, src, Options{Boxes: []Box{mustBox(t, "150")}, Format: c.format, Quality: c.quality})
		m := checkThumb(t, th, 150, 100, c.got)
		p := psnr(t, want, m)
		t.Logf("format %q quality %d: %d bytes, PSNR %.2f dB (min %.0f)", c.format, c.quality, len(th.Data), p, c.psnr)
		if p < c.psnr {
			t.Errorf("format %q quality %d: PSNR %.2f dB, want >= %.0f", c.format, c.quality, p, c.psnr)
		}
	}

	// Quality reaches the lossy encoders.
	for _, f := range []encode.Format{encode.JPEG, encode.WebP} {
		lo := one(t, src, Options{Boxes: []Box{mustBox(t, "150")}, Format: f, Quality: 20})
		hi := one(t, src, Options{Boxes: []Box{mustBox(t, "150")}, Format: f, Quality: 95})
		plo, phi := psnr(t, want, decodeOut(t, lo.Data)), psnr(t, want, decodeOut(t, hi.Data))
		if !(phi > plo+2) || len(hi.Data) <= len(lo.Data) {
			t.Errorf("%s: quality 95 gives %d bytes at %.2f dB, quality 20 %d bytes at %.2f dB; want the first larger and better",
				f, len(hi.Data), phi, len(lo.Data), plo)
		}
	}

	if _, err := Make(context.Background(), src, Options{Boxes: []Box{mustBox(t, "150")}, Format: "bmp"}); err == nil {
		t.Error("Make with output format bmp succeeded, want an error")
	}
}

// ---------------------------------------------------------------------------
// Orientation.

func TestOrientation(t *testing.T) {
	up := testimage.Quadrants(160, 120)
	for _, bigEndian := range []bool{false, true} {
		for o := 1; o <= 8; o++ {
			stored := testimage.Stored(up, o)
			data := testimage.JPEG(stored, 90, o, bigEndian)
			if sz := stored.Rect.Size(); (o >= 5) != (sz.X == 120) {
				t.Fatalf("orientation %d: stored %v", o, sz)
			}
			// The box is narrower than the stored width for 5-8, so a
			// thumbnail of the unrotated stored image would be 60x80.
			th := one(t, data, Options{Boxes: []Box{mustBox(t, "80")}})
			m := checkThumb(t, th, 80, 60, encode.JPEG)
			checkQuadrants(t, m, "jpeg", o, bigEndian)
		}
	}
	// Large enough for the JPEG to be decoded at 1/8 (and the box to be
	// resized before orienting): the result is still upright.
	big := testimage.Quadrants(1280, 960)
	for o := 1; o <= 8; o++ {
		data := testimage.JPEG(testimage.Stored(big, o), 90, o, o%2 == 0)
		opts := Options{Boxes: []Box{mustBox(t, "80")}}
		if h, _ := decode.ReadHeader(data); loadShrink(h.Format, 1280, 960, opts) != 8 {
			t.Fatalf("orientation %d: the big case does not shrink on load", o)
		}
		th := one(t, data, opts)
		checkQuadrants(t, checkThumb(t, th, 80, 60, encode.JPEG), "jpeg shrunk on load", o, o%2 == 0)
		// Cover crops the upright image: a 60x60 box keeps the middle
		// 60 columns of the 80x60 upright thumbnail.
		th = one(t, data, Options{Boxes: []Box{mustBox(t, "60")}, Fit: Cover, Format: encode.PNG})
		checkQuadrants(t, checkThumb(t, th, 60, 60, encode.PNG), "jpeg cover", o, o%2 == 0)
		th = one(t, data, Options{Boxes: []Box{mustBox(t, "60")}, Fit: Cover, Crop: CropSmart, Format: encode.PNG})
		checkQuadrants(t, checkThumb(t, th, 60, 60, encode.PNG), "jpeg smart cover", o, o%2 == 0)
	}
	// Orientation in PNG (eXIf) and TIFF reaches the thumbnail too.
	for _, o := range []int{3, 6, 8} {
		stored := testimage.Stored(up, o)
		p := withPNGChunk(pngOf(t, stored), "eXIf", testimage.ExifTIFF(o, o == 6))
		th := one(t, p, Options{Boxes: []Box{mustBox(t, "80")}, Format: encode.PNG})
		checkQuadrants(t, checkThumb(t, th, 80, 60, encode.PNG), "png", o, o == 6)
	}
}

func checkQuadrants(t *testing.T, m image.Image, kind string, o int, bigEndian bool) {
	t.Helper()
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	for _, q := range []struct {
		name string
		x, y int
		want color.NRGBA
	}{
		{"top-left", w / 4, h / 4, testimage.TopLeft},
		{"top-right", 3 * w / 4, h / 4, testimage.TopRight},
		{"bottom-left", w / 4, 3 * h / 4, testimage.BottomLeft},
		{"bottom-right", 3 * w / 4, 3 * h / 4, testimage.BottomRight},
	} {
		if c := m.At(b.Min.X+q.x, b.Min.Y+q.y); !near(c, q.want, 16) {
			t.Errorf("%s orientation %d (big-endian %v): %s quadrant is %v, want %v ±16",
				kind, o, bigEndian, q.name, toNRGBA(c), q.want)
		}
	}
}

// ---------------------------------------------------------------------------
// Transparency.

func TestAlpha(t *testing.T) {
	src := pngOf(t, testimage.Translucent(64, 64))
	// Points of the 32×32 thumbnail away from the quadrant edges.
	tl, trTop, bl, trBottom := image.Pt(8, 8), image.Pt(24, 8), image.Pt(8, 24), image.Pt(24, 24)

	t.Run("auto keeps alpha", func(t *testing.T) {
		th := one(t, src, Options{Boxes: []Box{mustBox(t, "32")}})
		m := checkThumb(t, th, 32, 32, encode.PNG)
		want := lanczos(testimage.Translucent(64, 64), 32, 32)
		if p := psnr(t, want, m); p < 50 {
			t.Errorf("PSNR %.2f dB against the reference, want >= 50", p)
		}
		if c := toNRGBA(m.At(tl.X, tl.Y)); !near(c, testimage.TopLeft, 2) {
			t.Errorf("top-left %v, want %v", c, testimage.TopLeft)
		}
		for _, p := range []image.Point{trTop, trBottom} {
			if _, _, _, a := m.At(p.X, p.Y).RGBA(); a != 0 {
				t.Errorf("transparent half at %v has alpha %d, want 0", p, a>>8)
			}
		}
		// The whole right half (columns 16.. beyond Lanczos' reach of the edge) is transparent.
		for y := 0; y < 32; y++ {
			for x := 20; x < 32; x++ {
				if _, _, _, a := m.At(x, y).RGBA(); a != 0 {
					t.Fatalf("pixel (%d,%d) of the transparent half has alpha %d", x, y, a>>8)
				}
			}
		}
		want128 := testimage.BottomLeft
		want128.A = 128
		if c := toNRGBA(m.At(bl.X, bl.Y)); !near(c, want128, 2) {
			t.Errorf("bottom-left %v, want %v", c, want128)
		}
	})

	t.Run("webp keeps alpha", func(t *testing.T) {
		th := one(t, src, Options{Boxes: []Box{mustBox(t, "32")}, Format: encode.WebP})
		m := checkThumb(t, th, 32, 32, encode.WebP)
		for _, p := range []image.Point{trTop, trBottom} {
			if _, _, _, a := m.At(p.X, p.Y).RGBA(); a>>8 > 4 {
				t.Errorf("transparent half at %v has alpha %d, want 0", p, a>>8)
			}
		}
		if _, _, _, a := m.At(tl.X, tl.Y).RGBA(); a>>8 < 250 {
			t.Errorf("opaque quadrant has alpha %d", a>>8)
		}
	})

	for _, bg := range []color.NRGBA{{255, 255, 255, 255}, {10, 120, 200, 255}, {0, 0, 0, 0}, {10, 120, 200, 0}} {
		t.Run("jpeg flattens onto "+colorName(bg), func(t *testing.T) {
			th := one(t, src, Options{Boxes: []Box{mustBox(t, "32")}, Format: encode.JPEG, Background: bg})
			m := checkThumb(t, th, 32, 32, encode.JPEG)
			opaqueBG := bg
			opaqueBG.A = 255 // Background's alpha is ignored: JPEG has none
			blend := func(c color.NRGBA, a int) color.NRGBA {
				mix := func(f, b uint8) uint8 { return uint8((int(f)*a + int(b)*(255-a) + 127) / 255) }
				return color.NRGBA{mix(c.R, bg.R), mix(c.G, bg.G), mix(c.B, bg.B), 255}
			}
			for _, c := range []struct {
				name string
				at   image.Point
				want color.NRGBA
			}{
				{"opaque top-left", tl, testimage.TopLeft},
				{"transparent top-right", trTop, opaqueBG},
				{"transparent bottom-right", trBottom, opaqueBG},
				{"half-transparent bottom-left", bl, blend(testimage.BottomLeft, 128)},
			} {
				if got := m.At(c.at.X, c.at.Y); !near(got, c.want, 10) {
					t.Errorf("%s: %v, want %v ±10", c.name, toNRGBA(got), c.want)
				}
			}
		})
	}
}

func colorName(c color.NRGBA) string { return fmt.Sprintf("rgba(%d,%d,%d,%d)", c.R, c.G, c.B, c.A) }

// ---------------------------------------------------------------------------
// Grayscale.

func TestGrayStaysGray(t *testing.T) {
	gray := grayOf(testimage.Photo(160, 120))
	sources := map[string][]byte{
		"jpeg": jpegOf(t, gray, 90),
		"png":  pngOf(t, gray),
	}
	for _, srcName := range []string{"jpeg", "png"} {
		for _, f := range []encode.Format{Auto, encode.JPEG, encode.PNG} {
			th := one(t, sources[srcName], Options{Boxes: []Box{mustBox(t, "80")}, Format: f})
			m := checkThumb(t, th, 80, 60, "")
			if _, ok := m.(*image.Gray); !ok {
				t.Errorf("%s source, format %q: output decodes to %T, want *image.Gray", srcName, f, m)
			}
			minP := 33.0
			if th.Format == encode.JPEG {
				minP = 30
			}
			if srcName == "png" && th.Format == encode.PNG {
				minP = losslessPSNR
			}
			p := psnr(t, lanczos(gray, 80, 60), m)
			t.Logf("gray %s source, format %q: PSNR %.2f dB", srcName, f, p)
			if p < minP {
				t.Errorf("%s source, format %q: PSNR %.2f, want >= %.0f", srcName, f, p, minP)
			}
		}
		// WebP has no gray mode, but the pixels must still be the gray ones.
		th := one(t, sources[srcName], Options{Boxes: []Box{mustBox(t, "80")}, Format: encode.WebP})
		if p := psnr(t, lanczos(gray, 80, 60), checkThumb(t, th, 80, 60, encode.WebP)); p < 30 {
			t.Errorf("%s source, webp: PSNR %.2f, want >= 30", srcName, p)
		}
	}
	// A colour source stays colour.
	th := one(t, jpegOf(t, testimage.Photo(160, 120), 90), Options{Boxes: []Box{mustBox(t, "80")}, Format: encode.JPEG})
	if m := checkThumb(t, th, 80, 60, encode.JPEG); isGray(m) {
		t.Errorf("colour source gave a %T thumbnail", m)
	}
}

// ---------------------------------------------------------------------------
// Boxes, fit, crop, upscale.

func TestSeveralBoxes(t *testing.T) {
	pic := testimage.Photo(400, 300)
	boxes := []Box{mustBox(t, "200"), mustBox(t, "100x"), mustBox(t, "x50"), mustBox(t, "1000")}
	sizes := [][2]int{{200, 150}, {100, 75}, {67, 50}, {400, 300}}
	for _, src := range []struct {
		name string
		data []byte
		psnr float64
	}{{"png", pngOf(t, pic), losslessPSNR}, {"jpeg", jpegOf(t, pic, 95), 33}} {
		thumbs, err := Make(context.Background(), src.data, Options{Boxes: boxes, Format: encode.PNG})
		if err != nil {
			t.Fatal(err)
		}
		if len(thumbs) != len(boxes) {
			t.Fatalf("%d thumbnails for %d boxes", len(thumbs), len(boxes))
		}
		for i, th := range thumbs {
			if th.Box != boxes[i] {
				t.Errorf("%s: thumbnail %d is for box %+v, want %+v", src.name, i, th.Box, boxes[i])
			}
			m := checkThumb(t, th, sizes[i][0], sizes[i][1], encode.PNG)
			if p := psnr(t, lanczos(pic, sizes[i][0], sizes[i][1]), m); p < src.psnr {
				t.Errorf("%s: box %s: PSNR %.2f, want >= %.0f", src.name, th.Box, p, src.psnr)
			}
		}
	}
	// No boxes: no thumbnails and no error.
	thumbs, err := Make(context.Background(), pngOf(t, pic), Options{})
	if err != nil || len(thumbs) != 0 {
		t.Errorf("Make with no boxes = %d thumbnails, %v", len(thumbs), err)
	}
}

// TestBoxOrder: a thumbnail does not depend on the order of the boxes, nor
// on which other boxes are made with it when they are smaller; a box as
// large as the source gives the source's own pixels.
func TestBoxOrder(t *testing.T) {
	pic := testimage.Photo(400, 300)
	src := pngOf(t, pic)
	all := []string{"1000", "100", "200x", "x30", "400"}
	o := func(boxes ...string) Options {
		var bs []Box
		for _, b := range boxes {
			bs = append(bs, mustBox(t, b))
		}
		return Options{Boxes: bs, Format: encode.PNG}
	}
	byBox := func(boxes ...string) map[string][]byte {
		thumbs, err := Make(context.Background(), src, o(boxes...))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string][]byte{}
		for _, th := range thumbs {
			m[th.Box.Label] = th.Data
		}
		return m
	}
	first := byBox(all...)
	for _, order := range [][]string{
		{"100", "200x", "x30", "400", "1000"},
		{"x30", "1000", "400", "200x", "100"},
		{"400", "x30", "200x", "1000", "100"},
	} {
		got := byBox(order...)
		for _, b := range all {
			if !bytes.Equal(got[b], first[b]) {
				t.Errorf("box %s: boxes in order %v give other pixels than in order %v", b, order, all)
			}
		}
	}
	// The full-size boxes (1000 without upscale, 400) are the source itself,
	// whatever comes with them.
	for _, boxes := range [][]string{all, {"100", "1000"}, {"1000", "100"}, {"1000", "x30"}, {"400", "x30"}, {"1000"}} {
		thumbs, err := Make(context.Background(), src, o(boxes...))
		if err != nil {
			t.Fatal(err)
		}
		for _, th := range thumbs {
			if th.Box.Label != "1000" && th.Box.Label != "400" {
				continue
			}
			m := checkThumb(t, th, 400, 300, encode.PNG)
			if p := psnr(t, pic, m); !math.IsInf(p, 1) {
				t.Errorf("boxes %v: the %s thumbnail of a 400x300 image differs from it (PSNR %.2f dB)", boxes, th.Box.Label, p)
			}
		}
	}
}

func TestUpscale(t *testing.T) {
	pic := testimage.Photo(40, 30)
	src := pngOf(t, pic)
	for _, c := range []struct {
		box     string
		fit     Fit
		upscale bool
		w, h    int
	}{
		{"100", Contain, false, 40, 30},
		{"100", Contain, true, 100, 75},
		{"100x", Contain, true, 100, 75},
		{"x90", Contain, true, 120, 90},
		{"100", Cover, false, 40, 30},
		{"100", Cover, true, 100, 100},
		{"30x100", Cover, false, 30, 30}, // covers the width, the height cannot grow
	} {
		th := one(t, src, Options{Boxes: []Box{mustBox(t, c.box)}, Fit: c.fit, Upscale: c.upscale, Format: encode.PNG})
		m := checkThumb(t, th, c.w, c.h, encode.PNG)
		if c.fit == Contain {
			if p := psnr(t, floatLanczos(pic, c.w, c.h), m); p < 55 {
				t.Errorf("box %s upscale %v: PSNR %.2f", c.box, c.upscale, p)
			}
		}
	}
}

// stripes returns a w×h image split into three equal vertical (or, when
// !vertical, horizontal) bands of red, green and blue.
func stripes(w, h int, vertical bool) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	cols := []color.NRGBA{{200, 30, 30, 255}, {30, 200, 30, 255}, {30, 30, 200, 255}}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := 3 * y / h
			if vertical {
				i = 3 * x / w
			}
			m.SetNRGBA(x, y, cols[i])
		}
	}
	return m
}

// cropOffset finds where got lies inside scaled along one axis: the offset
// whose crop is most like got. It fails the test unless that crop matches
// to within losslessPSNR.
func cropOffset(t *testing.T, scaled *image.NRGBA, got image.Image, horizontal bool) int {
	t.Helper()
	g := premultiplied(got)
	gs := g.Rect.Size()
	sc := premultiplied(scaled)
	n := sc.Rect.Dy() - gs.Y
	if horizontal {
		n = sc.Rect.Dx() - gs.X
	}
	best, bestSum := -1, math.Inf(1)
	for off := 0; off <= n; off++ {
		ox, oy := 0, off
		if horizontal {
			ox, oy = off, 0
		}
		var sum float64
		for y := 0; y < gs.Y; y++ {
			row := sc.Pix[sc.PixOffset(ox, oy+y):][:4*gs.X]
			for i, v := range g.Pix[g.PixOffset(0, y):][:4*gs.X] {
				d := float64(v) - float64(row[i])
				sum += d * d
			}
		}
		if sum < bestSum {
			best, bestSum = off, sum
		}
	}
	if p := 10 * math.Log10(255*255*float64(4*gs.X*gs.Y)/bestSum); p < losslessPSNR {
		t.Fatalf("no crop of the scaled image matches the thumbnail (best at %d: PSNR %.2f dB)", best, p)
	}
	return best
}

func TestCover(t *testing.T) {
	t.Run("exact box, centre kept", func(t *testing.T) {
		for _, c := range []struct {
			w, h     int
			vertical bool
		}{{600, 200, true}, {200, 600, false}, {900, 200, true}} {
			src := stripes(c.w, c.h, c.vertical)
			for _, crop := range []Crop{"", CropCenter} {
				th := one(t, pngOf(t, src), Options{Boxes: []Box{mustBox(t, "100")}, Fit: Cover, Crop: crop, Format: encode.PNG})
				m := checkThumb(t, th, 100, 100, encode.PNG)
				// The middle band fills the crop but for Lanczos' ringing at the edges.
				for y := 10; y < 90; y++ {
					for x := 10; x < 90; x++ {
						if c := m.At(x, y); !near(c, color.NRGBA{30, 200, 30, 255}, 4) {
							t.Fatalf("%dx%d crop %q: pixel (%d,%d) is %v, want the green centre band", src.Rect.Dx(), src.Rect.Dy(), crop, x, y, toNRGBA(c))
						}
					}
				}
				// And it is exactly the centre crop of the scaled image
				// (shown on a picture whose crops all differ).
				pic := testimage.Photo(c.w, c.h)
				th = one(t, pngOf(t, pic), Options{Boxes: []Box{mustBox(t, "100")}, Fit: Cover, Crop: crop, Format: encode.PNG})
				tw, tht := target(c.w, c.h, Box{W: 100, H: 100}, Cover, false)
				off := cropOffset(t, lanczos(pic, tw, tht), checkThumb(t, th, 100, 100, encode.PNG), c.vertical)
				if want := (max(tw, tht) - 100) / 2; off != want {
					t.Errorf("%dx%d crop %q: crop at offset %d, want %d", c.w, c.h, crop, off, want)
				}
			}
		}
	})

	t.Run("exact sizes", func(t *testing.T) {
		src := pngOf(t, testimage.Photo(400, 300))
		for _, c := range []struct {
			box  string
			w, h int
		}{{"100", 100, 100}, {"160x90", 160, 90}, {"90x160", 90, 160}, {"399x1", 399, 1}, {"1x299", 1, 299}, {"400x300", 400, 300}, {"200x", 200, 150}} {
			th := one(t, src, Options{Boxes: []Box{mustBox(t, c.box)}, Fit: Cover, Format: encode.PNG})
			checkThumb(t, th, c.w, c.h, encode.PNG)
		}
	})

	t.Run("smart picks the detail", func(t *testing.T) {
		for _, c := range []struct {
			name              string
			w, h              int
			horizontal        bool
			bandFrom, bandTo  int // in source pixels along the overflowing axis
			wantFrom, wantTo  int // the band in the 300-long scaled image
			centreOff, length int
		}{
			{"band right", 600, 200, true, 420, 540, 210, 270, 100, 300},
			{"band left", 600, 200, true, 30, 150, 15, 75, 100, 300},
			{"band top", 200, 600, false, 40, 160, 20, 80, 100, 300},
			{"band bottom", 200, 600, false, 460, 560, 230, 280, 100, 300},
		} {
			src := texturedBand(c.w, c.h, c.horizontal, c.bandFrom, c.bandTo)
			scaled := lanczos(src, c.w/2, c.h/2)
			smart := one(t, pngOf(t, src), Options{Boxes: []Box{mustBox(t, "100")}, Fit: Cover, Crop: CropSmart, Format: encode.PNG})
			off := cropOffset(t, scaled, checkThumb(t, smart, 100, 100, encode.PNG), c.horizontal)
			if off < 0 || off > c.wantFrom || off+100 < c.wantTo {
				t.Errorf("%s: smart crop at %d..%d, want it to contain the band %d..%d", c.name, off, off+100, c.wantFrom, c.wantTo)
			}
			centre := one(t, pngOf(t, src), Options{Boxes: []Box{mustBox(t, "100")}, Fit: Cover, Crop: CropCenter, Format: encode.PNG})
			if off := cropOffset(t, scaled, decodeOut(t, centre.Data), c.horizontal); off != c.centreOff {
				t.Errorf("%s: centre crop at %d, want %d", c.name, off, c.centreOff)
			}
		}
	})

	t.Run("smart on flat keeps the centre", func(t *testing.T) {
		// A flat image has no detail anywhere: every window ties, and ties
		// keep the centre. The crops of a flat image all look alike, so
		// busiest itself is asked.
		for _, sz := range []image.Point{{300, 100}, {100, 300}, {301, 100}, {100, 101}} {
			flat := image.NewNRGBA(image.Rect(0, 0, sz.X, sz.Y))
			draw.Draw(flat, flat.Rect, image.NewUniform(color.NRGBA{90, 90, 90, 255}), image.Point{}, draw.Src)
			want := image.Pt((sz.X-100)/2, (sz.Y-100)/2)
			if got := busiest(flat, 100, 100); got != want {
				t.Errorf("busiest(flat %v, 100x100) = %v, want %v", sz, got, want)
			}
		}
	})
}

// texturedBand returns a w×h image of a gentle diagonal ramp (so that no
// two crops look alike) with a band of 4×4-pixel noise from from to to
// along x (horizontal) or y.
func texturedBand(w, h int, horizontal bool, from, to int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8(60 + x/8 + y/8)
			if p := map[bool]int{true: x, false: y}[horizontal]; p >= from && p < to {
				n := uint32(x/4)*2654435761 ^ uint32(y/4)*40503
				n ^= n >> 13
				n *= 0x5bd1e995
				v = uint8(40 + (n>>8)%176)
			}
			m.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
		}
	}
	return m
}

// ---------------------------------------------------------------------------
// ICC profiles.

func TestICC(t *testing.T) {
	pic := testimage.Photo(120, 80)
	small, big := fakeICC(560, "RGB "), fakeICC(150000, "RGB ") // big needs three APP2 segments
	grayICC := fakeICC(400, "GRAY")
	jpegWithICC := func(m image.Image, icc []byte) []byte {
		return encodeBytes(t, func(b *bytes.Buffer) error {
			return encode.Encode(b, m, encode.Options{Format: encode.JPEG, Quality: 90, ICC: icc})
		})
	}
	pngWithICC := func(m image.Image, icc []byte) []byte {
		return encodeBytes(t, func(b *bytes.Buffer) error {
			return encode.Encode(b, m, encode.Options{Format: encode.PNG, ICC: icc})
		})
	}
	for _, c := range []struct {
		name string
		src  []byte
		icc  []byte
		out  image.Image
	}{
		{"jpeg", jpegWithICC(pic, small), small, pic},
		{"jpeg-big", jpegWithICC(pic, big), big, pic},
		{"png", pngWithICC(pic, small), small, pic},
		{"jpeg-gray", jpegWithICC(grayOf(pic), grayICC), grayICC, grayOf(pic)},
	} {
		if h, err := decode.ReadHeader(c.src); err != nil || !bytes.Equal(h.ICC, c.icc) {
			t.Fatalf("%s: the source does not carry the profile (%v)", c.name, err)
		}
		for _, f := range []encode.Format{encode.JPEG, encode.PNG, encode.WebP} {
			th := one(t, c.src, Options{Boxes: []Box{mustBox(t, "60")}, Format: f})
			m := checkThumb(t, th, 60, 40, f)
			h, err := decode.ReadHeader(th.Data)
			if err != nil {
				t.Fatalf("%s → %s: %v", c.name, f, err)
			}
			if !bytes.Equal(h.ICC, c.icc) {
				t.Errorf("%s → %s: output profile has %d bytes, want the source's %d", c.name, f, len(h.ICC), len(c.icc))
			}
			if p := psnr(t, lanczos(c.out, 60, 40), m); p < 28 {
				t.Errorf("%s → %s: PSNR %.2f with the profile embedded", c.name, f, p)
			}
			if _, ok := m.(*image.Gray); ok != (c.name == "jpeg-gray" && f != encode.WebP) {
				t.Errorf("%s → %s: output decodes to %T", c.name, f, m)
			}

			th = one(t, c.src, Options{Boxes: []Box{mustBox(t, "60")}, Format: f, Strip: true})
			checkThumb(t, th, 60, 40, f)
			if h, err := decode.ReadHeader(th.Data); err != nil || h.ICC != nil {
				t.Errorf("%s → %s with Strip: output has a %d-byte profile (%v)", c.name, f, len(h.ICC), err)
			}
			if bytes.Contains(th.Data, []byte("ICC_PROFILE")) || bytes.Contains(th.Data, []byte("iCCP")) || bytes.Contains(th.Data, []byte("ICCP")) {
				t.Errorf("%s → %s with Strip: profile marker in the output", c.name, f)
			}
		}
	}
	// No profile in, none out.
	th := one(t, jpegOf(t, pic, 90), Options{Boxes: []Box{mustBox(t, "60")}})
	if h, _ := decode.ReadHeader(th.Data); h.ICC != nil {
		t.Errorf("source without a profile gave one of %d bytes", len(h.ICC))
	}
}

// ---------------------------------------------------------------------------
// Limits and errors.

// hugePNG returns a PNG that is only a header claiming w×h RGBA pixels.
func hugePNG(w, h int) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	return append(out, pngChunk("IEND", nil)...)
}

// withJPEGSize rewrites the frame size in a JPEG's SOF segment.
func withJPEGSize(t *testing.T, data []byte, w, h int) []byte {
	out := bytes.Clone(data)
	for i := 2; i+9 < len(out); {
		if out[i] != 0xFF {
			t.Fatal("lost in JPEG segments")
		}
		m := out[i+1]
		if m == 0xC0 || m == 0xC1 || m == 0xC2 {
			binary.BigEndian.PutUint16(out[i+5:], uint16(h))
			binary.BigEndian.PutUint16(out[i+7:], uint16(w))
			return out
		}
		i += 2 + int(binary.BigEndian.Uint16(out[i+2:]))
	}
	t.Fatal("no SOF")
	return nil
}

func TestMaxPixels(t *testing.T) {
	const limit = 50_000_000
	jpg := jpegOf(t, testimage.Photo(64, 48), 80)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"png 100000x100000", hugePNG(100000, 100000)},
		{"png 1x60000000", hugePNG(1, 60_000_000)},
		{"jpeg 65000x65000", withJPEGSize(t, jpg, 65000, 65000)},
	} {
		if h, err := decode.ReadHeader(c.data); err != nil {
			t.Fatalf("%s: ReadHeader: %v", c.name, err)
		} else if int64(h.Width)*int64(h.Height) <= limit {
			t.Fatalf("%s: header says %dx%d", c.name, h.Width, h.Height)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := Make(context.Background(), c.data, Options{Boxes: []Box{mustBox(t, "256")}, MaxPixels: limit})
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %v in %v, %d bytes allocated", c.name, err, elapsed, alloc)
		if err == nil {
			t.Errorf("%s: Make succeeded, want the pixel limit error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), "limit") || !strings.Contains(err.Error(), "50000000") {
			t.Errorf("%s: error %q does not mention the limit of %d", c.name, err, limit)
		}
		if alloc > 16<<20 {
			t.Errorf("%s: refusing took %d bytes, want < 16 MiB", c.name, alloc)
		}
		if elapsed > time.Second {
			t.Errorf("%s: refusing took %v", c.name, elapsed)
		}
	}

	// The limit is inclusive, and counts the pixels, not the sides.
	src := pngOf(t, testimage.Photo(64, 48))
	for _, c := range []struct {
		max int64
		ok  bool
	}{{0, true}, {64 * 48, true}, {64*48 + 1, true}, {64*48 - 1, false}, {1, false}} {
		_, err := Make(context.Background(), src, Options{Boxes: []Box{mustBox(t, "32")}, MaxPixels: c.max})
		if (err == nil) != c.ok {
			t.Errorf("64x48 with MaxPixels %d: error %v, want ok=%v", c.max, err, c.ok)
		}
	}
}

func TestErrors(t *testing.T) {
	good := pngOf(t, testimage.Photo(64, 48))
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"text", []byte("this is not an image at all, just some text")},
		{"truncated png", good[:len(good)/2]},
		{"truncated jpeg", jpegOf(t, testimage.Photo(64, 48), 90)[:300]},
		{"png without data", hugePNG(10, 10)},
	} {
		th, err := Make(context.Background(), c.data, Options{Boxes: []Box{mustBox(t, "32")}})
		if err == nil {
			t.Errorf("%s: Make gave %d thumbnails and no error", c.name, len(th))
		}
	}
}

func TestContext(t *testing.T) {
	src := pngOf(t, testimage.Photo(64, 48))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Make(ctx, src, Options{Boxes: []Box{mustBox(t, "32")}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: error %v, want context.Canceled", err)
	}

	// With a memory budget: Make takes its share, gives it back, and
	// waits no longer than its context when the budget is spent.
	const budget = 4 << 20
	sem := semaphore.NewWeighted(budget)
	o := Options{Boxes: []Box{mustBox(t, "32")}, Memory: sem, MemoryLimit: budget}
	if _, err := Make(context.Background(), src, o); err != nil {
		t.Fatal(err)
	}
	if !sem.TryAcquire(budget) {
		t.Fatal("Make did not release its memory share")
	}
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Make(ctx, src, o)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("spent budget: error %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("spent budget: Make waited %v", d)
	}
	sem.Release(budget)

	// A PNG decoded row by row into a small box needs a few rows and
	// the shrunk picture, whatever its size; one decoded whole, for a box
	// as large as itself, needs more than the budget, and is refused,
	// saying so.
	big := pngOf(t, testimage.Photo(1200, 800))
	if _, err := Make(context.Background(), big, o); err != nil {
		t.Errorf("1200x800 PNG into a 32 px box within 4 MiB: %v", err)
	}
	_, err = Make(context.Background(), big, Options{Boxes: []Box{mustBox(t, "1200")}, Memory: sem, MemoryLimit: budget})
	if want := "png 1200x800 needs about 13 MiB to decode, over the memory budget of 4 MiB"; err == nil || err.Error() != want {
		t.Errorf("image over the budget: error %v, want %q", err, want)
	}
}

// ---------------------------------------------------------------------------
// Determinism.

func TestDeterministic(t *testing.T) {
	pic := testimage.Photo(300, 200)
	srcs := map[string][]byte{"jpeg": jpegOf(t, pic, 90), "png": pngOf(t, alphaPhoto(300, 200))}
	for _, name := range []string{"jpeg", "png"} {
		for _, f := range []encode.Format{Auto, encode.JPEG, encode.PNG, encode.WebP} {
			o := Options{Boxes: []Box{mustBox(t, "120"), mustBox(t, "50x50")}, Format: f, Fit: Cover, Crop: CropSmart}
			first, err := Make(context.Background(), srcs[name], o)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Make(context.Background(), srcs[name], o)
			if err != nil {
				t.Fatal(err)
			}
			for i := range first {
				if !bytes.Equal(first[i].Data, again[i].Data) {
					t.Errorf("%s → %q box %s: two runs differ", name, f, first[i].Box)
				}
			}

			const n = 8
			results := make([][]Thumb, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for g := 0; g < n; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[g], errs[g] = Make(context.Background(), srcs[name], o)
				}()
			}
			wg.Wait()
			for g := 0; g < n; g++ {
				if errs[g] != nil {
					t.Fatalf("goroutine %d: %v", g, errs[g])
				}
				for i := range first {
					if !bytes.Equal(first[i].Data, results[g][i].Data) {
						t.Errorf("%s → %q box %s: goroutine %d gave different bytes", name, f, first[i].Box, g)
					}
				}
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Shrink on load.

func TestLoadShrink(t *testing.T) {
	for _, c := range []struct {
		format  decode.Format
		w, h    int
		boxes   []string
		fit     Fit
		upscale bool
		want    int
	}{
		{decode.JPEG, 4096, 3072, []string{"256"}, Contain, false, 8},
		{decode.JPEG, 4096, 3072, []string{"257"}, Contain, false, 4},
		{decode.JPEG, 4096, 3072, []string{"512"}, Contain, false, 4},
		{decode.JPEG, 4096, 3072, []string{"1024"}, Contain, false, 2},
		{decode.JPEG, 4096, 3072, []string{"1025"}, Contain, false, 1},
		{decode.JPEG, 4096, 3072, []string{"256", "1024"}, Contain, false, 2},
		{decode.JPEG, 4096, 3072, []string{"1024", "256"}, Contain, false, 2},
		{decode.JPEG, 4096, 3072, []string{"256"}, Cover, false, 4}, // covers at 341x256
		{decode.JPEG, 4096, 3072, []string{"x192"}, Contain, false, 8},
		{decode.JPEG, 4096, 3072, []string{"60000"}, Contain, true, 1},
		{decode.JPEG, 4096, 3072, []string{"60000"}, Contain, false, 1},
		{decode.JPEG, 4096, 3072, []string{"4096"}, Contain, false, 1},
		{decode.JPEG, 100, 100, []string{"10"}, Contain, false, 4},
		{decode.JPEG, 100, 100, []string{"13"}, Contain, false, 2},
		{decode.JPEG, 4096, 3072, nil, Contain, false, 8},
		{decode.PNG, 4096, 3072, []string{"256"}, Contain, false, 1},
		{decode.WebP, 4096, 3072, []string{"256"}, Contain, false, 8},
		{decode.WebP, 3840, 2400, []string{"256"}, Contain, false, 6}, // 7, made even
		{decode.WebP, 2000, 1600, []string{"256"}, Contain, false, 2}, // 3, made even
		{decode.WebP, 1000, 800, []string{"256"}, Contain, false, 1},
		{decode.WebP, 4096, 3072, []string{"1024", "256"}, Contain, false, 2},
		{decode.HEIC, 4032, 3024, []string{"640"}, Contain, false, 2},
		{decode.HEIC, 3840, 2400, []string{"256"}, Contain, false, 6},
	} {
		var boxes []Box
		for _, s := range c.boxes {
			boxes = append(boxes, mustBox(t, s))
		}
		o := Options{Boxes: boxes, Fit: c.fit, Upscale: c.upscale}
		got := loadShrink(c.format, c.w, c.h, o)
		if got != c.want {
			t.Errorf("loadShrink(%s, %dx%d, %v %s upscale=%v) = %d, want %d", c.format, c.w, c.h, c.boxes, c.fit, c.upscale, got, c.want)
		}
		// Whatever it picks leaves at least 2x for every box.
		for _, b := range boxes {
			tw, th := target(c.w, c.h, b, c.fit, c.upscale)
			if got > 1 && (c.w/got < 2*tw || c.h/got < 2*th) {
				t.Errorf("shrink %d leaves less than 2x for box %s (%dx%d from %dx%d)", got, b, tw, th, c.w, c.h)
			}
		}
	}
}
