package jpeg

import (
	"bytes"
	"context"
	"fmt"
	"image"
	stdjpeg "image/jpeg"
	"sync"
	"testing"
)

// Tolerances, measured on the cases below (see the report in each test's
// log with -v):
//   - scale 1: every sample within maxDiff1 of image/jpeg's (IDCT rounding;
//     YCCK gets more because the YCbCr->RGB step amplifies chroma).
//   - scales 2, 4, 8: PSNR against image/jpeg's full decode box-averaged
//     to the same size of at least minPSNR dB, or minPSNRTiny for images
//     under 16 pixels wide or high, where the encoder's padding of partial
//     blocks, which a DCT-domain mean includes, weighs heavily.
const (
	maxDiff1     = 1
	maxDiff1YCCK = 3
	minPSNR      = 35
	minPSNRTiny  = 30
)

type testCase struct {
	name string
	data []byte
	// ref, if set, is the same coefficients without restart markers, for
	// image/jpeg, which miscounts restart intervals in non-interleaved scans
	// of components with more than one block per MCU.
	ref  []byte
	ycck bool
	tiny bool
}

var (
	s444 = []encComp{{1, 1, 1, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}
	s422 = []encComp{{1, 2, 1, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}
	s420 = []encComp{{1, 2, 2, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}
	s440 = []encComp{{1, 1, 2, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}
	s411 = []encComp{{1, 4, 1, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}
	s410 = []encComp{{1, 4, 2, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}
	gray = []encComp{{1, 1, 1, 0}}
)

// progScript is a libjpeg-like progressive script for 3 components, with
// successive approximation of DC and AC and the DC refinement between AC
// scans.
func progScript(n int) []encScan {
	all := []int{0}
	if n == 3 {
		all = []int{0, 1, 2}
	}
	s := []encScan{{comps: all, ss: 0, se: 0, ah: 0, al: 1}}
	s = append(s, encScan{comps: []int{0}, ss: 1, se: 5, ah: 0, al: 2})
	for c := 1; c < n; c++ {
		s = append(s, encScan{comps: []int{c}, ss: 1, se: 63, ah: 0, al: 1})
	}
	s = append(s, encScan{comps: []int{0}, ss: 6, se: 63, ah: 0, al: 2})
	s = append(s, encScan{comps: []int{0}, ss: 1, se: 63, ah: 2, al: 1})
	s = append(s, encScan{comps: all, ss: 0, se: 0, ah: 1, al: 0})
	for c := 1; c < n; c++ {
		s = append(s, encScan{comps: []int{c}, ss: 1, se: 63, ah: 1, al: 0})
	}
	s = append(s, encScan{comps: []int{0}, ss: 1, se: 63, ah: 1, al: 0})
	return s
}

// nonInterleavedDC is progScript with one DC scan per component, a DRI
// change and a DQT between scans.
func nonInterleavedDC() []encScan {
	s := []encScan{
		{comps: []int{0}, se: 0, al: 2},
		{comps: []int{2}, se: 0, al: 2, dqt: true},
		{comps: []int{1}, se: 0, al: 2},
		{comps: []int{0}, ss: 1, se: 63, al: 1, restart: 2},
		{comps: []int{1}, se: 0, ah: 2, al: 1},
		{comps: []int{0, 1, 2}, se: 0, ah: 1, al: 0},
		{comps: []int{1}, ss: 1, se: 9, al: 0},
		{comps: []int{1}, ss: 10, se: 63, al: 0},
		{comps: []int{2}, ss: 1, se: 63, al: 0},
		{comps: []int{0}, ss: 1, se: 63, ah: 1, al: 0},
		{comps: []int{2}, se: 0, ah: 2, al: 1},
	}
	// The DC refinement of component 1 from Al 2 to 1 must precede the
	// interleaved one from 1 to 0; component 2 is refined late and out of
	// order, which decoders accept as each bit is ORed in.
	return s
}

func encCase(name string, w, h int, comps []encComp, step float64, mod func(*encOpts)) testCase {
	m := photo(w, h, uint64(w*h))
	planes := ycc(m)
	if len(comps) == 1 {
		planes = planes[:1]
	}
	if len(comps) == 4 {
		k := make([]byte, w*h)
		for i := range k {
			k[i] = byte(i * 7 % 251)
			if i%w < w/2 {
				k[i] = byte(i % w * 255 / max(w, 1))
			}
		}
		planes = append(planes, k)
	}
	o := encOpts{comps: comps, quant: quality(step), adobe: -1, jfif: len(comps) != 4}
	if mod != nil {
		mod(&o)
	}
	tc := testCase{name: fmt.Sprintf("%s/%dx%d", name, w, h), data: encode(w, h, planes, o),
		ycck: len(comps) == 4 && o.adobe != 0, tiny: w < 16 || h < 16}
	if o.restart > 0 && (o.noInterleave || o.sof == 0xC2) {
		o.restart = 0
		tc.ref = encode(w, h, planes, o)
	}
	return tc
}

// testCases returns the generated test files, made once.
func testCases(testing.TB) []testCase { return allCases() }

var allCases = sync.OnceValue(func() []testCase {
	var cs []testCase
	for _, sz := range [][2]int{{1, 1}, {7, 9}, {33, 17}, {301, 199}, {640, 480}} {
		w, h := sz[0], sz[1]
		m := photo(w, h, 1)
		tiny := w < 16 || h < 16
		cs = append(cs,
			testCase{name: fmt.Sprintf("std420q75/%dx%d", w, h), data: stdEncode(m, 75), tiny: tiny},
			testCase{name: fmt.Sprintf("std420q98/%dx%d", w, h), data: stdEncode(m, 98), tiny: tiny},
			testCase{name: fmt.Sprintf("stdgray/%dx%d", w, h), data: stdEncode(toGray(m), 85), tiny: tiny},
		)
	}
	prog := func(n int) func(*encOpts) {
		return func(o *encOpts) { o.sof = 0xC2; o.scans = progScript(n) }
	}
	for _, sz := range [][2]int{{1, 1}, {7, 9}, {33, 17}, {301, 199}} {
		w, h := sz[0], sz[1]
		cs = append(cs,
			encCase("444", w, h, s444, 2, nil),
			encCase("422", w, h, s422, 2, nil),
			encCase("420", w, h, s420, 2, nil),
			encCase("440", w, h, s440, 2, nil),
			encCase("411", w, h, s411, 2, nil),
			encCase("410", w, h, s410, 2, nil),
			encCase("420-coarse", w, h, s420, 12, nil),
			encCase("gray", w, h, gray, 2, nil),
			encCase("gray-22", w, h, []encComp{{1, 2, 2, 0}}, 2, nil),
			encCase("420-noninterleaved-lateDQT", w, h, s420, 2, func(o *encOpts) { o.noInterleave = true; o.lateDQT = true }),
			encCase("422-restart1", w, h, s422, 2, func(o *encOpts) { o.restart = 1 }),
			encCase("420-restart3-sof1-q16", w, h, s420, 3, func(o *encOpts) { o.restart = 3; o.sof = 0xC1; o.q16 = true }),
			encCase("420-noninterleaved-restart2", w, h, s420, 2, func(o *encOpts) { o.noInterleave = true; o.restart = 2 }),
			encCase("prog420", w, h, s420, 2, prog(3)),
			encCase("prog420-coarse", w, h, s420, 10, prog(3)),
			encCase("prog444", w, h, s444, 2, prog(3)),
			encCase("prog411", w, h, s411, 2, prog(3)),
			encCase("proggray", w, h, gray, 2, prog(1)),
			encCase("prog422-restart5", w, h, s422, 2, func(o *encOpts) { prog(3)(o); o.restart = 5 }),
			encCase("prog444-noninterleavedDC", w, h, s444, 2, func(o *encOpts) {
				o.sof = 0xC2
				o.scans = nonInterleavedDC()
				o.lateDQT = true
			}),
			encCase("cmyk", w, h, []encComp{{1, 1, 1, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}, {4, 1, 1, 0}}, 2, func(o *encOpts) { o.adobe = 0 }),
			encCase("ycck-2112", w, h, []encComp{{1, 2, 2, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}, {4, 2, 2, 0}}, 2, func(o *encOpts) { o.adobe = 2 }),
			encCase("progycck", w, h, []encComp{{1, 1, 1, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}, {4, 1, 1, 0}}, 2, func(o *encOpts) {
				o.adobe = 2
				o.sof = 0xC2
				o.scans = []encScan{{comps: []int{0, 1, 2, 3}, se: 0, al: 1}, {comps: []int{0, 1, 2, 3}, se: 0, ah: 1},
					{comps: []int{0}, ss: 1, se: 63}, {comps: []int{1}, ss: 1, se: 63}, {comps: []int{2}, ss: 1, se: 63}, {comps: []int{3}, ss: 1, se: 63}}
			}),
		)
	}
	return cs
})

func toGray(m image.Image) *image.Gray {
	g := image.NewGray(m.Bounds())
	for y := m.Bounds().Min.Y; y < m.Bounds().Max.Y; y++ {
		for x := m.Bounds().Min.X; x < m.Bounds().Max.X; x++ {
			g.Set(x, y, m.At(x, y))
		}
	}
	return g
}

func TestDecodeMatchesStdlib(t *testing.T) {
	worst := map[int]float64{}
	for _, tc := range testCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			refData := tc.data
			if tc.ref != nil {
				refData = tc.ref
				for _, s := range []int{1, 8} {
					a, err1 := Decode(context.Background(), tc.data, s)
					b, err2 := Decode(context.Background(), tc.ref, s)
					if err1 != nil || err2 != nil {
						t.Fatalf("scale %d: %v, %v", s, err1, err2)
					}
					if d := maxDiff(t, a, b); d != 0 {
						t.Errorf("scale %d: restart markers change the result by %d", s, d)
					}
				}
			}
			ref, err := stdjpeg.Decode(bytes.NewReader(refData))
			if err != nil {
				t.Fatalf("image/jpeg: %v", err)
			}
			for _, s := range []int{1, 2, 4, 8} {
				got, err := Decode(context.Background(), tc.data, s)
				if err != nil {
					t.Fatalf("scale %d: %v", s, err)
				}
				if s == 1 {
					d := maxDiff(t, got, ref)
					lim := maxDiff1
					if tc.ycck {
						lim = maxDiff1YCCK
					}
					if d > lim {
						t.Errorf("scale 1: max diff %d > %d", d, lim)
					}
					worst[1] = max(worst[1], float64(d))
					continue
				}
				p := scaledPSNR(t, got, ref, s)
				lim, key := minPSNR, s
				if tc.tiny {
					lim, key = minPSNRTiny, 10*s
				}
				if p < float64(lim) {
					t.Errorf("scale %d: PSNR %.1f dB < %d", s, p, lim)
				}
				if worst[key] == 0 || p < worst[key] {
					worst[key] = p
				}
			}
		})
	}
	t.Logf("scale 1 max diff %v; worst PSNR: 1/2 %.1f dB, 1/4 %.1f dB, 1/8 %.1f dB; tiny images: %.1f, %.1f, %.1f dB",
		worst[1], worst[2], worst[4], worst[8], worst[20], worst[40], worst[80])
}
