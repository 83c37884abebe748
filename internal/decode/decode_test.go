package decode

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/gen2brain/avif"
	gwebp "github.com/gen2brain/webp"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

type sample struct {
	name   string
	format Format
	data   []byte
	want   image.Image // expected pixels
	psnr   float64     // minimum PSNR of the decoded pixels against want, in dB
}

func enc(t testing.TB, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// samples returns one small file per format and variant with its expected pixels.
func samples(t testing.TB) []sample {
	pic, alpha := photo(64, 48), translucent(64, 48)
	odd := photo(67, 45)
	gray := image.NewGray(pic.Bounds())
	draw.Draw(gray, gray.Bounds(), pic, image.Point{}, draw.Src)
	deep := image.NewNRGBA64(pic.Bounds())
	draw.Draw(deep, deep.Bounds(), alpha, image.Point{}, draw.Src)
	pal := image.NewPaletted(pic.Bounds(), palette.Plan9)
	draw.Draw(pal, pal.Bounds(), pic, image.Point{}, draw.Src)
	src := pic // testdata/*.jpg and interlaced.png were made from photo(64, 48)
	quarter := image.NewNRGBA(pic.Bounds())
	draw.Draw(quarter, image.Rect(0, 0, 32, 24), pal, image.Point{}, draw.Src)
	pngOf := func(m image.Image) []byte { return enc(t, func(b *bytes.Buffer) error { return png.Encode(b, m) }) }
	jpegOf := func(m image.Image) []byte {
		return enc(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, m, &jpeg.Options{Quality: 92}) })
	}
	webpOf := func(m image.Image, o gwebp.Options) []byte {
		return enc(t, func(b *bytes.Buffer) error { return gwebp.Encode(b, m, o) })
	}
	avifOf := func(m image.Image) []byte {
		return enc(t, func(b *bytes.Buffer) error { return avif.Encode(b, m, avif.Options{Quality: 90}) })
	}
	inf := math.Inf(1)
	return []sample{
		{"jpeg", JPEG, jpegOf(pic), pic, 30},
		{"jpeg-odd", JPEG, jpegOf(odd), odd, 30},
		{"jpeg-gray", JPEG, jpegOf(gray), gray, 35},
		{"jpeg-progressive", JPEG, readFile(t, "progressive.jpg"), src, 30},
		{"jpeg-cmyk", JPEG, readFile(t, "cmyk.jpg"), src, 25},
		{"png", PNG, pngOf(pic), pic, inf},
		{"png-alpha", PNG, pngOf(alpha), alpha, inf},
		{"png-gray", PNG, pngOf(gray), gray, inf},
		{"png-16bit", PNG, pngOf(deep), alpha, inf},
		{"png-palette", PNG, pngOf(pal), pal, inf},
		{"png-interlaced", PNG, readFile(t, "interlaced.png"), src, inf},
		{"gif", GIF, enc(t, func(b *bytes.Buffer) error { return gif.Encode(b, pal, nil) }), pal, inf},
		{"gif-small-first-frame", GIF, smallFrameGIF(t, pal), quarter, inf},
		{"tiff", TIFF, enc(t, func(b *bytes.Buffer) error { return tiff.Encode(b, alpha, nil) }), alpha, inf},
		{"tiff-deflate", TIFF, enc(t, func(b *bytes.Buffer) error {
			return tiff.Encode(b, pic, &tiff.Options{Compression: tiff.Deflate, Predictor: true})
		}), pic, inf},
		{"bmp", BMP, enc(t, func(b *bytes.Buffer) error { return bmp.Encode(b, pic) }), pic, inf},
		{"webp-lossy", WebP, webpOf(pic, gwebp.Options{Quality: 90}), pic, 28},
		{"webp-lossless", WebP, webpOf(alpha, gwebp.Options{Lossless: true, Exact: true}), alpha, inf},
		{"webp-lossy-alpha", WebP, webpOf(alpha, gwebp.Options{Quality: 90}), alpha, 28},
		{"webp-animated", WebP, animatedWebP(t, webpOf(pic, gwebp.Options{Quality: 90}), 64, 48), pic, 28},
		{"avif", AVIF, avifOf(pic), pic, 30},
		{"avif-alpha", AVIF, avifOf(alpha), alpha, 28},
		{"heic", HEIC, readFile(t, "small.heic"), photo(256, 171), 30},
		// gen2brain/heic drops the alpha plane: what comes out is the colour of translucent(256, 171).
		{"heic-alpha", HEIC, readFile(t, "alpha.heic"), photo(256, 171), 30},
	}
}

