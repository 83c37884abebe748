package jpeg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	stdjpeg "image/jpeg"
	"math/rand/v2"
	"strings"
	"testing"
)

// robustInputs are the files the robustness tests mutate: the fixtures and
// some generated files covering the other layouts.
func robustInputs(t testing.TB) map[string][]byte {
	in := map[string][]byte{}
	for _, name := range fixtures(t) {
		in[name] = readFixture(t, name)
	}
	for _, tc := range testCases(t) {
		switch tc.name {
		case "std420q75/33x17", "stdgray/33x17", "prog420/33x17", "prog444-noninterleavedDC/33x17",
			"422-restart1/33x17", "cmyk/33x17", "ycck-2112/33x17", "420-noninterleaved-lateDQT/33x17",
			"progycck/33x17", "420-restart3-sof1-q16/33x17":
			in[tc.name] = tc.data
		}
	}
	return in
}

// compareStd decodes data at every scale, which must not panic, and
// compares with image/jpeg. It returns a description of a disagreement:
// a result whose bounds are not the scaled DecodeConfig size, or rejecting
// at scale 1 what image/jpeg accepts, or, if both, accepting what it
// rejects; except where this package differs on purpose:
//   - it rejects zero dimensions (DNL is unsupported) that image/jpeg
//     turns into an empty image;
//   - it rejects a progressive AC scan before the component's first DC
//     scan (errACBeforeDC), which T.81 forbids;
//   - it refuses files with more than MaxScans scans (errTooManyScans);
//   - it warns, with a DamagedError, of bytes left over before a restart
//     marker (errExtraneous), which image/jpeg skips silently;
//   - it decodes sampling factors image/jpeg does not support;
//   - it decodes arithmetic coding, which image/jpeg does not.
//
// Files claiming over 4M pixels are not given to image/jpeg.
func compareStd(data []byte, both bool) string {
	scales := []int{1, 2, 4, 8}
	if cfg, err := DecodeConfig(data); err == nil && cfg.Width*cfg.Height > 1<<20 {
		scales = []int{1} // the bigger files a mutation makes are only slow
	}
	var errs [4]error
	for i, s := range scales {
		m, err := Decode(context.Background(), data, s)
		if err == nil {
			w, h := m.Bounds().Dx(), m.Bounds().Dy()
			cfg, err := DecodeConfig(data)
			if err != nil || (cfg.Width+s-1)/s != w || (cfg.Height+s-1)/s != h || m.Bounds().Min != (image.Point{}) {
				return fmt.Sprintf("scale %d: bounds %v, DecodeConfig %+v, %v", s, m.Bounds(), cfg, err)
			}
		}
		errs[i] = err
	}
	cfg, err := stdjpeg.DecodeConfig(bytes.NewReader(data))
	if err == nil && (cfg.Width == 0 || cfg.Height == 0 || cfg.Width*cfg.Height > 4<<20) {
		return ""
	}
	ref, err := stdjpeg.Decode(bytes.NewReader(data))
	var unsupported stdjpeg.UnsupportedError
	switch {
	case err == nil && errs[0] == nil:
		if ref.Bounds() != image.Rect(0, 0, cfg.Width, cfg.Height) {
			return fmt.Sprintf("image/jpeg bounds %v", ref.Bounds())
		}
	case err == nil && !errors.Is(errs[0], errACBeforeDC) && !errors.Is(errs[0], errTooManyScans) && !errors.Is(errs[0], errExtraneous):
		return "image/jpeg accepts, we: " + errs[0].Error()
	case both && err != nil && errs[0] == nil && !(errors.As(err, &unsupported) && strings.Contains(err.Error(), "subsampling")) && !isArithmetic(data):
		return "image/jpeg: " + err.Error() + ", we accept"
	}
	return ""
}

// isArithmetic reports whether data has an arithmetic-coded frame header.
func isArithmetic(data []byte) bool {
	d := &decoder{data: data, scale: 1}
	d.parse(true)
	return d.arithmetic
}

func TestTruncated(t *testing.T) {
	for name, data := range robustInputs(t) {
		t.Run(name, func(t *testing.T) {
			for n := 0; n < len(data); n += 1 + n/20 {
				if msg := compareStd(data[:n], true); msg != "" {
					t.Errorf("truncated to %d of %d: %s", n, len(data), msg)
				}
			}
		})
	}
}

