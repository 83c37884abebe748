package thumbnail

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseBox(t *testing.T) {
	good := []struct {
		in   string
		want Box
	}{
		{"320", Box{W: 320, H: 320, Label: "320"}},
		{"1", Box{W: 1, H: 1, Label: "1"}},
		{"65535", Box{W: 65535, H: 65535, Label: "65535"}},
		{"320x200", Box{W: 320, H: 200, Label: "320x200"}},
		{"320X200", Box{W: 320, H: 200, Label: "320X200"}},
		{" 320x200\t", Box{W: 320, H: 200, Label: "320x200"}},
		{"320x", Box{W: 320, H: 0, Label: "320x"}},
		{"x200", Box{W: 0, H: 200, Label: "x200"}},
		{"X200", Box{W: 0, H: 200, Label: "X200"}},
		{"65535x1", Box{W: 65535, H: 1, Label: "65535x1"}},
		{"0010x020", Box{W: 10, H: 20, Label: "0010x020"}},
	}
	for _, c := range good {
		got, err := ParseBox(c.in)
		if err != nil {
			t.Errorf("ParseBox(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseBox(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}

	bad := []string{
		"", " ", "x", "X", "0", "0x0", "0x10", "10x0", "x0", "0x", "-1", "-1x10", "10x-1",
		"65536", "65536x10", "10x65536", "abc", "10xabc", "10x20x30", "10.5", "10,20",
		"10 x 20", "1e3", "0x10x", "99999999999999999999", "x x",
	}
	for _, in := range bad {
		b, err := ParseBox(in)
		if err == nil {
			t.Errorf("ParseBox(%q) = %+v, want an error", in, b)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("ParseBox(%q) error %q does not quote the input", in, err)
		}
		if b != (Box{}) {
			t.Errorf("ParseBox(%q) returned %+v with its error, want the zero Box", in, b)
		}
	}
}

func TestBoxString(t *testing.T) {
	for _, c := range []struct {
		b    Box
		want string
	}{
		{Box{W: 320, H: 200}, "320x200"},
		{Box{W: 320, H: 320, Label: "320"}, "320x320"},
		{Box{W: 320}, "320x"},
		{Box{H: 200}, "x200"},
	} {
		if got := c.b.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.b, got, c.want)
		}
		// The string form parses back to the same sides.
		p, err := ParseBox(c.b.String())
		if err != nil || p.W != c.b.W || p.H != c.b.H {
			t.Errorf("ParseBox(%q) = %+v, %v; want sides %dx%d", c.b.String(), p, err, c.b.W, c.b.H)
		}
	}
}

func TestTarget(t *testing.T) {
	cases := []struct {
		srcW, srcH int
		box        string
		fit        Fit
		upscale    bool
		w, h       int
	}{
		// Contain: the whole image fits inside the box.
		{4000, 3000, "320", Contain, false, 320, 240},
		{3000, 4000, "320", Contain, false, 240, 320},
		{4000, 3000, "320x100", Contain, false, 133, 100},
		{4000, 3000, "100x320", Contain, false, 100, 75},
		{1000, 10, "100", Contain, false, 100, 1},
		{7, 5, "3", Contain, false, 3, 2}, // 5*3/7 = 2.14
		{5, 3, "2", Contain, false, 2, 1}, // 3*2/5 = 1.2
		{3, 5, "4x2", Contain, false, 1, 2},
		{3, 4, "2", Contain, false, 2, 2},            // s = 0.5: 1.5 and 2 round to 2 and 2
		{1001, 999, "500", Contain, false, 500, 499}, // 999*500/1001 = 499.0
		// Never 0, however thin the image.
		{10000, 3, "100", Contain, false, 100, 1},
		{3, 10000, "100", Contain, false, 1, 100},
		{100000, 1, "1", Contain, false, 1, 1},
		// Free sides.
		{4000, 3000, "200x", Contain, false, 200, 150},
		{4000, 3000, "x150", Contain, false, 200, 150},
		{4000, 3000, "200x", Cover, false, 200, 150},
		{4000, 3000, "x150", Cover, false, 200, 150},
		{10000, 3, "x1", Contain, false, 3333, 1},
		{3, 10000, "1x", Contain, false, 1, 3333},
		// Upscale off: never larger than the source.
		{100, 50, "400", Contain, false, 100, 50},
		{100, 50, "400x", Contain, false, 100, 50},
		{100, 50, "x400", Contain, false, 100, 50},
		{100, 50, "100", Contain, false, 100, 50},
		{100, 50, "400", Cover, false, 100, 50},
		{300, 50, "100", Cover, false, 300, 50}, // wider than the box, shorter than it
		// Upscale on.
		{100, 50, "400", Contain, true, 400, 200},
		{100, 50, "400x", Contain, true, 400, 200},
		{100, 50, "x400", Contain, true, 800, 400},
		{100, 50, "400", Cover, true, 800, 400},
		{3, 2, "1000x1", Contain, true, 2, 1}, // s = min(333, 0.5)
		// Cover: the image covers the box, one side exact.
		{4000, 3000, "320", Cover, false, 427, 320},
		{3000, 4000, "320", Cover, false, 320, 427},
		{4000, 3000, "100x320", Cover, false, 427, 320},
		{4000, 3000, "320x100", Cover, false, 320, 240},
		{333, 1000, "100", Cover, false, 100, 300},
		{1001, 999, "500", Cover, false, 501, 500},
		{999, 1001, "500", Cover, false, 500, 501},
		{10000, 3, "2", Cover, true, 6667, 2},
		{7, 5, "3", Cover, false, 4, 3}, // 7*3/5 = 4.2
	}
	for _, c := range cases {
		b, err := ParseBox(c.box)
		if err != nil {
			t.Fatal(err)
		}
		w, h := target(c.srcW, c.srcH, b, c.fit, c.upscale)
		if w != c.w || h != c.h {
			t.Errorf("target(%dx%d, %s, %s, upscale=%v) = %dx%d, want %dx%d",
				c.srcW, c.srcH, c.box, c.fit, c.upscale, w, h, c.w, c.h)
		}
	}
}

// TestTargetInvariants sweeps small sizes and checks what target promises
// for every combination: never 0, never larger than the source without
// upscale, inside the box for Contain, covering it (one side exact) for
// Cover, and the aspect ratio kept to within rounding.
func TestTargetInvariants(t *testing.T) {
	sides := []int{0, 1, 2, 3, 5, 7, 16, 33, 64, 99}
	fails := 0
	for srcW := 1; srcW <= 70; srcW += 3 {
		for srcH := 1; srcH <= 70; srcH += 4 {
			for _, bw := range sides {
				for _, bh := range sides {
					if bw == 0 && bh == 0 {
						continue
					}
					for _, fit := range []Fit{Contain, Cover} {
						for _, up := range []bool{false, true} {
							b := Box{W: bw, H: bh}
							w, h := target(srcW, srcH, b, fit, up)
							if msg := checkTarget(srcW, srcH, b, fit, up, w, h); msg != "" {
								fails++
								if fails <= 20 {
									t.Errorf("target(%dx%d, %s, %s, upscale=%v) = %dx%d: %s", srcW, srcH, b, fit, up, w, h, msg)
								}
							}
						}
					}
				}
			}
		}
	}
	if fails > 20 {
		t.Errorf("... and %d more", fails-20)
	}
}

func checkTarget(srcW, srcH int, b Box, fit Fit, up bool, w, h int) string {
	if w < 1 || h < 1 {
		return "a side is 0"
	}
	if !up && (w > srcW || h > srcH) {
		return "larger than the source without upscale"
	}
	both := b.W != 0 && b.H != 0
	// Aspect ratio: w = srcW*s + e1 and h = srcH*s + e2 with |e| <= 0.5,
	// so |w*srcH - h*srcW| <= (srcW+srcH)/2; a side clamped to 1 may be
	// off by up to 1.
	slack := float64(srcW+srcH) / 2
	if w == 1 || h == 1 {
		slack = float64(srcW + srcH)
	}
	if d := float64(w*srcH - h*srcW); d > slack || d < -slack {
		return fmt.Sprintf("aspect ratio %d:%d lost (off by %.0f, slack %.0f)", srcW, srcH, d, slack)
	}
	switch {
	case fit == Cover && both:
		// Cover never leaves the image smaller than the box, unless that
		// would need upscaling that is off.
		if (up || srcW >= b.W) && w < b.W {
			return "narrower than the box it covers"
		}
		if (up || srcH >= b.H) && h < b.H {
			return "shorter than the box it covers"
		}
		if (up || (srcW >= b.W && srcH >= b.H)) && w != b.W && h != b.H {
			return "no side matches the box"
		}
	default:
		if b.W != 0 && w > b.W {
			return "wider than the box"
		}
		if b.H != 0 && h > b.H {
			return "taller than the box"
		}
		// The binding side is exact unless the source is smaller and upscale is off.
		reachW := b.W != 0 && (up || srcW >= b.W) && w == b.W
		reachH := b.H != 0 && (up || srcH >= b.H) && h == b.H
		canW := b.W != 0 && (up || srcW >= b.W)
		canH := b.H != 0 && (up || srcH >= b.H)
		if !reachW && !reachH {
			if !up && (w == srcW && h == srcH) {
				return "" // the source already fits
			}
			if canW || canH {
				return "no side reaches the box"
			}
		}
	}
	return ""
}
