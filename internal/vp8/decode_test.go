package vp8

import (
	"errors"
	"image"
	"testing"
)

// TestDecodeMatchesXImage decodes every test file and requires the
// planes golang.org/x/image/vp8 gives, sample for sample: VP8 decoding
// is exact integer arithmetic.
func TestDecodeMatchesXImage(t *testing.T) {
	for name, data := range testFiles(t) {
		t.Run(name, func(t *testing.T) {
			want, err := decodeXImage(data)
			if err != nil {
				t.Fatalf("x/image: %v", err)
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if d := planeDiff(got, want); d != "" {
				t.Error(d)
			}
			w, h, err := FrameSize(data)
			if err != nil || w != got.Rect.Dx() || h != got.Rect.Dy() {
				t.Errorf("FrameSize = %d, %d, %v; the picture is %v", w, h, err, got.Rect)
			}
		})
	}
}

// TestDecodeTruncated cuts each test file short at many lengths: Decode
// must return an error, or (when the cut bytes were never needed) the
// whole picture, never a different one.
func TestDecodeTruncated(t *testing.T) {
	for name, data := range testFiles(t) {
		full, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		step := max(1, len(data)/97)
		for n := 0; n < len(data); n += step {
			img, err := Decode(data[:n])
			if err != nil {
				continue
			}
			if d := planeDiff(img, full); d != "" {
				t.Errorf("%s cut to %d bytes: no error, and %s", name, n, d)
			}
		}
		if _, err := Decode(data[:len(data)/2]); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s cut in half: error %v, want ErrTruncated", name, err)
		}
	}
}

func TestDecodeBadHeaders(t *testing.T) {
	good := testFiles(t)["photo-q85.webp"]
	edit := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	tests := []struct {
		name string
		data []byte
		want error // nil: any error
	}{
		{"empty", nil, ErrTruncated},
		{"inter frame", edit(func(b []byte) { b[0] |= 1 }), ErrUnsupported},
		{"bad start code", edit(func(b []byte) { b[4] = 0 }), nil},
		{"zero width", edit(func(b []byte) { b[6], b[7] = 0, 0 }), nil},
		{"first partition past the end", edit(func(b []byte) { b[2] = 0xff }), ErrTruncated},
		{"invisible frame", edit(func(b []byte) { b[0] &^= 0x10 }), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Decode(tt.data)
			if err == nil {
				t.Fatalf("Decode gave a %v picture, want an error", img.Rect)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

// TestDecodeRowsBands checks that DecodeRows hands out every row once,
// top to bottom, in bands of 16 luma and 8 chroma rows.
func TestDecodeRowsBands(t *testing.T) {
	for name, data := range testFiles(t) {
		w, h, err := FrameSize(data)
		if err != nil {
			t.Fatal(err)
		}
		nextY, chromaRows := 0, 0
		err = DecodeRows(data, func(b *Band) {
			if b.Y0 != nextY || b.Rows != min(16, h-b.Y0) || b.ChromaRows != min(8, (h+1)/2-b.Y0/2) {
				t.Errorf("%s: band at %d of %d rows and %d chroma rows, want it at %d", name, b.Y0, b.Rows, b.ChromaRows, nextY)
			}
			if b.YStride < w || len(b.Y) < (b.Rows-1)*b.YStride+w || len(b.Cb) < (b.ChromaRows-1)*b.CStride+(w+1)/2 {
				t.Errorf("%s: band at %d too small for %d columns", name, b.Y0, w)
			}
			nextY += b.Rows
			chromaRows += b.ChromaRows
		})
		if err != nil {
			t.Fatal(err)
		}
		if nextY != h || chromaRows != (h+1)/2 {
			t.Errorf("%s: %d luma and %d chroma rows, want %d and %d", name, nextY, chromaRows, h, (h+1)/2)
		}
	}
}

// TestDecodeRowsUnfiltered checks that the frame without its loop filter
// is the frame itself when the encoder turned the filter off, and not
// when it did not.
func TestDecodeRowsUnfiltered(t *testing.T) {
	files := testFiles(t)
	for _, tt := range []struct {
		name string
		same bool
	}{
		{"photo-q85-f0.webp", true},
		{"photo-q85.webp", false},
		{"plasma-q60-simple.webp", false},
	} {
		data := files[tt.name]
		want, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		got := image.NewYCbCr(want.Rect, image.YCbCrSubsampleRatio420)
		w := want.Rect.Dx()
		err = DecodeRowsUnfiltered(data, func(b *Band) {
			for i := range b.Rows {
				copy(got.Y[(b.Y0+i)*got.YStride:], b.Y[i*b.YStride:i*b.YStride+w])
			}
			for i := range b.ChromaRows {
				copy(got.Cb[(b.Y0/2+i)*got.CStride:], b.Cb[i*b.CStride:i*b.CStride+(w+1)/2])
				copy(got.Cr[(b.Y0/2+i)*got.CStride:], b.Cr[i*b.CStride:i*b.CStride+(w+1)/2])
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if d := planeDiff(got, want); (d == "") != tt.same {
			t.Errorf("%s: unfiltered and filtered frames alike: %v, want %v (%s)", tt.name, d == "", tt.same, d)
		}
	}
}
