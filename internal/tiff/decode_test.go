package tiff

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

// scale8 is the documented mapping of a 16-bit picture value stored in bps bits to 8 bits.
func scale8(v uint16, bps int) uint8 {
	if bps < 8 {
		max := uint32(1)<<bps - 1
		q := uint32(v) >> (16 - bps)
		return uint8((q*255 + max/2) / max)
	}
	return uint8((uint32(v)*255 + 32767) / 65535)
}

// tolerance is how far an 8-bit result may be from scale8 for samples of bps bits:
// deeper samples are rounded on another path than scale8's.
func tolerance(bps int) int {
	if bps < 8 {
		return 0
	}
	return 1
}

// photometricCase is a photometric interpretation with its samples and the
// RGBA the decoder must produce for pixel (x, y) of the file.
type photometricCase struct {
	name        string
	photometric int
	spp         int
	extra       []uint16
	minBPS      int // shallowest BitsPerSample the case supports
	maxBPS      int // deepest BitsPerSample the case supports, 0 for any
	pic         picture
	palette     bool
	slack       int // extra tolerance
	want        func(f *tiffFile, x, y int) [4]uint8
}

// straightAlpha is the alpha of the premultiplied test picture, never below one half.
func straightAlpha(x, y int) uint16 { return 32768 + pattern(x, y, 3)>>1 }

func premultiplied(x, y, c int) uint16 {
	if c == 3 {
		return straightAlpha(x, y)
	}
	return uint16(uint32(pattern(x, y, c)) * uint32(straightAlpha(x, y)) / 65535)
}

var photometricCases = []photometricCase{
	{name: "BlackIsZero", photometric: pBlackIsZero, spp: 1, want: func(f *tiffFile, x, y int) [4]uint8 {
		g := scale8(f.pic(x, y, 0), f.bps)
		return [4]uint8{g, g, g, 255}
	}},
	{name: "WhiteIsZero", photometric: pWhiteIsZero, spp: 1, want: func(f *tiffFile, x, y int) [4]uint8 {
		g := 255 - scale8(f.pic(x, y, 0), f.bps)
		return [4]uint8{g, g, g, 255}
	}},
	{name: "GrayAlpha", photometric: pBlackIsZero, spp: 2, extra: []uint16{2}, want: func(f *tiffFile, x, y int) [4]uint8 {
		g := scale8(f.pic(x, y, 0), f.bps)
		return [4]uint8{g, g, g, scale8(f.pic(x, y, 1), f.bps)}
	}},
	{name: "GrayUnspecifiedExtra", photometric: pBlackIsZero, spp: 2, extra: []uint16{0}, want: func(f *tiffFile, x, y int) [4]uint8 {
		g := scale8(f.pic(x, y, 0), f.bps)
		return [4]uint8{g, g, g, 255}
	}},
	{name: "RGB", photometric: pRGB, spp: 3, want: rgbWant(false)},
	{name: "RGBA", photometric: pRGB, spp: 4, extra: []uint16{2}, want: rgbWant(true)},
	{name: "RGBAssociatedAlpha", photometric: pRGB, spp: 4, extra: []uint16{1}, pic: premultiplied, maxBPS: 32, slack: 2,
		want: func(f *tiffFile, x, y int) [4]uint8 {
			a := scale8(straightAlpha(x, y), f.bps)
			if f.bps < 8 {
				return [4]uint8{} // not used: too coarse to un-premultiply
			}
			return [4]uint8{scale8(pattern(x, y, 0), 16), scale8(pattern(x, y, 1), 16), scale8(pattern(x, y, 2), 16), a}
		}},
	{name: "CMYK", photometric: pSeparated, spp: 4, slack: 1, want: func(f *tiffFile, x, y int) [4]uint8 {
		r, g, b := color.CMYKToRGB(scale8(f.pic(x, y, 0), f.bps), scale8(f.pic(x, y, 1), f.bps), scale8(f.pic(x, y, 2), f.bps), scale8(f.pic(x, y, 3), f.bps))
		return [4]uint8{r, g, b, 255}
	}},
	{name: "Palette", photometric: pPalette, spp: 1, maxBPS: 8, palette: true, want: func(f *tiffFile, x, y int) [4]uint8 {
		i := int(f.sample(x, y, 0))
		n := 1 << f.bps
		return [4]uint8{uint8(f.colorMap[i] >> 8), uint8(f.colorMap[n+i] >> 8), uint8(f.colorMap[2*n+i] >> 8), 255}
	}},
	{name: "YCbCr", photometric: pYCbCr, spp: 3, minBPS: 8, maxBPS: 8, slack: 1, pic: ycbcrPicture(1, 1), want: ycbcrWant},
}

