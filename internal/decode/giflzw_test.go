package decode

import (
	"bytes"
	"compress/lzw"
	"context"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDecodeGIFLZWMatchesCompressLZW checks decodeGIFLZW against the
// standard library's encoder for every code size it supports, on data long
// enough to fill the 4096-entry table many times.
func TestDecodeGIFLZWMatchesCompressLZW(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for lit := 2; lit <= 8; lit++ {
		for _, kind := range []string{"noise", "runs"} {
			px := make([]byte, 200_000)
			for i := range px {
				switch kind {
				case "noise":
					px[i] = byte(rng.IntN(1 << lit))
				case "runs":
					px[i] = byte((i / 97) % (1 << lit))
				}
			}
			var z bytes.Buffer
			w := lzw.NewWriter(&z, lzw.LSB, lit)
			if _, err := w.Write(px); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := decodeGIFLZW(z.Bytes(), uint(lit), len(px))
			if err != nil {
				t.Fatalf("code size %d, %s: %v", lit, kind, err)
			}
			for i := range px {
				if got[i] != uint16(px[i]) {
					t.Fatalf("code size %d, %s: value %d is %d, want %d", lit, kind, i, got[i], px[i])
				}
			}
		}
	}
}

func TestDecodeGIFLZWShortAndBadStreams(t *testing.T) {
	var z bytes.Buffer
	w := lzw.NewWriter(&z, lzw.LSB, 8)
	w.Write([]byte{1, 2, 3, 4})
	w.Close()
	tests := []struct {
		name    string
		data    []byte
		n       int
		want    []uint16
		wantErr bool
	}{
		{name: "more pixels than data: padded with 0", data: z.Bytes(), n: 6, want: []uint16{1, 2, 3, 4, 0, 0}},
		{name: "fewer pixels than data: cut", data: z.Bytes(), n: 2, want: []uint16{1, 2}},
		{name: "no data", data: nil, n: 3, want: []uint16{0, 0, 0}},
		// 9-bit codes: clear (256), then 300, a string code with no string yet.
		{name: "string code right after clear", data: []byte{0x00, 0x59, 0x02}, n: 3, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeGIFLZW(tt.data, 8, tt.n)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestGIFCodeSize11 decodes Pillow's issue_2811.gif, whose only frame has
// an LZW minimum code size of 11, and compares it with ImageMagick's
// decode of it (testdata/conformance/README).
func TestGIFCodeSize11(t *testing.T) {
	data := readFile(t, "conformance/issue_2811.gif")
	want, err := png.Decode(bytes.NewReader(readFile(t, "conformance/issue_2811.imagemagick.png")))
	if err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(context.Background(), data, h, 1)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if p := psnr(t, want, img); !math.IsInf(p, 1) {
		t.Errorf("differs from ImageMagick's decode: PSNR %.1f dB, want identical", p)
	}
}
