package decode

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"testing"

	"github.com/gen2brain/avif"
)

// withISPE returns file with every ispe property of size w x h rewritten to
// say nw x nh.
func withISPE(t *testing.T, file []byte, w, h, nw, nh int) []byte {
	t.Helper()
	out := bytes.Clone(file)
	var old []byte
	old = binary.BigEndian.AppendUint32(append([]byte("ispe"), 0, 0, 0, 0), uint32(w))
	old = binary.BigEndian.AppendUint32(old, uint32(h))
	n := 0
	for i := bytes.Index(out, old); i >= 0; i = bytes.Index(out, old) {
		binary.BigEndian.PutUint32(out[i+8:], uint32(nw))
		binary.BigEndian.PutUint32(out[i+12:], uint32(nh))
		n++
	}
	if n == 0 {
		t.Fatalf("no ispe of %dx%d", w, h)
	}
	return out
}

func TestLyingHEIFHeader(t *testing.T) {
	heic := readFile(t, "small.heic") // 256x171
	var buf bytes.Buffer
	if err := avif.Encode(&buf, photo(64, 48), avif.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	avifData := buf.Bytes()
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"heic as is", heic, ""},
		{"heic ispe smaller", withISPE(t, heic, 256, 171, 16, 16), "heic: decoded 256x171 but the header says 16x16"},
		{"heic ispe larger", withISPE(t, heic, 256, 171, 512, 342), "heic: decoded 256x171 but the header says 512x342"},
		{"avif as is", avifData, ""},
		{"avif ispe smaller", withISPE(t, avifData, 64, 48, 16, 16), "avif: decoded 64x48 but the header says 16x16"},
		{"avif ispe larger", withISPE(t, avifData, 64, 48, 640, 480), "avif: decoded 64x48 but the header says 640x480"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			img, err := Decode(context.Background(), tt.data, h, 1)
			if tt.wantErr == "" {
				if err != nil || img.Bounds() != image.Rect(0, 0, h.Width, h.Height) {
					t.Fatalf("Decode = %v, %v; want %dx%d", img, err, h.Width, h.Height)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestDecodeCancelled checks that every format returns context.Canceled,
// unwrapped, for a context that is already cancelled.
func TestDecodeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, s := range samples(t) {
		t.Run(s.name, func(t *testing.T) {
			h, err := ReadHeader(s.data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Decode(ctx, s.data, h, 1); !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
		})
	}
}
