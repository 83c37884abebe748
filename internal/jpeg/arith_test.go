package jpeg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	stdjpeg "image/jpeg"
	"runtime"
	"strings"
	"testing"
)

// arithTwins maps each arithmetic-coded fixture to a Huffman-coded file with
// the same coefficients (see testdata/README): jpegtran -arithmetic
// re-encodes losslessly, and libjpeg-turbo's testimgari.jpg and
// testimgint.jpg are the same picture compressed alike.
var arithTwins = map[string]string{
	"arith.jpg":            "420-rst1row.jpg",
	"ari420-rst1row.jpg":   "420-rst1row.jpg",
	"ari422.jpg":           "422.jpg",
	"ari444-rst3b.jpg":     "444-rst3b.jpg",
	"arigray.jpg":          "proggray.jpg",
	"ariprog420.jpg":       "prog420.jpg",
	"ariprog420-rst1b.jpg": "prog420.jpg",
	"ariproggray.jpg":      "proggray.jpg",
	"ari444-dac.jpg":       "444-rst3b.jpg",
	"ariprog420-dac.jpg":   "prog420.jpg",
	"testimgari.jpg":       "testimgint.jpg",
}

// arithStdTwins maps arithmetic-coded fixtures to Huffman-coded twins that
// this package leaves to image/jpeg (see leftToStd), so that the two are
// compared with TestFixtures' tolerances rather than exactly.
var arithStdTwins = map[string]string{
	"arirgb.jpg": "rgb.jpg",
}

// twinOf returns the Huffman-coded twin of an arithmetic-coded fixture.
func twinOf(name string) (string, bool) {
	if twin, ok := arithTwins[name]; ok {
		return twin, true
	}
	twin, ok := arithStdTwins[name]
	return twin, ok
}

// decodeBoth decodes an arithmetic-coded file and its Huffman-coded twin
// at the given scale and fails unless both give exactly the same pixels,
// the sequential and progressive layouts differing only at 1/8, where a
// progressive file keeps only DCs (see setScales) and so is compared with
// noSkip.
func decodeBoth(t *testing.T, arith, huff []byte, scale int) {
	t.Helper()
	for _, noSkip := range []bool{false, true} {
		a, err := decode(context.Background(), arith, scale, noSkip)
		if err != nil {
			t.Fatalf("scale %d: arithmetic-coded: %v", scale, err)
		}
		h, err := decode(context.Background(), huff, scale, noSkip)
		if err != nil {
			t.Fatalf("scale %d: Huffman-coded: %v", scale, err)
		}
		if a.Bounds() != h.Bounds() {
			t.Fatalf("scale %d: bounds %v, want %v", scale, a.Bounds(), h.Bounds())
		}
		if sameLayout(a, h) {
			if d := maxDiff(t, a, h); d != 0 {
				t.Fatalf("scale %d (noSkip %v): differs from the Huffman-coded twin by up to %d levels", scale, noSkip, d)
			}
		} else if !noSkip || scale != 8 {
			t.Fatalf("scale %d (noSkip %v): %T and %T differ in layout", scale, noSkip, a, h)
		}
	}
}

// sameLayout reports whether a and b are of the same type and, for
// YCbCr, subsampling.
func sameLayout(a, b image.Image) bool {
	ya, ok1 := a.(*image.YCbCr)
	yb, ok2 := b.(*image.YCbCr)
	if ok1 || ok2 {
		return ok1 && ok2 && ya.SubsampleRatio == yb.SubsampleRatio
	}
	return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b)
}

func TestArithmeticFixturesMatchHuffman(t *testing.T) {
	for arith, huff := range arithTwins {
		t.Run(arith, func(t *testing.T) {
			a, h := readFixture(t, arith), readFixture(t, huff)
			for _, s := range []int{1, 2, 4, 8} {
				decodeBoth(t, a, h, s)
			}
			got, err := DecodeConfig(a)
			want, err2 := DecodeConfig(h)
			if err != nil || err2 != nil || got != want {
				t.Errorf("DecodeConfig = %+v, %v; want %+v as for the twin", got, err, want)
			}
			if _, err := stdjpeg.Decode(bytes.NewReader(a)); err == nil {
				t.Errorf("image/jpeg now decodes %s: compare with it directly", arith)
			}
		})
	}
}