// smallFrameGIF writes pal as a GIF whose first frame covers only the top-left quarter,
// on a logical screen of pal's size, followed by a full frame.
func smallFrameGIF(t testing.TB, pal *image.Paletted) []byte {
	q := pal.SubImage(image.Rect(0, 0, 32, 24)).(*image.Paletted)
	g := &gif.GIF{
		Image:  []*image.Paletted{q, pal},
		Delay:  []int{10, 10},
		Config: image.Config{ColorModel: pal.Palette, Width: 64, Height: 48},
	}
	return enc(t, func(b *bytes.Buffer) error { return gif.EncodeAll(b, g) })
}

// animatedWebP wraps a simple lossy WebP file as a two-frame animation.
func animatedWebP(t testing.TB, wp []byte, w, h int) []byte {
	return testimage.AnimatedWebP(wp, w, h, w, h, 2)
}

func TestRoundTrip(t *testing.T) {
	for _, s := range samples(t) {
		t.Run(s.name, func(t *testing.T) {
			h, err := ReadHeader(s.data)
			if err != nil {
				t.Fatal(err)
			}
			size := s.want.Bounds().Size()
			if h.Format != s.format || h.Width != size.X || h.Height != size.Y || h.Orientation != 1 {
				t.Fatalf("header %+v, want %s %v orientation 1", h, s.format, size)
			}
			img, err := Decode(context.Background(), s.data, h, 1)
			if err != nil {
				t.Fatal(err)
			}
			if p := psnr(t, s.want, img); p < s.psnr {
				t.Errorf("PSNR %.1f dB, want >= %.1f", p, s.psnr)
			}
		})
	}
}

func TestLargeHEIC(t *testing.T) {
	data := readFile(t, "big.heic")
	if len(data) <= 1<<20 {
		t.Fatalf("big.heic has %d bytes, want > 1 MiB", len(data))
	}
	h, err := ReadHeader(data)
	if err != nil || h.Format != HEIC || h.Width != 3000 || h.Height != 2000 {
		t.Fatalf("ReadHeader = %+v, %v; want heic 3000x2000", h, err)
	}
	if testing.Short() {
		return
	}
	img, err := Decode(context.Background(), data, h, 1)
	if err != nil || img.Bounds() != image.Rect(0, 0, 3000, 2000) {
		t.Fatalf("Decode: %v, %v", err, img)
	}
}

// TestGrayHEIC decodes a monochrome HEIC (its hvcC says chroma format 0),
// which the HEIC decoder reads only as 4:2:0 (heicForLibheif), and
// compares it with its source, ImageMagick 6's gray of photo(256, 171):
// Rec. 709 luma of the gamma-encoded values.
func TestGrayHEIC(t *testing.T) {
	data := readFile(t, "gray.heic")
	h, err := ReadHeader(data)
	if err != nil || h.Format != HEIC || h.Width != 256 || h.Height != 171 {
		t.Fatalf("ReadHeader = %+v, %v", h, err)
	}
	img, err := Decode(context.Background(), data, h, 1)
	if err != nil {
		t.Fatal(err)
	}
	src := photo(256, 171)
	gray := image.NewGray(src.Bounds())
	for i := range gray.Pix {
		c := src.Pix[4*i : 4*i+3]
		gray.Pix[i] = uint8(0.2126*float64(c[0]) + 0.7152*float64(c[1]) + 0.0722*float64(c[2]) + 0.5)
	}
	// heif-enc -q 90 keeps 52 dB of it.
	if p := psnr(t, gray, img); p < 40 {
		t.Errorf("PSNR %.1f dB against the gray source, want >= 40", p)
	}
}

func TestSniffIgnoresName(t *testing.T) {
	data := enc(t, func(b *bytes.Buffer) error { return png.Encode(b, photo(8, 8)) })
	h, err := ReadHeader(data) // what a file "photo.jpg" or "README" holding PNG bytes gives
	if err != nil || h.Format != PNG {
		t.Fatalf("ReadHeader = %+v, %v; want png", h, err)
	}
	for _, junk := range [][]byte{nil, {}, []byte("hello, world, this is not an image"), make([]byte, 100)} {
		if _, err := ReadHeader(junk); err == nil || err.Error() != "unknown image format" {
			t.Errorf("ReadHeader(%q) error = %v, want unknown image format", junk, err)
		}
	}
}

