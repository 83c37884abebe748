package jpeg

import (
	"context"
	"errors"
	"image/color"
	"testing"
)

// TestTruncatedBaselineKeepsWhatWasDecoded: a baseline photo cut off part
// way through its data decodes, at every scale, to the rows before the cut
// (the same pixels as the whole file gives) and grey after, with a
// DamagedError.
func TestTruncatedBaselineKeepsWhatWasDecoded(t *testing.T) {
	full := stdEncode(photo(320, 240, 7), 90)
	cut := full[:len(full)*6/10]
	for _, scale := range []int{1, 2, 4, 8} {
		want, err := Decode(context.Background(), full, scale)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(context.Background(), cut, scale)
		var damaged *DamagedError
		if !errors.As(err, &damaged) || got == nil {
			t.Fatalf("scale %d: Decode of a truncated file = %v, %v; want a picture and a DamagedError", scale, got, err)
		}
		if got.Bounds() != want.Bounds() {
			t.Fatalf("scale %d: bounds %v, want %v", scale, got.Bounds(), want.Bounds())
		}
		b := got.Bounds()
		// The top quarter was decoded before the cut: exactly the same.
		for y := b.Min.Y; y < b.Min.Y+b.Dy()/4; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if got.At(x, y) != want.At(x, y) {
					t.Fatalf("scale %d: pixel (%d,%d) = %v, want %v as in the whole file", scale, x, y, got.At(x, y), want.At(x, y))
				}
			}
		}
		// The last row was never decoded: mid-grey.
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := got.At(x, b.Max.Y-1).RGBA()
			if d := max(absInt(int(r>>8)-128), absInt(int(g>>8)-128), absInt(int(bl>>8)-128)); d > 1 {
				t.Fatalf("scale %d: pixel (%d,%d) = %v, want grey", scale, x, b.Max.Y-1, color.RGBAModel.Convert(got.At(x, b.Max.Y-1)))
			}
		}
	}
}

// TestTruncatedProgressive: a progressive file cut off in its last scans
// decodes, with a DamagedError, to the picture its first scans give.
func TestTruncatedProgressive(t *testing.T) {
	full := flatProgressive(96, 64, 3, -1)
	sos, _ := scanLayout(full)
	cut := full[:sos[len(sos)-1]+6]
	for _, scale := range []int{1, 8} {
		got, err := Decode(context.Background(), cut, scale)
		var damaged *DamagedError
		if !errors.As(err, &damaged) || got == nil {
			t.Fatalf("scale %d: Decode = %v, %v; want a picture and a DamagedError", scale, got, err)
		}
		want, _ := Decode(context.Background(), full, scale)
		if d := maxDiff(t, got, want); d > 8 {
			t.Errorf("scale %d: differs from the whole file by up to %d levels, want at most 8 (a flat picture is all in the first scans)", scale, d)
		}
	}
}

// TestDamageBeforeAnyScanFails: a file cut off before its first scan has no
// picture to keep.
func TestDamageBeforeAnyScanFails(t *testing.T) {
	full := stdEncode(photo(64, 48, 1), 90)
	sos, _ := scanLayout(full)
	for _, n := range []int{2, sos[0] - 10, sos[0] + 2} {
		img, err := Decode(context.Background(), full[:n], 1)
		var damaged *DamagedError
		if err == nil || errors.As(err, &damaged) || img != nil {
			t.Errorf("cut at %d of %d (first SOS at %d): Decode = %v, %v; want only an error", n, len(full), sos[0], img != nil, err)
		}
	}
}
