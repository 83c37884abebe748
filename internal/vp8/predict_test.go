package vp8

import (
	"encoding/binary"
	"testing"
)

// TestAddClamped compares addClamped, which works on 8 pixels a word,
// with adding and clamping each pixel, for every pixel value and every
// offset in -255..255.
func TestAddClamped(t *testing.T) {
	for d := int32(-255); d <= 255; d++ {
		for p := range 256 {
			var px [8]byte
			for i := range px {
				px[i] = byte(p + i*37) // every value in every lane, over all p
			}
			got := addClamped(binary.LittleEndian.Uint64(px[:]), d)
			for i, v := range px {
				want := byte(min(max(int32(v)+d, 0), 255))
				if b := byte(got >> (8 * i)); b != want {
					t.Fatalf("addClamped(%d in lane %d, %d) = %d, want %d", v, i, d, b, want)
				}
			}
		}
	}
}
