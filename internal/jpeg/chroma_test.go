package jpeg

import (
	"context"
	"image"
	"math"
	"testing"
)

// TestChromaOnGridKeepsMean checks that 4:2:2 chroma, decoded at twice
// luma's reduced scale down the picture and averaged in pairs of rows onto
// luma's grid, keeps the mean of the full-scale chroma: rounding every
// half up raised it by a quarter of a level, which, through the colour
// conversion, raised red and blue by up to half a level in every
// thumbnail. The PSNR against the full-scale chroma box-averaged to each
// scale's size must not fall either; each minimum is half a dB under what
// the code reaches.
func TestChromaOnGridKeepsMean(t *testing.T) {
	const w, h = 256, 192 // whole MCUs at every scale: no edge blocks
	data := encode(w, h, ycc(photo(w, h, 3)), encOpts{comps: s422, quant: quality(1), adobe: -1, jfif: true})
	fullImg, err := Decode(context.Background(), data, 1)
	if err != nil {
		t.Fatal(err)
	}
	full := fullImg.(*image.YCbCr)
	for _, tt := range []struct {
		scale int
		minDB float64
	}{
		{2, 56.6},
		{4, 55.1},
	} {
		img, err := Decode(context.Background(), data, tt.scale)
		if err != nil {
			t.Fatal(err)
		}
		m := img.(*image.YCbCr)
		if m.SubsampleRatio != image.YCbCrSubsampleRatio444 {
			t.Fatalf("1/%d: chroma is %v, want it on luma's grid", tt.scale, m.SubsampleRatio)
		}
		for _, c := range []struct {
			name      string
			got, want []byte
		}{{"Cb", m.Cb, full.Cb}, {"Cr", m.Cr, full.Cr}} {
			var sumGot, sumWant, sq float64
			ow, oh := w/tt.scale, h/tt.scale
			for y := range oh {
				for x := range ow {
					// Full-scale chroma covers scale/2 columns and scale rows.
					var box float64
					for j := range tt.scale {
						for i := range tt.scale / 2 {
							box += float64(c.want[(y*tt.scale+j)*full.CStride+x*tt.scale/2+i])
						}
					}
					box /= float64(tt.scale * tt.scale / 2)
					v := float64(c.got[y*m.CStride+x])
					sumGot += v
					sumWant += box
					sq += (v - box) * (v - box)
				}
			}
			n := float64(ow * oh)
			bias := (sumGot - sumWant) / n
			p := 10 * math.Log10(255*255/(sq/n))
			t.Logf("1/%d %s: mean off by %+.3f, %.2f dB", tt.scale, c.name, bias, p)
			if math.Abs(bias) > 0.05 {
				t.Errorf("1/%d: %s mean %+.3f levels off the full-scale mean, want within 0.05", tt.scale, c.name, bias)
			}
			if p < tt.minDB {
				t.Errorf("1/%d: %s PSNR %.2f dB against the box-averaged full scale, want at least %.1f", tt.scale, c.name, p, tt.minDB)
			}
		}
	}
}