// arithCases are layouts encoded twice by the test encoder, Huffman-coded
// and arithmetic-coded, from the same coefficients.
func arithCases() []struct {
	name  string
	comps []encComp
	mod   func(*encOpts)
} {
	prog := func(n int) func(*encOpts) {
		return func(o *encOpts) { o.sof = 0xC2; o.scans = progScript(n) }
	}
	return []struct {
		name  string
		comps []encComp
		mod   func(*encOpts)
	}{
		{"444", s444, nil},
		{"420", s420, nil},
		{"422", s422, nil},
		{"411", s411, nil},
		{"gray", gray, nil},
		{"420-restart3", s420, func(o *encOpts) { o.restart = 3 }},
		{"420-noninterleaved-restart2", s420, func(o *encOpts) { o.noInterleave = true; o.restart = 2 }},
		{"ycck", []encComp{{1, 2, 2, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}, {4, 2, 2, 0}}, func(o *encOpts) { o.adobe = 2 }},
		{"prog420", s420, prog(3)},
		{"prog444", s444, prog(3)},
		{"proggray", gray, prog(1)},
		{"prog422-restart5", s422, func(o *encOpts) { prog(3)(o); o.restart = 5 }},
		{"prog444-noninterleavedDC", s444, func(o *encOpts) { o.sof = 0xC2; o.scans = nonInterleavedDC() }},
		// DAC: L 2 and U 5 for DC table 0, L 0 and U 0 for table 1, Kx 1
		// and 40 for the AC tables.
		{"420-dac", s420, func(o *encOpts) { o.dac = []byte{0x00, 0x52, 0x01, 0x00, 0x10, 1, 0x11, 40} }},
		{"prog420-dac", s420, func(o *encOpts) { prog(3)(o); o.dac = []byte{0x00, 0x31, 0x10, 9} }},
	}
}

// arithEncode encodes the same picture Huffman-coded and arithmetic-coded.
func arithEncode(w, h int, comps []encComp, step float64, mod func(*encOpts)) (huff, arith []byte) {
	tc := encCase("", w, h, comps, step, func(o *encOpts) {
		if mod != nil {
			mod(o)
		}
		o.dac = nil
	})
	a := encCase("", w, h, comps, step, func(o *encOpts) {
		if mod != nil {
			mod(o)
		}
		if o.sof == 0xC2 {
			o.sof = 0xCA
		} else {
			o.sof = 0xC9
		}
	})
	return tc.data, a.data
}

func TestArithmeticMatchesHuffman(t *testing.T) {
	for _, tc := range arithCases() {
		for _, sz := range [][2]int{{1, 1}, {7, 9}, {33, 17}, {301, 199}} {
			t.Run(fmt.Sprintf("%s/%dx%d", tc.name, sz[0], sz[1]), func(t *testing.T) {
				huff, arith := arithEncode(sz[0], sz[1], tc.comps, 2, tc.mod)
				for _, s := range []int{1, 2, 4, 8} {
					decodeBoth(t, arith, huff, s)
				}
			})
		}
	}
}

// TestTruncatedArithmeticKeepsWhatWasDecoded is
// TestTruncatedBaselineKeepsWhatWasDecoded for arithmetic coding: a file
// cut off part way through its data decodes, at every scale, to the rows
// before the cut and grey after, with a DamagedError.
func TestTruncatedArithmeticKeepsWhatWasDecoded(t *testing.T) {
	for _, restart := range []int{0, 7} {
		_, full := arithEncode(320, 240, s420, 2, func(o *encOpts) { o.restart = restart })
		cut := full[:len(full)*6/10]
		for _, scale := range []int{1, 2, 4, 8} {
			want, err := Decode(context.Background(), full, scale)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(context.Background(), cut, scale)
			var damaged *DamagedError
			if !errors.As(err, &damaged) || got == nil {
				t.Fatalf("restart %d, scale %d: Decode of a truncated file = %v, %v; want a picture and a DamagedError", restart, scale, got, err)
			}
			if got.Bounds() != want.Bounds() {
				t.Fatalf("scale %d: bounds %v, want %v", scale, got.Bounds(), want.Bounds())
			}
			b := got.Bounds()
			for y := b.Min.Y; y < b.Min.Y+b.Dy()/4; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if got.At(x, y) != want.At(x, y) {
						t.Fatalf("restart %d, scale %d: pixel (%d,%d) = %v, want %v as in the whole file", restart, scale, x, y, got.At(x, y), want.At(x, y))
					}
				}
			}
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := got.At(x, b.Max.Y-1).RGBA()
				if d := max(absInt(int(r>>8)-128), absInt(int(g>>8)-128), absInt(int(bl>>8)-128)); d > 1 {
					t.Fatalf("restart %d, scale %d: pixel (%d,%d) is not grey", restart, scale, x, b.Max.Y-1)
				}
			}
		}
	}
}

// TestTruncatedArithmeticProgressive: a progressive arithmetic-coded file
// cut off in its last scan decodes, with a DamagedError, to what its first
// scans give.
func TestTruncatedArithmeticProgressive(t *testing.T) {
	huff, full := arithEncode(96, 64, s420, 2, func(o *encOpts) { o.sof = 0xC2; o.scans = progScript(3) })
	sos, _ := scanLayout(full)
	cut := full[:sos[len(sos)-1]+20]
	for _, scale := range []int{1, 8} {
		got, err := Decode(context.Background(), cut, scale)
		var damaged *DamagedError
		if !errors.As(err, &damaged) || got == nil {
			t.Fatalf("scale %d: Decode = %v, %v; want a picture and a DamagedError", scale, got, err)
		}
		want, _ := Decode(context.Background(), huff, scale)
		if d := maxDiff(t, got, want); d > 40 {
			t.Errorf("scale %d: differs from the whole file by up to %d levels; the last scan refines only the lowest bit", scale, d)
		}
	}
}

