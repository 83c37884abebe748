package decode

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBMPVariants reads the BMP layouts that golang.org/x/image/bmp refuses
// (OS/2 headers, RLE, bitfields, V5 with a gap) through ReadHeader and Decode.
func TestBMPVariants(t *testing.T) {
	paths, err := filepath.Glob("../bmp/testdata/*.bmp")
	if err != nil || len(paths) < 5 {
		t.Fatalf("BMP test files: %v, %v", paths, err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			h, err := ReadHeader(data)
			if err != nil {
				t.Fatalf("ReadHeader: %v", err)
			}
			if h.Format != BMP {
				t.Fatalf("format %q, want bmp", h.Format)
			}
			img, err := Decode(context.Background(), data, h, 1)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if b := img.Bounds(); b.Dx() != h.Width || b.Dy() != h.Height {
				t.Errorf("image %v, header %dx%d", b, h.Width, h.Height)
			}
		})
	}
}

func TestBMPTruncatedAndForeignOS2Files(t *testing.T) {
	data, err := os.ReadFile("../bmp/testdata/v5-gap.bmp")
	if err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(context.Background(), data[:len(data)-40], h, 1); err == nil || !strings.Contains(err.Error(), "bmp: truncated pixel data") {
		t.Errorf("truncated file: error %v", err)
	}
	icon := append([]byte("CI"), data[2:]...)
	if _, err := ReadHeader(icon); err != errUnknown {
		t.Errorf("OS/2 icon: error %v, want %v", err, errUnknown)
	}
	array := append([]byte("BA\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), data[:]...)
	array[14+10] += 14 // offsets in an array count from the start of the file
	h, err = ReadHeader(array)
	if err != nil || h.Format != BMP || h.Width != 11 || h.Height != 5 {
		t.Fatalf("bitmap array: header %+v, error %v", h, err)
	}
	if _, err := Decode(context.Background(), array, h, 1); err != nil {
		t.Errorf("bitmap array: %v", err)
	}
}

func TestBMPEmbeddedProfile(t *testing.T) {
	data, err := os.ReadFile("../bmp/testdata/v5-gap.bmp")
	if err != nil {
		t.Fatal(err)
	}
	// Declare the 9 bytes between the V5 header and the pixels a profile.
	copy(data[14+56:], "DEBM")
	binary.LittleEndian.PutUint32(data[14+112:], 124)
	binary.LittleEndian.PutUint32(data[14+116:], 9)
	h, err := ReadHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := bytes.Repeat([]byte{0xee}, 9); !bytes.Equal(h.ICC, want) {
		t.Errorf("ICC %x, want %x", h.ICC, want)
	}
}