func rgbWant(alpha bool) func(f *tiffFile, x, y int) [4]uint8 {
	return func(f *tiffFile, x, y int) [4]uint8 {
		out := [4]uint8{scale8(f.pic(x, y, 0), f.bps), scale8(f.pic(x, y, 1), f.bps), scale8(f.pic(x, y, 2), f.bps), 255}
		if alpha {
			out[3] = scale8(f.pic(x, y, 3), f.bps)
		}
		return out
	}
}

// ycbcrPicture is an RGB pattern stored as Y, Cb, Cr (JPEG's conversion, which is TIFF's
// default), whose chroma is constant over each sh x sv block as subsampled data requires.
func ycbcrPicture(sh, sv int) picture {
	return func(x, y, c int) uint16 {
		bx, by := x/sh*sh, y/sv*sv
		yy, _, _ := color.RGBToYCbCr(uint8(pattern(x, y, 0)>>8), uint8(pattern(x, y, 1)>>8), uint8(pattern(x, y, 2)>>8))
		_, cb, cr := color.RGBToYCbCr(uint8(pattern(bx, by, 0)>>8), uint8(pattern(bx, by, 1)>>8), uint8(pattern(bx, by, 2)>>8))
		return uint16([3]uint8{yy, cb, cr}[c]) << 8
	}
}

func ycbcrWant(f *tiffFile, x, y int) [4]uint8 {
	r, g, b := color.YCbCrToRGB(uint8(f.pic(x, y, 0)>>8), uint8(f.pic(x, y, 1)>>8), uint8(f.pic(x, y, 2)>>8))
	return [4]uint8{r, g, b, 255}
}

// depthCase is a sample encoding.
type depthCase struct {
	bps, format, predictor int
}

var depthCases = []depthCase{
	{1, fUint, 1}, {2, fUint, 1}, {4, fUint, 1}, {8, fUint, 1}, {12, fUint, 1}, {16, fUint, 1}, {32, fUint, 1},
	{8, fUint, 2}, {16, fUint, 2}, {32, fUint, 2},
	{16, fInt, 1}, {32, fInt, 2},
	{16, fFloat, 1}, {32, fFloat, 1}, {64, fFloat, 1}, {32, fFloat, 3}, {16, fFloat, 3}, {64, fFloat, 3},
}

// storage is a compression and a strip or tile arrangement.
type storage struct {
	name string
	set  func(f *tiffFile)
}

var storages = []storage{
	{"none-strips", func(f *tiffFile) { f.compression, f.rowsPerStrip = cNone, 5 }},
	{"lzw-tiles-planar-MM", func(f *tiffFile) { f.compression, f.tileW, f.tileH, f.planar, f.bigEndian = cLZW, 16, 16, true, true }},
	{"lzw-compat-strips", func(f *tiffFile) { f.compression, f.compat, f.rowsPerStrip = cLZW, true, 7 }},
	{"deflate-planar-strips-bigtiff", func(f *tiffFile) { f.compression, f.planar, f.bigTIFF, f.rowsPerStrip = cDeflate, true, true, 4 }},
	{"deflate32946-tiles-MM", func(f *tiffFile) { f.compression, f.tileW, f.tileH, f.bigEndian = cDeflateOld, 32, 16, true }},
	{"packbits-fillorder2-unsorted", func(f *tiffFile) { f.compression, f.fillOrder2, f.unsorted = cPackBits, true, true }},
	{"lzma-tiles-planar", func(f *tiffFile) { f.compression, f.tileW, f.tileH, f.planar = cLZMA, 16, 32, true }},
}

// testPalette returns a colour map for bps-bit indices whose entries are all distinct.
func testPalette(bps int) []uint16 {
	n := 1 << bps
	m := make([]uint16, 3*n)
	for i := 0; i < n; i++ {
		m[i], m[n+i], m[2*n+i] = uint16(i*257*3), uint16(65535-i*257), uint16(i*40503)
	}
	return m
}

