package decode

import (
	"bytes"
	"context"
	"image"
	"image/color/palette"
	"image/draw"
	"image/png"
	"runtime"
	"testing"
)

// TestShrunkCostBoundsAllocation checks ShrunkCost against the bytes that
// DecodeShrunk allocates for 2000x1500 PNGs of each kind, and that it is a
// small part of what decoding and resizing the whole picture costs.
func TestShrunkCostBoundsAllocation(t *testing.T) {
	const w, h = 2000, 1500
	opaque := photo(w, h)
	translucent := photo(w, h)
	for i := 3; i < len(translucent.Pix); i += 4 {
		translucent.Pix[i] = uint8(i / 4 % 256)
	}
	deep := image.NewGray16(opaque.Rect)
	draw.Draw(deep, deep.Rect, opaque, image.Point{}, draw.Src)
	// Indices taken from green keep the photo's structure without
	// draw's nearest-colour search, most of the test's time.
	indexed := image.NewPaletted(opaque.Rect, palette.Plan9)
	for i := range indexed.Pix {
		indexed.Pix[i] = opaque.Pix[4*i+1]
	}
	for _, tt := range []struct {
		name string
		img  image.Image
	}{{"rgb", opaque}, {"rgba", translucent}, {"gray16", deep}, {"paletted", indexed}} {
		var buf bytes.Buffer
		// Fastest compression: the test measures decoding, and encoding
		// 3 MP at the default level dominates its time under -race.
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(&buf, tt.img); err != nil {
			t.Fatal(err)
		}
		h, err := ReadHeader(buf.Bytes())
		if err != nil || !h.Streams() {
			t.Fatalf("%s: ReadHeader = %v (streams %v)", tt.name, err, h.Streams())
		}
		for _, k := range []int{2, 7} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			p, err := DecodeShrunk(context.Background(), buf.Bytes(), h, k)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			alloc, model, whole := int64(after.TotalAlloc-before.TotalAlloc), h.ShrunkCost(k), h.DecodeCost(1)
			t.Logf("%s at 1/%d: allocated %d bytes, ShrunkCost %d, DecodeCost %d", tt.name, k, alloc, model, whole)
			if alloc > model {
				t.Errorf("%s at 1/%d: allocated %d bytes, over ShrunkCost %d", tt.name, k, alloc, model)
			}
			// With the resampler's 8 bytes per sample it works on, the
			// streaming path needs less than half of what the whole
			// picture does.
			shrunk, full := int64(p.Width*p.Height), int64(w*h.Height)
			if model+8*shrunk > (whole+8*full)/2 {
				t.Errorf("%s at 1/%d: ShrunkCost %d is not a small part of the whole picture's %d", tt.name, k, model, whole)
			}
			if p.Width != (w+k-1)/k || p.Height != (h.Height+k-1)/k {
				t.Errorf("%s at 1/%d: planes %dx%d", tt.name, k, p.Width, p.Height)
			}
		}
	}
}
