package vp8

import (
	"testing"
)

// FuzzDecode checks that Decode never panics or hangs, and that where
// both it and golang.org/x/image/vp8 decode a frame, the planes agree.
func FuzzDecode(f *testing.F) {
	for _, data := range testFiles(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Keep the fuzzer to pictures it can decode quickly.
		if w, h, err := FrameSize(data); err == nil && w*h > 1<<20 {
			return
		}
		got, err := Decode(data)
		if err != nil {
			return
		}
		want, err := decodeXImage(data)
		if err != nil || xImageLevelOverflows(data) {
			return
		}
		if d := planeDiff(got, want); d != "" {
			t.Errorf("differs from x/image: %s", d)
		}
	})
}

// xImageLevelOverflows reports whether a loop filter level of the frame
// header in data overflows the int8 in which golang.org/x/image/vp8 adds
// it up, which makes it skip filtering where RFC 6386 and libwebp clamp
// the level to 63.
func xImageLevelOverflows(data []byte) bool {
	var d decoder
	if d.parseHeader(data) != nil {
		return false
	}
	for s := range numSegments {
		base := d.filter.level
		if d.segment.enabled {
			base = d.segment.filter[s]
			if !d.segment.absolute {
				base += d.filter.level
			}
		}
		sums := []int{base}
		if d.filter.useDeltas {
			sums = append(sums, base+d.filter.refDelta0, base+d.filter.refDelta0+d.filter.modeDelta0)
		}
		for _, v := range sums {
			if v < -128 || v > 127 {
				return true
			}
		}
	}
	return false
}
