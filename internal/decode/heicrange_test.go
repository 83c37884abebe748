package decode

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"math"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/heif"
)

// nclx is a colr property of type nclx: BT.709 primaries, sRGB transfer,
// BT.601 matrix, and the given range.
func nclx(full bool) []byte {
	b := []byte("nclx\x00\x01\x00\x0d\x00\x06\x00")
	if full {
		b[10] = 0x80
	}
	return mkbox("colr", b)
}

// withCodedPrimary returns small.heic with its primary item set to item 1,
// its coded HEVC image: heif-enc makes the primary item a derived one.
func withCodedPrimary(t *testing.T, heicFile []byte) []byte {
	t.Helper()
	out := bytes.Clone(heicFile)
	i := bytes.Index(out, []byte("pitm"))
	if i < 0 || out[i+4] != 0 {
		t.Fatal("no version 0 pitm box")
	}
	binary.BigEndian.PutUint16(out[i+8:], 1)
	return out
}

// withoutSignalTypeSPS returns small.heic with the video_signal_type_present_flag
// of its sequence parameter set cleared, which makes the set limited range
// by default (the bits of the video signal type stay, read by the decoder
// as the VUI fields after it, none of which changes the samples).
func withoutSignalTypeSPS(t *testing.T, heicFile []byte) []byte {
	t.Helper()
	out := bytes.Clone(heicFile)
	i := bytes.Index(out, []byte("hvcC"))
	if i < 0 {
		t.Fatal("no hvcC")
	}
	raw := hevcSPS(out[i+4:])
	_, bit, err := spsFullRange(unescapeNAL(raw))
	if err != nil || bit < 4 {
		t.Fatalf("small.heic's SPS: flag at bit %d, %v", bit, err)
	}
	bit -= 4 // video_signal_type_present_flag, before video_format
	raw[rawIndex(raw, bit/8)] &^= 0x80 >> (bit % 8)
	if full, at, err := spsFullRange(unescapeNAL(raw)); full || at >= 0 || err != nil {
		t.Fatalf("after clearing: full %v, flag at %d, %v", full, at, err)
	}
	return out
}

// withLimitedRangeSPS returns small.heic with the video_full_range_flag of
// its sequence parameter set cleared: the samples now claim to be limited
// range, which libheif converts itself.
func withLimitedRangeSPS(t *testing.T, heicFile []byte) []byte {
	t.Helper()
	out := bytes.Clone(heicFile)
	i := bytes.Index(out, []byte("hvcC"))
	if i < 0 {
		t.Fatal("no hvcC")
	}
	raw := hevcSPS(out[i+4:])
	rbsp := unescapeNAL(raw)
	full, bit, err := spsFullRange(rbsp)
	if err != nil || !full || bit < 0 {
		t.Fatalf("small.heic's SPS: full %v, flag at bit %d, %v", full, bit, err)
	}
	at := rawIndex(raw, bit/8)
	raw[at] &^= 0x80 >> (bit % 8)
	if got, _, _ := spsFullRange(unescapeNAL(raw)); got {
		t.Fatal("clearing the flag did not make the SPS limited range")
	}
	return out
}

