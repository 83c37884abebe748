package icc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"strings"
	"sync"
	"testing"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		version   uint16
		space     ColorSpace
		pcs       ColorSpace
		srgb      bool
		transform string // the transform kind NewTransform builds
	}{
		{"srgb", fileProfile("sRGB.icc")(t), 0x0230, RGB, XYZ, true, "shaper"},
		{"adobergb", fileProfile("compatibleWithAdobeRGB1998.icc")(t), 0x0220, RGB, XYZ, false, "shaper"},
		{"gray", fileProfile("Gray.icc")(t), 0x0230, Gray, XYZ, false, "gray"},
		{"lut8-rgb", syntheticProfiles["lut8-rgb"](), 0x0210, RGB, Lab, false, "grid"},
		{"mab-cmyk", syntheticProfiles["mab-cmyk"](), 0x0420, CMYK, XYZ, false, "grid"},
	}
	kinds := map[transformKind]string{kindShaper: "shaper", kindGray: "gray", kindGrid: "grid"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if p.Version != tt.version || p.Space != tt.space || p.PCS != tt.pcs {
				t.Errorf("version %#x space %q pcs %q, want %#x %q %q", p.Version, p.Space, p.PCS, tt.version, tt.space, tt.pcs)
			}
			if got := p.IsSRGB(); got != tt.srgb {
				t.Errorf("IsSRGB() = %v, want %v", got, tt.srgb)
			}
			tr, err := NewTransform(p)
			if err != nil {
				t.Fatal(err)
			}
			if kinds[tr.kind] != tt.transform {
				t.Errorf("transform kind %s, want %s", kinds[tr.kind], tt.transform)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	good := syntheticProfiles["para-rgb-a"]()
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	// tagEntry returns the offset of the tag table entry for sig.
	tagEntry := func(b []byte, sig string) int {
		for i := 132; i+12 <= len(b); i += 12 {
			if string(b[i:i+4]) == sig {
				return i
			}
		}
		t.Fatalf("no tag %s", sig)
		return 0
	}
	tests := []struct {
		name        string
		data        []byte
		want        string
		unsupported bool
	}{
		{"empty", nil, "shorter than its header", false},
		{"truncated", good[:len(good)-10], "declares", false},
		{"no acsp", edit(func(b []byte) []byte { copy(b[36:], "xxxx"); return b }), "acsp", false},
		{"version 5", edit(func(b []byte) []byte { b[8] = 5; return b }), "version 5", true},
		{"lab image", edit(func(b []byte) []byte { copy(b[16:], "Lab "); return b }), "colour space", true},
		{"device link", edit(func(b []byte) []byte { copy(b[12:], "link"); return b }), "device class", true},
		{"huge tag count", edit(func(b []byte) []byte { binary.BigEndian.PutUint32(b[128:], 1<<30); return b }), "tag table", false},
		{"tag outside", edit(func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[tagEntry(b, "rTRC")+4:], uint32(len(b)-4))
			return b
		}), "outside the profile", false},
		{"missing colorant", edit(func(b []byte) []byte { copy(b[tagEntry(b, "gXYZ"):], "zzzz"); return b }), "gXYZ: missing", false},
		{"bad curve type", edit(func(b []byte) []byte {
			off := binary.BigEndian.Uint32(b[tagEntry(b, "bTRC")+4:])
			copy(b[off:], "abcd")
			return b
		}), "bTRC: curve type", false},
		{"para type 9", edit(func(b []byte) []byte {
			off := binary.BigEndian.Uint32(b[tagEntry(b, "gTRC")+4:])
			b[off+9] = 9
			return b
		}), "para function type 9", false},
		{"cmyk without table", buildProfile(0x0200, "prtr", "CMYK", "Lab ", []iccTag{{"wtpt", xyzTag(d50)}}), "without an A2B0", true},
		{"lut16 grid beyond data", func() []byte {
			b := syntheticProfiles["lut16-cmyk"]()
			e := tagEntry(b, "A2B0")
			off := binary.BigEndian.Uint32(b[e+4:])
			b[off+10] = 200
			return b
		}(), "does not fit", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error %v, want one containing %q", err, tt.want)
			}
			if errors.Is(err, ErrUnsupported) != tt.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %v, want %v", err, !tt.unsupported, tt.unsupported)
			}
		})
	}
}