// checkPixels compares every pixel of img with want, allowing tol per channel.
func checkPixels(t *testing.T, img image.Image, w, h int, tol int, want func(x, y int) [4]uint8) {
	t.Helper()
	if img.Bounds() != image.Rect(0, 0, w, h) {
		t.Fatalf("bounds %v, want %dx%d", img.Bounds(), w, h)
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			got := [4]uint8{c.R, c.G, c.B, c.A}
			exp := want(x, y)
			for i := range got {
				if d := int(got[i]) - int(exp[i]); d > tol || d < -tol {
					t.Fatalf("pixel (%d,%d) = %v, want %v ± %d", x, y, got, exp, tol)
				}
			}
		}
	}
}

func TestDecodeCombinations(t *testing.T) {
	n := 0
	for _, pc := range photometricCases {
		for _, dc := range depthCases {
			if pc.maxBPS > 0 && dc.bps > pc.maxBPS || dc.bps < pc.minBPS || pc.palette && (dc.format != fUint || dc.predictor != 1) ||
				pc.photometric == pYCbCr && dc.format != fUint || pc.name == "RGBAssociatedAlpha" && dc.bps < 8 {
				continue
			}
			// Each encoding meets the storages in turn, so that every pair occurs across the table.
			for k := 0; k < 2; k++ {
				st := storages[(n+k*3)%len(storages)]
				name := fmt.Sprintf("%s/%d-bit-format%d-predictor%d/%s", pc.name, dc.bps, dc.format, dc.predictor, st.name)
				f := tiffFile{width: 37, height: 19, spp: pc.spp, bps: dc.bps, format: dc.format, predictor: dc.predictor,
					photometric: pc.photometric, extra: pc.extra, pic: pc.pic}
				if dc.predictor == 1 {
					f.predictor = 0
				}
				if pc.palette {
					f.colorMap = testPalette(dc.bps)
				}
				st.set(&f)
				f.defaults()
				t.Run(name, func(t *testing.T) {
					img, err := Decode(writeTIFF(t, f))
					if err != nil {
						t.Fatal(err)
					}
					checkPixels(t, img, f.width, f.height, tolerance(f.bps)+pc.slack, func(x, y int) [4]uint8 { return pc.want(&f, x, y) })
				})
			}
			n++
		}
	}
}

