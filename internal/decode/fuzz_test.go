package decode

import (
	"context"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	for _, s := range samples(f) {
		f.Add(s.data)
	}
	f.Add(encodeTIFF(4, 3, 6, false))
	f.Add(withJPEGSegment(samples(f)[0].data, 0xE1, append([]byte("Exif\x00\x00"), exifTIFF(6, true)...)))
}

func FuzzReadHeader(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHeader(data)
		if err != nil {
			return
		}
		if h.Width <= 0 || h.Height <= 0 || h.Orientation < 1 || h.Orientation > 8 || h.Format == "" {
			t.Fatalf("invalid header %+v", h)
		}
	})
}

func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHeader(data)
		if err != nil || h.Width*h.Height > 4_000_000 {
			t.Skip()
		}
		if img, err := Decode(context.Background(), data, h, 1); err == nil && img == nil {
			t.Fatal("nil image without error")
		}
	})
}
