package thumbnail

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/decode"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/icc"
)

// iccTestdata is where internal/icc keeps its profiles and Little CMS's
// conversions of them (see its README.md).
const iccTestdata = "../icc/testdata"

func readICC(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(iccTestdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lcmsSRGB returns Little CMS's sRGB value for each 8-bit device colour in
// reference grid name, keyed by the device values joined with commas.
func lcmsSRGB(t testing.TB, name string) map[string]color.NRGBA {
	t.Helper()
	f, err := os.Open(filepath.Join(iccTestdata, "reference", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]color.NRGBA{}
	for _, row := range rows[1:] {
		n := len(row) - 3
		var c [3]uint8
		for i, s := range row[n:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			c[i] = uint8(math.Round(min(255, max(0, v))))
		}
		out[strings.Join(row[:n], ",")] = color.NRGBA{c[0], c[1], c[2], 255}
	}
	return out
}

// patches returns an image of 16x16 squares side by side, one per colour.
func patches(colours []color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, 16*len(colours), 16))
	for x := range m.Rect.Dx() {
		for y := range 16 {
			m.SetNRGBA(x, y, colours[x/16])
		}
	}
	return m
}

// withProfile encodes m losslessly as PNG carrying profile.
func withProfile(t testing.TB, m image.Image, profile []byte) []byte {
	return encodeBytes(t, func(b *bytes.Buffer) error {
		return encode.Encode(b, m, encode.Options{Format: encode.PNG, ICC: profile})
	})
}

func TestColourConversion(t *testing.T) {
	adobe, srgb, gray := readICC(t, "compatibleWithAdobeRGB1998.icc"), readICC(t, "sRGB.icc"), readICC(t, "Gray.icc")
	// A valid Adobe RGB profile padded past MaxKeptProfile.
	bigAdobe := append(bytes.Clone(adobe), make([]byte, MaxKeptProfile)...)
	binary.BigEndian.PutUint32(bigAdobe, uint32(len(bigAdobe)))

	colours := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {128, 128, 128, 255},
		{64, 128, 191, 255}, {223, 159, 32, 255}, {32, 64, 96, 255}, {255, 255, 255, 255}}
	adobeRef := lcmsSRGB(t, "adobergb")
	converted := make([]color.NRGBA, len(colours))
	for i, c := range colours {
		converted[i] = adobeRef[strconv.Itoa(int(c.R))+","+strconv.Itoa(int(c.G))+","+strconv.Itoa(int(c.B))]
	}
	grays := []color.NRGBA{{0, 0, 0, 255}, {32, 32, 32, 255}, {128, 128, 128, 255}, {200, 200, 200, 255}}
	grayRef := lcmsSRGB(t, "gray")
	grayConverted := make([]color.NRGBA, len(grays))
	for i, c := range grays {
		grayConverted[i] = grayRef[strconv.Itoa(int(c.R))]
	}

	tests := []struct {
		name        string
		src         []byte
		o           Options
		want        []color.NRGBA // the centre of each patch, ±1
		wantProfile []byte
		warning     string // a substring of the one warning expected
	}{
		{"adobe rgb converted", withProfile(t, patches(colours), adobe), Options{}, converted, nil, ""},
		{"adobe rgb kept", withProfile(t, patches(colours), adobe), Options{KeepProfile: true}, colours, adobe, ""},
		{"adobe rgb kept but stripped", withProfile(t, patches(colours), adobe), Options{KeepProfile: true, Strip: true}, colours, nil, ""},
		{"strip still converts", withProfile(t, patches(colours), adobe), Options{Strip: true}, converted, nil, ""},
		{"srgb left alone", withProfile(t, patches(colours), srgb), Options{}, colours, nil, ""},
		{"gray converted", withProfile(t, grayOf(patches(grays)), gray), Options{}, grayConverted, nil, ""},
		{"big profile converted rather than kept", withProfile(t, patches(colours), bigAdobe), Options{KeepProfile: true}, converted, nil, "converted to sRGB rather than kept"},
		{"unreadable profile embedded", withProfile(t, patches(colours), fakeICC(600, "RGB ")), Options{}, colours, fakeICC(600, "RGB "), "embedded unconverted"},
		{"cmyk profile on rgb pixels dropped", withProfile(t, patches(colours), readICC(t, "mab-cmyk.icc")), Options{KeepProfile: true}, colours, nil, "does not describe RGB pixels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Boxes = []Box{mustBox(t, "1000")}
			tt.o.Format = encode.PNG
			th := one(t, tt.src, tt.o)
			m := checkThumb(t, th, 16*len(tt.want), 16, encode.PNG)
			for i, want := range tt.want {
				if got := m.At(16*i+8, 8); !near(got, want, 1) {
					t.Errorf("patch %d = %v, want %v", i, toNRGBA(got), want)
				}
			}
			h, err := decode.ReadHeader(th.Data)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(h.ICC, tt.wantProfile) {
				t.Errorf("output profile of %d bytes, want %d", len(h.ICC), len(tt.wantProfile))
			}
			switch {
			case tt.warning == "" && len(th.Warnings) > 0:
				t.Errorf("warnings %q, want none", th.Warnings)
			case tt.warning != "" && (len(th.Warnings) != 1 || !strings.Contains(th.Warnings[0], tt.warning)):
				t.Errorf("warnings %q, want one saying %q", th.Warnings, tt.warning)
			}
		})
	}
}

