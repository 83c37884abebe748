package decode

import (
	"bytes"
	"context"
	"testing"
)

// TestHEICPixiOneChannel decodes a colour HEIC whose primary item has a
// pixi property of one channel (libheif's tests/data/rainbow-451x461.heic
// and others are written so): libheif 1.18 would fail it as monochrome,
// libheif 1.15 and the HEVC stream say colour, and so must thumbs.
func TestHEICPixiOneChannel(t *testing.T) {
	// photo.heic has heif-enc's pixi of three channels; a pixi of one
	// channel in its place keeps the box's size, with two bytes over.
	orig := readFile(t, "photo.heic")
	at := bytes.Index(orig, []byte("pixi\x00\x00\x00\x00\x03"))
	if at < 0 {
		t.Fatal("photo.heic has no pixi of three channels")
	}
	one := bytes.Clone(orig)
	one[at+8] = 1
	tests := []struct {
		name string
		file []byte
	}{
		{"pixi one channel", one},
		{"pixi three channels", orig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			img, err := Decode(context.Background(), tt.file, h, 1)
			if err != nil {
				t.Fatal(err)
			}
			// photo.heic is heif-enc -q 50 of photo(256, 170).
			if p := psnr(t, photo(256, 170), img); p < 30 {
				t.Errorf("PSNR %.1f dB against the colour source, want >= 30", p)
			}
		})
	}
}