func TestDecodeResultTypes(t *testing.T) {
	tests := []struct {
		name string
		file tiffFile
		want string
	}{
		{"gray is Gray", tiffFile{width: 3, height: 2, bps: 8, photometric: pBlackIsZero}, "*image.Gray"},
		{"16-bit gray is Gray", tiffFile{width: 3, height: 2, bps: 16, photometric: pWhiteIsZero}, "*image.Gray"},
		{"gray with alpha is NRGBA", tiffFile{width: 3, height: 2, bps: 8, spp: 2, extra: []uint16{2}, photometric: pBlackIsZero}, "*image.NRGBA"},
		{"RGB is NRGBA", tiffFile{width: 3, height: 2, bps: 8, spp: 3, photometric: pRGB}, "*image.NRGBA"},
		{"palette is NRGBA", tiffFile{width: 3, height: 2, bps: 4, photometric: pPalette, colorMap: testPalette(4)}, "*image.NRGBA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Decode(writeTIFF(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", img); got != tt.want {
				t.Errorf("type %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDecodeSubsampledYCbCr(t *testing.T) {
	for _, sub := range [][2]int{{1, 1}, {2, 1}, {2, 2}, {4, 2}, {4, 4}, {1, 2}} {
		for _, tiled := range []bool{false, true} {
			f := tiffFile{width: 37, height: 19, spp: 3, bps: 8, photometric: pYCbCr, subH: sub[0], subV: sub[1],
				pic: ycbcrPicture(sub[0], sub[1]), rowsPerStrip: 4 * sub[1], compression: cLZW}
			if tiled {
				f.tileW, f.tileH = 16, 16
			}
			t.Run(fmt.Sprintf("%dx%d-tiled=%v", sub[0], sub[1], tiled), func(t *testing.T) {
				img, err := Decode(writeTIFF(t, f))
				if err != nil {
					t.Fatal(err)
				}
				checkPixels(t, img, f.width, f.height, 1, func(x, y int) [4]uint8 { return ycbcrWant(&f, x, y) })
			})
		}
	}
}

func TestDecodeYCbCrCoefficientsAndReference(t *testing.T) {
	// Rec. 709 luma and a studio-range reference: Y 16..235, chroma 16..240.
	rgb := [][3]uint8{{0, 0, 0}, {255, 255, 255}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {128, 64, 200}}
	kr, kg, kb := 0.2126, 0.7152, 0.0722
	stored := func(c [3]uint8) [3]uint8 {
		r, g, b := float64(c[0]), float64(c[1]), float64(c[2])
		y := kr*r + kg*g + kb*b
		cb := (b - y) / (2 - 2*kb)
		cr := (r - y) / (2 - 2*kr)
		return [3]uint8{uint8(16 + y*219/255 + 0.5), uint8(128 + cb*224/255 + 0.5), uint8(128 + cr*224/255 + 0.5)}
	}
	f := tiffFile{width: len(rgb), height: 1, spp: 3, bps: 8, photometric: pYCbCr, subH: 1, subV: 1,
		pic: func(x, y, c int) uint16 { return uint16(stored(rgb[x])[c]) << 8 },
		extraTags: []entry{
			{tag: tagYCbCrCoefficients, typ: typeRational, vals: []uint64{2126, 10000, 7152, 10000, 722, 10000}},
			{tag: tagReferenceBW, typ: typeRational, vals: []uint64{16, 1, 235, 1, 128, 1, 240, 1, 128, 1, 240, 1}},
		}}
	// Rationals are written as pairs of LONGs.
	for i := range f.extraTags {
		f.extraTags[i].raw = rationals(f.extraTags[i].vals)
	}
	img, err := Decode(writeTIFF(t, f))
	if err != nil {
		t.Fatal(err)
	}
	checkPixels(t, img, len(rgb), 1, 2, func(x, y int) [4]uint8 { c := rgb[x]; return [4]uint8{c[0], c[1], c[2], 255} })
}

// rationals encodes numerator, denominator pairs little-endian.
func rationals(v []uint64) []byte {
	out := make([]byte, 0, 4*len(v))
	for _, x := range v {
		out = append(out, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
	}
	return out
}

func TestDecodeCIELab(t *testing.T) {
	// L*a*b* (D50) of sRGB colours, computed from the CIE formulas with the
	// Bradford-adapted sRGB matrix of Lindbloom's tables and the D50 white
	// (0.96422, 1, 0.82521).
	tests := []struct {
		name    string
		L, a, b float64
		want    [3]uint8
	}{
		{"white", 100, 0, 0, [3]uint8{255, 255, 255}},
		{"black", 0, 0, 0, [3]uint8{0, 0, 0}},
		{"mid grey", 50, 0, 0, [3]uint8{119, 119, 119}},
		{"orange", 54.22, 38.20, 46.25, [3]uint8{200, 100, 50}},
		{"green", 55.43, -39.21, 17.67, [3]uint8{50, 150, 100}},
		{"blue", 38.30, 24.44, -66.18, [3]uint8{60, 80, 200}},
		{"yellow", 87.02, -6.21, 49.95, [3]uint8{230, 220, 120}},
	}
	for _, bps := range []int{8, 16} {
		f := tiffFile{width: len(tests), height: 1, spp: 3, bps: bps, photometric: pCIELab,
			pic: func(x, y, c int) uint16 { return uint16(x) },
			stored: func(v uint16, c int) uint64 {
				tt := tests[v]
				one := 1 << (bps - 8) // a* and b* are in units of 1/one
				switch c {
				case 0:
					return uint64(tt.L*float64(int(1)<<bps-1)/100 + 0.5)
				case 1:
					return uint64(int64(math.Round(tt.a*float64(one)))) & (1<<bps - 1)
				}
				return uint64(int64(math.Round(tt.b*float64(one)))) & (1<<bps - 1)
			}}
		t.Run(fmt.Sprint(bps), func(t *testing.T) {
			img, err := Decode(writeTIFF(t, f))
			if err != nil {
				t.Fatal(err)
			}
			// 8-bit a* and b* are whole numbers, which moves colours by a level or two.
			checkPixels(t, img, len(tests), 1, 3, func(x, y int) [4]uint8 {
				w := tests[x].want
				return [4]uint8{w[0], w[1], w[2], 255}
			})
		})
	}
}

func TestDecodeConfig(t *testing.T) {
	icc := []byte("not really a profile, but bytes to carry")
	for _, big := range []bool{false, true} {
		f := tiffFile{width: 7, height: 5, bps: 8, photometric: pBlackIsZero, orientation: 6, icc: icc, bigEndian: big, bigTIFF: big}
		c, err := DecodeConfig(writeTIFF(t, f))
		if err != nil {
			t.Fatal(err)
		}
		if c.Width != 7 || c.Height != 5 || c.Orientation != 6 || string(c.ICC) != string(icc) {
			t.Errorf("big=%v: got %+v", big, c)
		}
	}
	f := tiffFile{width: 7, height: 5, bps: 8, photometric: pBlackIsZero, orientation: 9}
	if c, err := DecodeConfig(writeTIFF(t, f)); err != nil || c.Orientation != 1 || c.ICC != nil {
		t.Errorf("invalid orientation: got %+v, %v; want orientation 1", c, err)
	}
}

func TestDecodeRefusals(t *testing.T) {
	base := tiffFile{width: 9, height: 4, bps: 8, photometric: pBlackIsZero}
	with := func(change func(f *tiffFile)) tiffFile {
		f := base
		change(&f)
		return f
	}
	tests := []struct {
		name        string
		file        tiffFile
		want        string
		unsupported bool
	}{
		{"unknown compression", with(func(f *tiffFile) {
			f.extraTags = []entry{{tag: tagCompression, typ: typeShort, vals: []uint64{50000}}}
			f.omitTags = []int{tagCompression}
		}), "Compression 50000", true},
		{"WebP compression of grey", with(func(f *tiffFile) {
			f.extraTags = []entry{{tag: tagCompression, typ: typeShort, vals: []uint64{cWebP}}}
			f.omitTags = []int{tagCompression}
		}), "WebP compression with BitsPerSample 8, SamplesPerPixel 1", true},
		{"unknown photometric", with(func(f *tiffFile) { f.photometric = 32844 }), "PhotometricInterpretation 32844", true},
		{"ink set", with(func(f *tiffFile) {
			f.photometric, f.spp = pSeparated, 4
			f.extraTags = []entry{{tag: tagInkSet, typ: typeShort, vals: []uint64{2}}}
		}), "InkSet 2", true},
		{"mixed sample sizes", with(func(f *tiffFile) {
			f.photometric, f.spp = pRGB, 3
			f.omitTags = []int{tagBitsPerSample}
			f.extraTags = []entry{{tag: tagBitsPerSample, typ: typeShort, vals: []uint64{8, 8, 4}}}
		}), "BitsPerSample [8 8 4]", true},
		{"sample format", with(func(f *tiffFile) {
			f.omitTags = []int{tagSampleFormat}
			f.extraTags = []entry{{tag: tagSampleFormat, typ: typeShort, vals: []uint64{6}}}
		}), "SampleFormat 6", true},
		{"predictor", with(func(f *tiffFile) {
			f.extraTags = []entry{{tag: tagPredictor, typ: typeShort, vals: []uint64{7}}}
		}), "Predictor 7", true},
		{"planar configuration", with(func(f *tiffFile) {
			f.extraTags = []entry{{tag: tagPlanarConfig, typ: typeShort, vals: []uint64{3}}}
		}), "PlanarConfiguration 3", true},
		{"T.4 uncompressed mode", with(func(f *tiffFile) {
			f.bps = 1
			f.omitTags = []int{tagCompression}
			f.extraTags = []entry{{tag: tagCompression, typ: typeShort, vals: []uint64{cCCITTT4}}, {tag: tagT4Options, typ: typeLong, vals: []uint64{2}}}
		}), "T4Options uncompressed mode", true},
		{"JPEG with 16-bit samples", with(func(f *tiffFile) {
			f.bps = 16
			f.omitTags = []int{tagCompression}
			f.extraTags = []entry{{tag: tagCompression, typ: typeShort, vals: []uint64{cJPEG}}}
		}), "JPEG compression with BitsPerSample 16", true},
		{"huge dimensions", with(func(f *tiffFile) {
			f.omitTags = []int{tagWidth}
			f.extraTags = []entry{{tag: tagWidth, typ: typeLong, vals: []uint64{1 << 30}}}
		}), "exceeds", true},
		{"missing strip offsets", with(func(f *tiffFile) { f.omitTags = []int{tagStripOffsets} }), "StripOffsets has 0 entries", false},
		{"zero width", with(func(f *tiffFile) {
			f.omitTags = []int{tagWidth}
		}), "ImageWidth x ImageLength is 0x4", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(writeTIFF(t, tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if errors.Is(err, ErrUnsupported) != tt.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %v, want %v", err, !tt.unsupported, tt.unsupported)
			}
		})
	}
}

func TestDecodeTruncated(t *testing.T) {
	for _, comp := range []int{cNone, cLZW, cDeflate, cPackBits, cLZMA} {
		f := tiffFile{width: 40, height: 30, spp: 3, bps: 8, photometric: pRGB, compression: comp, rowsPerStrip: 30}
		data := writeTIFF(t, f)
		d, err := parseIFD(data)
		if err != nil {
			t.Fatal(err)
		}
		short := patchLong(t, data, d, tagStripByteCounts, d.uint(tagStripByteCounts, 0)/2)
		t.Run(fmt.Sprint(comp), func(t *testing.T) {
			img, err := Decode(short)
			if err == nil {
				t.Fatalf("decoded %v from half a strip", img.Bounds())
			}
			if !strings.Contains(err.Error(), "strip 0") {
				t.Errorf("error %q does not name the strip", err)
			}
		})
	}
}

// patchLong returns a copy of data whose single-valued LONG tag is set to v.
func patchLong(t *testing.T, data []byte, d *ifd, tag uint16, v uint64) []byte {
	t.Helper()
	f := d.fields[tag]
	out := append([]byte{}, data...)
	// f.raw aliases data: find its offset.
	for i := range data {
		if &data[i] == &f.raw[0] {
			d.bo.PutUint32(out[i:], uint32(v))
			return out
		}
	}
	t.Fatal("tag value not found in data")
	return nil
}

func TestDecodeSkipsUnusedPlanes(t *testing.T) {
	// A planar grey image whose unspecified extra sample plane has no data,
	// as some writers leave it.
	f := tiffFile{width: 9, height: 4, bps: 8, spp: 2, extra: []uint16{0}, planar: true, photometric: pBlackIsZero}
	f.defaults()
	f.chunks = [][]byte{f.chunk(bigOrLittle(false), 0, 0, 9, 4, 0), {}}
	img, err := Decode(writeTIFF(t, f))
	if err != nil {
		t.Fatal(err)
	}
	checkPixels(t, img, 9, 4, 1, func(x, y int) [4]uint8 {
		g := scale8(f.pic(x, y, 0), 8)
		return [4]uint8{g, g, g, 255}
	})
}

// TestDecodeFormerlyWrongPixels covers files golang.org/x/image/tiff decoded
// without an error into a wrong picture (the fax cases are in TestDecodeFixtures).
func TestDecodeFormerlyWrongPixels(t *testing.T) {
	tests := []struct {
		name string
		file tiffFile
	}{
		{"tiled planar 16-bit RGB, II", tiffFile{width: 70, height: 40, spp: 3, bps: 16, photometric: pRGB, planar: true, tileW: 32, tileH: 16}},
		{"tiled planar 16-bit RGB, MM, Deflate", tiffFile{width: 70, height: 40, spp: 3, bps: 16, photometric: pRGB, planar: true, tileW: 32, tileH: 16, bigEndian: true, compression: cDeflate}},
		{"FillOrder 2, 1-bit", tiffFile{width: 70, height: 5, bps: 1, photometric: pBlackIsZero, fillOrder2: true}},
		{"FillOrder 2, 4-bit LZW", tiffFile{width: 33, height: 5, bps: 4, photometric: pBlackIsZero, fillOrder2: true, compression: cLZW}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.file
			f.defaults()
			img, err := Decode(writeTIFF(t, f))
			if err != nil {
				t.Fatal(err)
			}
			want := rgbWant(false)
			if f.photometric == pBlackIsZero {
				want = photometricCases[0].want
			}
			checkPixels(t, img, f.width, f.height, tolerance(f.bps), func(x, y int) [4]uint8 { return want(&f, x, y) })
		})
	}
}

func TestDecodeSigned8BitAsUnsigned(t *testing.T) {
	// ImageMagick shows 8-bit signed samples as unsigned bytes (files in the
	// wild hold ordinary grey values there); wider signed samples are shifted.
	f := tiffFile{width: 4, height: 1, bps: 8, format: fInt, photometric: pBlackIsZero,
		pic: func(x, y, c int) uint16 { return uint16([]uint8{0, 1, 127, 200}[x]) << 8 }}
	img, err := Decode(writeTIFF(t, f))
	if err != nil {
		t.Fatal(err)
	}
	checkPixels(t, img, 4, 1, 0, func(x, y int) [4]uint8 {
		v := []uint8{0, 1, 127, 200}[x]
		return [4]uint8{v, v, v, 255}
	})
}