// rawIndex maps the index of a byte of unescapeNAL(raw) to its index in raw.
func rawIndex(raw []byte, i int) int {
	zeros, n := 0, 0
	for j, v := range raw {
		if zeros >= 2 && v == 3 {
			zeros = 0
			continue
		}
		if n == i {
			return j
		}
		n++
		if v == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return -1
}

// TestHEICRange: thumbs adds no stretch where libheif already gives the
// right samples: small.heic (heif-enc; full range by its sequence parameter
// set, and a derived primary item, which libheif composes and converts),
// the same with the set saying limited range (libheif's result is then
// within 45 dB of the stretched samples), and with an nclx property.
func TestHEICRange(t *testing.T) {
	orig := readFile(t, "small.heic")
	decode := func(data []byte) image.Image {
		t.Helper()
		h, err := ReadHeader(data)
		if err != nil {
			t.Fatal(err)
		}
		img, err := Decode(context.Background(), data, h, 1)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	libheif := func(data []byte) image.Image {
		t.Helper()
		img, err := heif.DecodeHEIC(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	withLimitedNCLX, withFullNCLX := withHEIFProps(t, orig, nclx(false)), withHEIFProps(t, orig, nclx(true))
	tests := []struct {
		name  string
		data  []byte
		want  image.Image
		minDB float64
	}{
		{"full range by the SPS", orig, libheif(orig), math.Inf(1)},
		{"limited range by the SPS", withLimitedRangeSPS(t, orig), fromStudioSwing(libheif(orig)), 45},
		{"nclx says limited range", withLimitedNCLX, libheif(withLimitedNCLX), math.Inf(1)},
		{"nclx says full range", withFullNCLX, libheif(withFullNCLX), math.Inf(1)},
	}
	if p := psnr(t, tests[0].want, tests[1].want); p > 35 {
		t.Fatalf("stretching changes little (%.1f dB): the test cannot tell the cases apart", p)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p := psnr(t, tt.want, decode(tt.data)); p < tt.minDB {
				t.Errorf("PSNR %.1f dB against the expected pixels, want at least %.0f", p, tt.minDB)
			}
		})
	}
}

// spsWriter writes the bits of a sequence parameter set.
type spsWriter struct{ bits []byte }

func (w *spsWriter) u(n int, v uint32) {
	for i := n - 1; i >= 0; i-- {
		w.bits = append(w.bits, byte(v>>i&1))
	}
}

func (w *spsWriter) ue(v uint32) {
	n := 0
	for (v+1)>>n > 1 {
		n++
	}
	w.u(n, 0)
	w.u(n+1, v+1)
}

func (w *spsWriter) bytes() []byte {
	out := make([]byte, (len(w.bits)+7)/8)
	for i, b := range w.bits {
		out[i/8] |= b << (7 - i%8)
	}
	return out
}

// sps writes a sequence parameter set of one sub-layer with two short-term
// reference picture sets (the second predicted from the first), then a
// VUI with a video signal type of the given range, or none.
func sps(signal bool, full bool) []byte {
	w := &spsWriter{}
	w.u(4, 0) // vps id
	w.u(3, 0) // sps_max_sub_layers_minus1
	w.u(1, 1)
	w.u(32, 0x01600000) // profile_tier_level: 88 bits, then the level
	w.u(32, 0)
	w.u(24, 0)
	w.u(8, 90)
	w.ue(0)   // sps id
	w.ue(1)   // chroma 4:2:0
	w.ue(256) // width
	w.ue(171) // height
	w.u(1, 1) // conformance window
	w.ue(0)
	w.ue(0)
	w.ue(0)
	w.ue(1)
	w.ue(0) // bit depths
	w.ue(0)
	w.ue(4)   // log2_max_pic_order_cnt_lsb_minus4
	w.u(1, 1) // sub-layer ordering info
	w.ue(0)
	w.ue(0)
	w.ue(0)
	for _, v := range []uint32{0, 3, 0, 3, 1, 1} {
		w.ue(v)
	}
	w.u(1, 0) // scaling lists
	w.u(2, 3) // amp, sao
	w.u(1, 0) // pcm
	w.ue(2)   // two short-term reference picture sets
	w.ue(1)   // first: one negative picture
	w.ue(0)
	w.ue(0)
	w.u(1, 1)
	w.u(1, 1) // second: predicted
	w.u(1, 0)
	w.ue(0)
	w.u(1, 1) // used_by_curr_pic_flag for j = 0, 1
	w.u(1, 0)
	w.u(1, 1) // use_delta_flag
	w.u(1, 0) // long-term
	w.u(2, 3)
	w.u(1, 1) // VUI
	w.u(1, 1) // aspect ratio: extended
	w.u(8, 255)
	w.u(32, 0x00010001)
	w.u(1, 0) // overscan
	if signal {
		w.u(1, 1)
		w.u(3, 5)
		if full {
			w.u(1, 1)
		} else {
			w.u(1, 0)
		}
		w.u(1, 0)
	} else {
		w.u(1, 0)
	}
	w.u(1, 1) // the rest is not read
	return w.bytes()
}

func TestSPSFullRange(t *testing.T) {
	tests := []struct {
		name         string
		signal, full bool
		want         bool
	}{
		{"full", true, true, true},
		{"limited", true, false, false},
		{"no video signal type: limited", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := spsFullRange(sps(tt.signal, tt.full))
			if err != nil || got != tt.want {
				t.Errorf("spsFullRange = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if _, _, err := spsFullRange(sps(true, true)[:20]); err == nil {
		t.Error("a cut sequence parameter set gave no error")
	}
}

func TestUnescapeRBSP(t *testing.T) {
	got := unescapeNAL([]byte{1, 0, 0, 3, 1, 0, 0, 3, 0, 0, 3})
	want := []byte{1, 0, 0, 1, 0, 0, 0, 0}
	if string(got) != string(want) {
		t.Errorf("unescapeRBSP = %v, want %v", got, want)
	}
}

// TestHEICLimitedRange: which files get their samples stretched. small.heic's
// primary item is derived (heif-enc), so it is edited to make its coded
// item the primary one; libheif gives the planes of such an item untouched
// (Nokia's samples, measured by bench/conformance.sh: 25-30 dB before the
// stretch, 36-45 dB after).
func TestHEICLimitedRange(t *testing.T) {
	orig := readFile(t, "small.heic")
	coded := withCodedPrimary(t, orig)
	noSignal := withCodedPrimary(t, withoutSignalTypeSPS(t, orig))
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"derived primary item", withoutSignalTypeSPS(t, orig), false},
		{"coded item, full range by the SPS", coded, false},
		{"coded item, limited range by default", noSignal, true},
		{"coded item, limited range by the SPS", withCodedPrimary(t, withLimitedRangeSPS(t, orig)), true},
		{"coded item with an nclx property", withHEIFProps(t, noSignal, nclx(false)), false},
		{"not HEIF", []byte("not a HEIF file at all"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := heicLimitedRange(tt.data); got != tt.want {
				t.Errorf("heicLimitedRange = %v, want %v", got, tt.want)
			}
		})
	}
}
