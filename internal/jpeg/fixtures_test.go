package jpeg

import (
	"bytes"
	"context"
	"image"
	stdjpeg "image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// The fixtures in testdata were made by libjpeg-turbo 2.1.5's cjpeg and
// jpegtran and by ImageMagick 6 (see testdata/README) from a synthetic
// 123x77 picture.

// fixtureRef names, for fixtures image/jpeg cannot decode although they are
// valid, a fixture with the same coefficients that it can decode.
var fixtureRef = map[string]string{
	// Restart intervals of one block in non-interleaved scans of a 2x2
	// sampled component: image/jpeg counts its restart intervals in groups of
	// 2x2 blocks and fails with "missing 0xff00 sequence"; libjpeg agrees
	// with us. jpegtran changes no coefficients.
	"prog420-rst1b.jpg": "prog420.jpg",
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixtures(t testing.TB) []string {
	names, err := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	return names
}

func TestFixtures(t *testing.T) {
	for _, name := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			data := readFixture(t, name)
			refData := data
			r, ok := fixtureRef[name]
			if !ok {
				r, ok = twinOf(name)
			}
			if ok {
				refData = readFixture(t, r)
				if _, err := stdjpeg.Decode(bytes.NewReader(data)); err == nil {
					t.Errorf("image/jpeg now decodes %s; compare with it directly", name)
				}
			}
			ref, refErr := stdjpeg.Decode(bytes.NewReader(refData))
			for _, s := range []int{1, 2, 4, 8} {
				got, err := Decode(context.Background(), data, s)
				if refErr != nil {
					if err == nil {
						t.Fatalf("scale %d: decoded what image/jpeg rejects (%v)", s, refErr)
					}
					if err.Error() != refErr.Error() {
						t.Errorf("scale %d: error %q, want image/jpeg's %q", s, err, refErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("scale %d: %v", s, err)
				}
				if s == 1 {
					lim := maxDiff1
					if _, ok := got.(*image.CMYK); ok {
						lim = maxDiff1YCCK // all CMYK fixtures are YCCK
					}
					if d := maxDiff(t, got, ref); d > lim {
						t.Errorf("max diff %d > %d", d, lim)
					}
					continue
				}
				if p := scaledPSNR(t, got, ref, s); p < minPSNR {
					t.Errorf("scale %d: PSNR %.1f dB < %d", s, p, minPSNR)
				}
			}
		})
	}
}

func TestFallback(t *testing.T) {
	// RGB (Adobe transform 0): image/jpeg's RGBA, box-averaged.
	data := readFixture(t, "rgb.jpg")
	ref, err := stdjpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decode(context.Background(), data, 1, false); err != errUnsupported {
		t.Fatalf("own decoder on RGB: %v, want errUnsupported", err)
	}
	got, err := Decode(context.Background(), data, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.(*image.RGBA); !ok {
		t.Fatalf("got %T, want *image.RGBA", got)
	}
	if p := scaledPSNR(t, got, ref, 4); p < 50 {
		t.Errorf("PSNR %.1f dB, want an exact box average", p)
	}
	cfg, err := DecodeConfig(data)
	if err != nil || cfg.Width != 123 || cfg.Height != 77 || cfg.ColorModel != ref.ColorModel() {
		t.Errorf("DecodeConfig = %+v, %v", cfg, err)
	}
}