func TestIsImageName(t *testing.T) {
	for _, n := range []string{"a.jpg", "B.JPEG", "c.png", "d.Gif", "e.tif", "f.TIFF", "g.bmp", "h.webp", "i.HEIC", "j.heif", "k.avif", "dir.x/l.jpg"} {
		if !IsImageName(n) {
			t.Errorf("IsImageName(%q) = false", n)
		}
	}
	for _, n := range []string{"a.txt", "jpg", "a.jpg.bak", ".png.x", "a.jpe", "a", "heic"} {
		if IsImageName(n) {
			t.Errorf("IsImageName(%q) = true", n)
		}
	}
}

func TestOrientation(t *testing.T) {
	pic := photo(16, 8)
	jpg := enc(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, pic, nil) })
	pngData := enc(t, func(b *bytes.Buffer) error { return png.Encode(b, pic) })
	wp := enc(t, func(b *bytes.Buffer) error { return gwebp.Encode(b, pic) })
	for o := 0; o <= 9; o++ {
		want := o
		if o < 1 || o > 8 {
			want = 1
		}
		for _, big := range []bool{false, true} {
			exif := exifTIFF(o, big)
			files := map[string][]byte{
				"jpeg": withJPEGSegment(jpg, 0xE1, append([]byte("Exif\x00\x00"), exif...)),
				"png":  withPNGChunk(pngData, "eXIf", exif),
				"webp": withWebPChunks(wp, 16, 8, map[string][]byte{"EXIF": exif}),
				"tiff": encodeTIFF(16, 8, o, big),
			}
			for name, f := range files {
				h, err := ReadHeader(f)
				if err != nil || h.Orientation != want || h.Width != 16 || h.Height != 8 {
					t.Errorf("%s o=%d bigEndian=%v: ReadHeader = %+v, %v; want orientation %d", name, o, big, h, err, want)
				}
				if _, err := Decode(context.Background(), f, h, 1); err != nil {
					t.Errorf("%s o=%d: Decode: %v", name, o, err)
				}
			}
		}
	}
}

// encodeTIFF writes an uncompressed 8-bit gray TIFF with an orientation tag
// (x/image/tiff cannot write one).
func encodeTIFF(w, h, o int, bigEndian bool) []byte {
	var bo binary.AppendByteOrder = binary.LittleEndian
	b := []byte("II*\x00")
	if bigEndian {
		bo, b = binary.BigEndian, []byte("MM\x00*")
	}
	entries := [][3]uint32{{256, 3, uint32(w)}, {257, 3, uint32(h)}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1},
		{273, 4, 0}, {274, 3, uint32(o)}, {277, 3, 1}, {278, 3, uint32(h)}, {279, 4, uint32(w * h)}}
	ifdEnd := 8 + 2 + 12*len(entries) + 4
	b = bo.AppendUint32(b, 8)
	b = bo.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		if e[0] == 273 {
			e[2] = uint32(ifdEnd)
		}
		b = bo.AppendUint16(b, uint16(e[0]))
		b = bo.AppendUint16(b, uint16(e[1]))
		b = bo.AppendUint32(b, 1)
		if e[1] == 3 {
			b = bo.AppendUint16(b, uint16(e[2]))
			b = append(b, 0, 0)
		} else {
			b = bo.AppendUint32(b, e[2])
		}
	}
	b = bo.AppendUint32(b, 0)
	for i := 0; i < w*h; i++ {
		b = append(b, byte(i*7))
	}
	return b
}