func TestApplyRefusesOtherSpaces(t *testing.T) {
	rgb, err := Cached(syntheticProfiles["para-rgb-b"]())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rgb.ApplyCMYK(image.NewCMYK(image.Rect(0, 0, 1, 1))); err == nil {
		t.Error("ApplyCMYK with an RGB profile succeeded")
	}
	cmyk, err := Cached(syntheticProfiles["lut16-cmyk"]())
	if err != nil {
		t.Fatal(err)
	}
	if err := cmyk.Apply(image.NewNRGBA(image.Rect(0, 0, 1, 1))); err == nil {
		t.Error("Apply with a CMYK profile succeeded")
	}
}

func TestApplyKeepsAlphaAndSubimages(t *testing.T) {
	tr, err := Cached(fileProfile("compatibleWithAdobeRGB1998.icc")(t))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 4, 2))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	sub := img.SubImage(image.Rect(1, 0, 3, 1)).(*image.NRGBA)
	if err := tr.Apply(sub); err != nil {
		t.Fatal(err)
	}
	// lcms: Adobe RGB gray 200 is sRGB 201.3.
	for y := range 2 {
		for x := range 4 {
			c := img.NRGBAAt(x, y)
			want := uint8(200)
			if y == 0 && (x == 1 || x == 2) {
				want = 201
			}
			if c.A != 200 || c.R < want || c.R > want+1 || c.G != c.R || c.B != c.R {
				t.Errorf("pixel %d,%d = %v, want gray %d or %d with alpha 200", x, y, c, want, want+1)
			}
		}
	}
	red := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	copy(red.Pix, []uint8{255, 0, 0, 77})
	if err := tr.Apply(red); err != nil {
		t.Fatal(err)
	}
	// Adobe RGB red lies outside sRGB: red saturates, green goes negative
	// and clips, blue picks up a little (lcms: 255, 0, 0).
	if got := red.NRGBAAt(0, 0); got.R != 255 || got.G != 0 || got.B > 1 || got.A != 77 {
		t.Errorf("Adobe RGB red = %v, want about {255 0 0 77}", got)
	}
}

func TestCachedSharesOneTransform(t *testing.T) {
	data := syntheticProfiles["mab-cmyk"]()
	var wg sync.WaitGroup
	got := make([]*Transform, 8)
	for i := range got {
		wg.Go(func() {
			tr, err := Cached(data)
			if err != nil {
				t.Error(err)
			}
			got[i] = tr
		})
	}
	wg.Wait()
	for _, tr := range got[1:] {
		if tr != got[0] {
			t.Fatal("concurrent Cached calls for one profile built different transforms")
		}
	}
	if _, err := Cached([]byte("not a profile")); err == nil {
		t.Error("Cached accepted garbage")
	}
}

// TestCommittedSyntheticProfile checks that testdata/mab-cmyk.icc, which
// other packages' tests read, is what the code here builds.
func TestCommittedSyntheticProfile(t *testing.T) {
	if got := fileProfile("mab-cmyk.icc")(t); !bytes.Equal(got, syntheticProfiles["mab-cmyk"]()) {
		t.Error("testdata/mab-cmyk.icc differs from syntheticProfiles[\"mab-cmyk\"]; rewrite it with -write-profiles")
	}
}

// TestCachedPastItsBound checks that profiles beyond the cache's bound are
// still converted, each by a transform of its own, and that the cache
// keeps no more than its bound.
func TestCachedPastItsBound(t *testing.T) {
	base := syntheticProfiles["romm-like"]()
	for i := range maxCached + 8 {
		p := append(bytes.Clone(base), byte(i), byte(i>>8), 0, 0)
		binary.BigEndian.PutUint32(p, uint32(len(p)))
		tr, err := Cached(p)
		if err != nil {
			t.Fatalf("profile %d: %v", i, err)
		}
		if tr.Space != RGB || tr.Identity() {
			t.Fatalf("profile %d: a %q transform, identity %v", i, tr.Space, tr.Identity())
		}
	}
	if n := cachedCount.Load(); n > maxCached {
		t.Errorf("the cache holds %d transforms, over its bound of %d", n, maxCached)
	}
}