// withJPEGProfile inserts profile into a JPEG as one APP2 segment after SOI.
func withJPEGProfile(jpg, profile []byte) []byte {
	seg := []byte{0xFF, 0xE2, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+14+len(profile)))
	seg = append(seg, "ICC_PROFILE\x00\x01\x01"...)
	seg = append(seg, profile...)
	return append(append(bytes.Clone(jpg[:2]), seg...), jpg[2:]...)
}

func TestCMYKProfile(t *testing.T) {
	plain, err := os.ReadFile("../decode/testdata/cmyk.jpg")
	if err != nil {
		t.Fatal(err)
	}
	profile := readICC(t, "mab-cmyk.icc")
	tagged := withJPEGProfile(plain, profile)
	h, err := decode.ReadHeader(tagged)
	if err != nil || !bytes.Equal(h.ICC, profile) {
		t.Fatalf("the source does not carry the profile (%v)", err)
	}
	// The expected thumbnail: the decoded CMYK through the profile.
	src, err := decode.Decode(context.Background(), plain, h, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := icc.Cached(profile)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tr.ApplyCMYK(src.(*image.CMYK))
	if err != nil {
		t.Fatal(err)
	}
	size := want.Rect.Size()
	for _, o := range []Options{{}, {KeepProfile: true}} {
		o.Boxes, o.Format = []Box{mustBox(t, "1000")}, encode.PNG
		th := one(t, tagged, o)
		got := checkThumb(t, th, size.X, size.Y, encode.PNG)
		if p := psnr(t, want, got); p < 45 {
			t.Errorf("KeepProfile %v: PSNR %.1f dB against the profile's conversion, want >= 45", o.KeepProfile, p)
		}
		if oh, _ := decode.ReadHeader(th.Data); oh.ICC != nil {
			t.Errorf("KeepProfile %v: a CMYK profile was embedded in an RGB thumbnail", o.KeepProfile)
		}
		// Without the profile the same pixels convert naively, which this
		// profile's paper and inks make visibly different.
		naive := checkThumb(t, one(t, plain, o), size.X, size.Y, encode.PNG)
		if p := psnr(t, want, naive); p > 30 {
			t.Errorf("the naive conversion is within %.1f dB of the profile's: the test cannot tell them apart", p)
		}
	}
}

func TestHugeProfile(t *testing.T) {
	huge := fakeICC(1<<20, "RGB ") // four times MaxKeptProfile
	src := encodeBytes(t, func(b *bytes.Buffer) error {
		return encode.Encode(b, patches([]color.NRGBA{{200, 100, 50, 255}}), encode.Options{Format: encode.JPEG, Quality: 90, ICC: huge})
	})
	for _, keep := range []bool{false, true} {
		for _, f := range []encode.Format{encode.JPEG, encode.PNG, encode.WebP} {
			th, err := Make(t.Context(), src, Options{Boxes: []Box{mustBox(t, "16")}, Format: f, KeepProfile: keep})
			if err != nil {
				t.Fatalf("KeepProfile %v, %s: %v", keep, f, err)
			}
			if n := len(th[0].Data); n > 20000 {
				t.Errorf("KeepProfile %v, %s: thumbnail of %d bytes", keep, f, n)
			}
			if w := th[0].Warnings; len(w) != 1 || !strings.Contains(w[0], "dropped") {
				t.Errorf("KeepProfile %v, %s: warnings %q, want one saying the profile was dropped", keep, f, w)
			}
		}
	}
}
