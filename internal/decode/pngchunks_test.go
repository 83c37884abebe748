package decode

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"image/png"
	"math"
	"strings"
	"testing"
)

// withBadCRC returns a copy of the PNG stream b with the CRC of its first
// chunk of type kind made wrong.
func withBadCRC(t *testing.T, b []byte, kind string) []byte {
	t.Helper()
	out := bytes.Clone(b)
	for i := 8; i+12 <= len(out); {
		n := int(binary.BigEndian.Uint32(out[i:]))
		if string(out[i+4:i+8]) == kind {
			out[i+8+n+3] ^= 0xff
			return out
		}
		i += 12 + n
	}
	t.Fatalf("no %s chunk", kind)
	return nil
}

// iccpChunk is the payload of an iCCP chunk holding profile.
func iccpChunk(t *testing.T, profile []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	if _, err := w.Write(profile); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return append([]byte("icc\x00\x00"), z.Bytes()...)
}

func TestPNGBadCRC(t *testing.T) {
	pic := photo(16, 8)
	plain := enc(t, func(b *bytes.Buffer) error { return png.Encode(b, pic) })
	profile := bytes.Repeat([]byte("profile "), 20)
	withICC := withPNGChunk(plain, "iCCP", iccpChunk(t, profile))
	withEXIF := withPNGChunk(plain, "eXIf", exifTIFF(6, false))
	tests := []struct {
		name        string
		data        []byte
		wantErr     string   // substring of Decode's error; "" for success
		warnings    []string // chunk types named by Header.Warnings, in order
		icc         bool     // whether Header.ICC is set
		orientation int
	}{
		{name: "good iCCP", data: withICC, icc: true, orientation: 1},
		{name: "bad iCCP", data: withBadCRC(t, withICC, "iCCP"), warnings: []string{"iCCP"}, orientation: 1},
		{name: "good eXIf", data: withEXIF, orientation: 6},
		{name: "bad eXIf is ignored", data: withBadCRC(t, withEXIF, "eXIf"), warnings: []string{"eXIf"}, orientation: 1},
		{
			name:     "two bad ancillary chunks",
			data:     withBadCRC(t, withBadCRC(t, withPNGChunk(withICC, "tEXt", []byte("k\x00v")), "tEXt"), "iCCP"),
			warnings: []string{"tEXt", "iCCP"}, orientation: 1,
		},
		{name: "bad IDAT fails", data: withBadCRC(t, plain, "IDAT"), wantErr: "invalid checksum", orientation: 1},
		{name: "bad IEND fails", data: withBadCRC(t, plain, "IEND"), wantErr: "invalid checksum", orientation: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.data)
			if err != nil {
				t.Fatalf("ReadHeader: %v", err)
			}
			if len(h.Warnings) != len(tt.warnings) {
				t.Fatalf("Warnings = %q, want one for each of %q", h.Warnings, tt.warnings)
			}
			for i, kind := range tt.warnings {
				if !strings.Contains(h.Warnings[i], `"`+kind+`"`) || !strings.Contains(h.Warnings[i], "bad CRC") {
					t.Errorf("Warnings[%d] = %q, want it to name a bad CRC in %s", i, h.Warnings[i], kind)
				}
			}
			if (h.ICC != nil) != tt.icc {
				t.Errorf("ICC set = %v, want %v", h.ICC != nil, tt.icc)
			}
			if tt.icc && !bytes.Equal(h.ICC, profile) {
				t.Errorf("ICC = %q, want %q", h.ICC, profile)
			}
			if h.Orientation != tt.orientation {
				t.Errorf("Orientation = %d, want %d", h.Orientation, tt.orientation)
			}
			img, err := Decode(context.Background(), tt.data, h, 1)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Decode error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if p := psnr(t, pic, img); !math.IsInf(p, 1) {
				t.Errorf("decoded pixels differ from the encoded ones: PSNR %.1f dB", p)
			}
		})
	}
}