// TestHEIFTransforms checks that HEIC reports the displayed size with Orientation 1 (its
// decoder applies irot/imir) and AVIF reports the stored size with irot/imir as Orientation
// (its decoder does not apply them).
func TestHEIFTransforms(t *testing.T) {
	heicData := readFile(t, "small.heic")
	h0, _ := ReadHeader(heicData)
	upright, err := Decode(context.Background(), heicData, h0, 1)
	if err != nil {
		t.Fatal(err)
	}
	pic := photo(64, 48)
	avifData := enc(t, func(b *bytes.Buffer) error { return avif.Encode(b, pic, avif.Options{Quality: 90}) })
	cases := []struct {
		props [][]byte
		want  int // EXIF orientation equivalent
	}{
		{nil, 1},
		{[][]byte{irot(1)}, 8},
		{[][]byte{irot(2)}, 3},
		{[][]byte{irot(3)}, 6},
		{[][]byte{imir(0)}, 4},
		{[][]byte{imir(1)}, 2},
		{[][]byte{irot(1), imir(0)}, 5},
		{[][]byte{irot(1), imir(1)}, 7},
		{[][]byte{irot(3), imir(0)}, 7},
	}
	for _, c := range cases {
		f := withHEIFProps(t, heicData, c.props...)
		h, err := ReadHeader(f)
		if err != nil {
			t.Fatal(err)
		}
		want := applyOrientation(upright, c.want)
		if h.Orientation != 1 || h.Width != want.Bounds().Dx() || h.Height != want.Bounds().Dy() {
			t.Errorf("heic %d: header %+v, want %v orientation 1", c.want, h, want.Bounds().Size())
		}
		img, err := Decode(context.Background(), f, h, 1)
		if err != nil {
			t.Fatalf("heic %d: %v", c.want, err)
		}
		if p := psnr(t, want, img); p < 30 {
			t.Errorf("heic %d: PSNR %.1f against the transformed upright image", c.want, p)
		}

		f = withHEIFProps(t, avifData, c.props...)
		h, err = ReadHeader(f)
		if err != nil || h.Orientation != c.want || h.Width != 64 || h.Height != 48 {
			t.Errorf("avif %d: ReadHeader = %+v, %v", c.want, h, err)
		}
		img, err = Decode(context.Background(), f, h, 1)
		if err != nil {
			t.Fatalf("avif %d: %v", c.want, err)
		}
		if p := psnr(t, pic, img); p < 30 {
			t.Errorf("avif %d: PSNR %.1f against the stored image", c.want, p)
		}
	}
}

// applyOrientation transforms stored pixels for display as EXIF orientation o says.
func applyOrientation(m image.Image, o int) image.Image {
	switch o {
	case 2:
		return imaging.FlipH(m)
	case 3:
		return imaging.Rotate180(m)
	case 4:
		return imaging.FlipV(m)
	case 5:
		return imaging.Transpose(m)
	case 6:
		return imaging.Rotate270(m)
	case 7:
		return imaging.Transverse(m)
	case 8:
		return imaging.Rotate90(m)
	}
	return m
}

func TestHEIFOrientationTable(t *testing.T) {
	m := photo(5, 3)
	for angle := 0; angle < 4; angle++ {
		for mir := 0; mir < 3; mir++ {
			var got image.Image = m
			for i := 0; i < angle; i++ {
				got = imaging.Rotate90(got) // counter-clockwise, as irot
			}
			switch mir {
			case 1:
				got = imaging.FlipV(got) // imir mode 0
			case 2:
				got = imaging.FlipH(got) // imir mode 1
			}
			o := heifOrientation[angle][mir]
			if p := psnr(t, applyOrientation(m, o), got); !math.IsInf(p, 1) {
				t.Errorf("irot %d imir %d: orientation %d does not match", angle, mir-1, o)
			}
		}
	}
}

func TestICCRoundTrip(t *testing.T) {
	icc := fakeICC(70000) // spans two JPEG APP2 segments
	for _, f := range []encode.Format{encode.JPEG, encode.PNG, encode.WebP, encode.AVIF} {
		for _, pic := range []*image.NRGBA{photo(32, 24), translucent(32, 24)} {
			var b bytes.Buffer
			if err := encode.Encode(&b, pic, encode.Options{Format: f, Quality: 80, ICC: icc}); err != nil {
				t.Fatal(err)
			}
			h, err := ReadHeader(b.Bytes())
			if err != nil || string(h.Format) != string(f) || !bytes.Equal(h.ICC, icc) {
				t.Errorf("%s: ReadHeader = %v %v %dx%d ICC %d bytes, want %d", f, err, h.Format, h.Width, h.Height, len(h.ICC), len(icc))
			}
			img, err := Decode(context.Background(), b.Bytes(), h, 1)
			if err != nil {
				t.Fatalf("%s: Decode: %v", f, err)
			}
			if f == encode.JPEG && !pic.Opaque() {
				continue // JPEG drops alpha
			}
			if p := psnr(t, pic, img); p < 27 {
				t.Errorf("%s: PSNR %.1f", f, p)
			}
		}
	}
}