// TestUnsupportedFrames: lossless and hierarchical files, and
// arithmetic-coded files of layouts that a Huffman-coded file would leave
// to image/jpeg, fail with an error that names what they are, from Decode
// and (but for the CMYK file, whose header is fine) DecodeConfig alike.
func TestUnsupportedFrames(t *testing.T) {
	frame := func(m byte) []byte {
		return []byte{0xFF, 0xD8, 0xFF, m, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0, 0xFF, 0xD9}
	}
	_, cmyk := arithEncode(16, 16, []encComp{{1, 1, 1, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}, {4, 1, 1, 0}}, 2, nil)
	twoComps := []byte{0xFF, 0xD8, 0xFF, 0xC9, 0, 14, 8, 0, 8, 0, 8, 2, 1, 0x11, 0, 2, 0x11, 0, 0xFF, 0xD9}
	tests := []struct {
		name     string
		data     []byte
		want     string
		configOK bool
	}{
		{"lossless", frame(0xC3), "lossless JPEG (SOF3)", false},
		{"differential sequential", frame(0xC5), "hierarchical JPEG (differential sequential) (SOF5)", false},
		{"differential progressive", frame(0xC6), "(SOF6)", false},
		{"differential lossless", frame(0xC7), "(SOF7)", false},
		{"arithmetic lossless", frame(0xCB), "lossless arithmetic-coded JPEG (SOF11)", false},
		{"arithmetic differential", frame(0xCD), "(SOF13)", false},
		{"arithmetic differential progressive", frame(0xCE), "(SOF14)", false},
		{"arithmetic differential lossless", frame(0xCF), "(SOF15)", false},
		{"DHP", []byte{0xFF, 0xD8, 0xFF, 0xDE, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0, 0xFF, 0xD9}, "hierarchical JPEG (DHP marker)", false},
		{"12-bit arithmetic", func() []byte { b := frame(0xC9); b[6] = 12; return b }(), "12-bit arithmetic-coded JPEG", false},
		{"arithmetic CMYK without Adobe", cmyk, "arithmetic-coded 4-component JPEG without an Adobe marker", true},
		{"arithmetic 2 components", twoComps, "arithmetic-coded JPEG of this layout", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(context.Background(), tt.data, 1)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "unknown marker") {
				t.Errorf("Decode: %v, want an error naming %q", err, tt.want)
			}
			_, err = DecodeConfig(tt.data)
			if tt.configOK {
				if err != nil {
					t.Errorf("DecodeConfig: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("DecodeConfig: %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

// TestBadDAC: DAC segments with values outside T.81 B.2.4.3 are refused.
func TestBadDAC(t *testing.T) {
	_, good := arithEncode(16, 16, gray, 2, nil)
	sos, _ := scanLayout(good)
	for _, tt := range []struct {
		name    string
		payload []byte
	}{
		{"odd length", []byte{0x00}},
		{"class 2", []byte{0x20, 0x10}},
		{"table 4", []byte{0x04, 0x10}},
		{"L over U", []byte{0x00, 0x12}},
		{"Kx 0", []byte{0x10, 0}},
		{"Kx 64", []byte{0x10, 64}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dac := append([]byte{0xFF, 0xCC, 0, byte(2 + len(tt.payload))}, tt.payload...)
			b := append(append(append([]byte(nil), good[:sos[0]]...), dac...), good[sos[0]:]...)
			if m, err := Decode(context.Background(), b, 1); err == nil || !strings.Contains(err.Error(), "DAC") {
				t.Errorf("Decode = %v, %v; want a DAC error", m != nil, err)
			}
		})
	}
}

// TestArithmeticFrameSize: arithmetic coding can code a flat picture in a
// few bytes, so a frame larger than its data is read up to maxArithBlocks
// blocks, and refused past that before its planes are allocated.
func TestArithmeticFrameSize(t *testing.T) {
	for _, tt := range []struct {
		w, h int
		ok   bool
	}{
		{4096, 4096, true},    // 262144 blocks in 4 bytes
		{16384, 16392, false}, // a row of blocks over maxArithBlocks
		{65535, 65535, false},
	} {
		t.Run(fmt.Sprintf("%dx%d", tt.w, tt.h), func(t *testing.T) {
			data := []byte{0xFF, 0xD8, 0xFF, 0xC9, 0, 11, 8, byte(tt.h >> 8), byte(tt.h), byte(tt.w >> 8), byte(tt.w), 1, 1, 0x11, 0,
				0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0, 0, 0, 0, 0xFF, 0xD9}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			m, err := Decode(context.Background(), data, 8)
			runtime.ReadMemStats(&after)
			if !tt.ok {
				if err == nil || !errors.Is(err, errShortArith) {
					t.Fatalf("Decode = %v; want %v", err, errShortArith)
				}
				if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
					t.Errorf("allocated %d bytes before refusing", grew)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b := m.Bounds(); b.Dx() != tt.w/8 || b.Dy() != tt.h/8 {
				t.Errorf("bounds %v", b)
			}
		})
	}
}