func TestCorrupted(t *testing.T) {
	for name, data := range robustInputs(t) {
		if name == "rgb.jpg" {
			continue // this only exercises image/jpeg, through the fallback
		}
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(len(data)), uint64(data[len(data)/2])))
			for i := 0; i < 150; i++ {
				b := bytes.Clone(data)
				for j := 0; j <= i%3; j++ {
					p := rng.IntN(len(b))
					switch rng.IntN(3) {
					case 0:
						b[p] ^= 1 << rng.IntN(8)
					case 1:
						b[p] = byte(rng.IntN(256))
					default:
						b[p] = 0xFF
					}
				}
				msg := compareStd(b, true)
				if _, bug := fixtureRef[name]; msg != "" && !bug {
					t.Errorf("corruption %d: %s", i, msg)
				}
			}
		})
	}
}

// TestProgressiveDCSkip checks that decoding only the DC scans of a
// progressive file at 1/8 gives exactly what decoding all scans gives.
func TestProgressiveDCSkip(t *testing.T) {
	n := 0
	for name, data := range robustInputs(t) {
		d := &decoder{data: data, scale: 1}
		if err := d.parse(true); err != nil || !d.progressive {
			continue
		}
		n++
		fast, err1 := decode(context.Background(), data, 8, false)
		full, err2 := decode(context.Background(), data, 8, true)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v, %v", name, err1, err2)
		}
		if d := maxDiff(t, fast, full); d != 0 {
			t.Errorf("%s: skipping AC scans changes the result by %d", name, d)
		}
	}
	for _, tc := range testCases(t) {
		if tc.data[3] != 0xC2 && !bytes.Contains(tc.data, []byte{0xFF, 0xC2}) {
			continue
		}
		n++
		fast, err1 := decode(context.Background(), tc.data, 8, false)
		full, err2 := decode(context.Background(), tc.data, 8, true)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v, %v", tc.name, err1, err2)
		}
		if d := maxDiff(t, fast, full); d != 0 {
			t.Errorf("%s: skipping AC scans changes the result by %d", tc.name, d)
		}
	}
	if n < 10 {
		t.Fatalf("only %d progressive inputs", n)
	}
}

// TestHostile covers inputs that must fail cleanly without allocating
// what their headers claim.
func TestHostile(t *testing.T) {
	sof := func(w, h int, extra ...byte) []byte {
		b := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 1, 1, 0x11, 0}
		return append(b, extra...)
	}
	sos := []byte{0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0}
	cases := map[string][]byte{
		"empty":          nil,
		"soi only":       {0xFF, 0xD8},
		"no soi":         {0x00, 0xD8, 0xFF, 0xD9},
		"eoi only":       {0xFF, 0xD8, 0xFF, 0xD9},
		"zero width":     append(sof(0, 8), 0xFF, 0xD9),
		"huge no data":   append(append(sof(65535, 65535), sos...), 0xFF, 0xD9),
		"no tables":      append(append(sof(8, 8), sos...), 0x12, 0x34, 0xFF, 0xD9),
		"bad component":  append(sof(8, 8), 0xFF, 0xDA, 0, 8, 1, 9, 0, 0, 63, 0, 0xFF, 0xD9),
		"sos before sof": {0xFF, 0xD8, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0xFF, 0xD9},
		"bad dht": append(sof(8, 8), 0xFF, 0xC4, 0, 20, 0x00, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			1, 2, 3, 0xFF, 0xD9), // three 1-bit codes
	}
	for name, data := range cases {
		for _, s := range []int{1, 8} {
			m, err := Decode(context.Background(), data, s)
			if err == nil {
				t.Errorf("%s at 1/%d: decoded %v", name, s, m.Bounds())
			}
		}
	}
	if _, err := Decode(context.Background(), readFixture(t, "422.jpg"), 3); err == nil {
		t.Error("scale 3 accepted")
	}
}

func TestDecodeConfig(t *testing.T) {
	for name, data := range robustInputs(t) {
		refData := data
		if twin, ok := twinOf(name); ok {
			refData = readFixture(t, twin) // image/jpeg reads no arithmetic coding
		}
		want, err1 := stdjpeg.DecodeConfig(bytes.NewReader(refData))
		got, err2 := DecodeConfig(data)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: %v, %v", name, err1, err2)
			continue
		}
		if got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
	m, _ := Decode(context.Background(), readFixture(t, "proggray.jpg"), 1)
	if _, ok := m.(*image.Gray); !ok {
		t.Errorf("grayscale decodes to %T", m)
	}
}