func TestJPEGICCOutOfOrder(t *testing.T) {
	jpg := enc(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, photo(8, 8), nil) })
	seg := func(seq, n int, d string) []byte {
		return append([]byte("ICC_PROFILE\x00"+string(rune(seq))+string(rune(n))), d...)
	}
	f := withJPEGSegment(withJPEGSegment(jpg, 0xE2, seg(2, 2, "world")), 0xE2, seg(1, 2, "hello "))
	if h, _ := ReadHeader(f); string(h.ICC) != "hello world" {
		t.Errorf("ICC = %q", h.ICC)
	}
	f = withJPEGSegment(jpg, 0xE2, seg(2, 2, "world")) // first part missing
	if h, _ := ReadHeader(f); h.ICC != nil {
		t.Errorf("ICC = %q, want nil", h.ICC)
	}
}

func TestTIFFICC(t *testing.T) {
	b := encodeTIFF(4, 4, 1, true)
	// Append a profile and retarget the Compression entry (tag 259, 4th) as an ICC entry:
	// tags stay usable for this reader, which does not need them sorted.
	icc := fakeICC(301)
	at := len(b)
	b = append(b, icc...)
	e := b[8+2+12*3:]
	binary.BigEndian.PutUint16(e, tagICC)
	binary.BigEndian.PutUint16(e[2:], 7)
	binary.BigEndian.PutUint32(e[4:], uint32(len(icc)))
	binary.BigEndian.PutUint32(e[8:], uint32(at))
	h, err := ReadHeader(b)
	if err != nil || !bytes.Equal(h.ICC, icc) || h.Width != 4 {
		t.Fatalf("ReadHeader = %v, %+v", err, h)
	}
}

// fakeICC returns n bytes shaped like an RGB ICC profile header followed by filler.
func fakeICC(n int) []byte {
	b := make([]byte, n)
	binary.BigEndian.PutUint32(b, uint32(n))
	copy(b[12:], "mntrRGB XYZ ")
	copy(b[36:], "acsp")
	for i := 128; i < n; i++ {
		b[i] = byte(i * 31)
	}
	return b
}

// TestCorrupt feeds truncated and bit-flipped variants of every sample to ReadHeader and
// Decode: errors are fine, panics and hangs are not.
func TestCorrupt(t *testing.T) {
	all := samples(t)
	all = append(all, sample{name: "heic-big-head", data: readFile(t, "big.heic")[:40000]})
	for _, s := range all {
		n := len(s.data)
		variants := [][]byte{s.data[:0], s.data[:1], s.data[:n/2], s.data[:n-1]}
		for _, cut := range []int{8, 16, 24, 33, 40, 64, 100, 200, 400} {
			if cut < n {
				variants = append(variants, s.data[:cut])
			}
		}
		seed := uint32(len(s.name))
		for i := 0; i < 24; i++ {
			b := bytes.Clone(s.data)
			for j := 0; j < 1+i%3; j++ {
				seed = seed*1664525 + 1013904223
				pos := int(seed>>8) % n
				if i < 12 {
					pos %= min(n, 512) // headers live near the start
				}
				b[pos] ^= 1 << (seed >> 29)
			}
			variants = append(variants, b)
		}
		for _, v := range variants {
			h, err := ReadHeader(v)
			if err != nil {
				continue
			}
			if h.Width*h.Height > 1<<22 {
				continue
			}
			if img, err := Decode(context.Background(), v, h, 1); err == nil && img == nil {
				t.Errorf("%s: nil image without error", s.name)
			}
		}
	}
}

func TestAVIFTruncatedPayload(t *testing.T) {
	data := enc(t, func(b *bytes.Buffer) error { return avif.Encode(b, photo(64, 48)) })
	h, err := ReadHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	bad := data[:len(data)-8] // a truncated download: the header is whole, the payload is not
	if img, err := Decode(context.Background(), bad, h, 1); err == nil {
		t.Errorf("damaged AVIF decoded without error: %v", img.Bounds())
	}
}

func TestDecodeUnknown(t *testing.T) {
	if _, err := Decode(context.Background(), []byte("x"), Header{}, 1); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("err = %v", err)
	}
}
