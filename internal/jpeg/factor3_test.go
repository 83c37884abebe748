package jpeg

import (
	"context"
	"image"
	"math"
	"testing"
)

// TestSamplingFactorThree decodes files whose components are sampled 3:1,
// which no power-of-two block size matches, at every scale: each scaled
// picture must be the full-size one box-averaged, within 25 dB, and a
// progressive one must not crash the decoder (a fuzz finding).
func TestSamplingFactorThree(t *testing.T) {
	const w, h = 96, 48
	m := photo(w, h, 3)
	comps := []encComp{{1, 3, 1, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}
	for _, sof := range []byte{0xC0, 0xC2} {
		o := encOpts{comps: comps, quant: quality(2), adobe: -1, jfif: true, sof: sof}
		if sof == 0xC2 {
			o.scans = progScript(3)
		}
		data := encode(w, h, ycc(m), o)
		full, err := Decode(context.Background(), data, 1)
		if err != nil {
			t.Fatalf("SOF%d: %v", sof-0xC0, err)
		}
		for _, s := range []int{2, 4, 8} {
			got, err := Decode(context.Background(), data, s)
			if err != nil {
				t.Fatalf("SOF%d, scale %d: %v", sof-0xC0, s, err)
			}
			if p := boxPSNR(got, full, s); p < 25 {
				t.Errorf("SOF%d, scale %d: %.1f dB from the full-size picture box-averaged, want at least 25", sof-0xC0, s, p)
			}
		}
	}
}

// boxPSNR returns the PSNR over R, G and B of got against ref box-averaged
// by s.
func boxPSNR(got, ref image.Image, s int) float64 {
	rb := ref.Bounds()
	var se float64
	n := 0
	for y := 0; y < got.Bounds().Dy(); y++ {
		for x := 0; x < got.Bounds().Dx(); x++ {
			var sum [3]float64
			cnt := 0
			for sy := y * s; sy < min(y*s+s, rb.Dy()); sy++ {
				for sx := x * s; sx < min(x*s+s, rb.Dx()); sx++ {
					r, g, b, _ := ref.At(sx, sy).RGBA()
					sum[0], sum[1], sum[2] = sum[0]+float64(r>>8), sum[1]+float64(g>>8), sum[2]+float64(b>>8)
					cnt++
				}
			}
			r, g, b, _ := got.At(x, y).RGBA()
			for i, v := range []uint32{r, g, b} {
				d := float64(v>>8) - sum[i]/float64(cnt)
				se += d * d
				n++
			}
		}
	}
	if se == 0 {
		return 99
	}
	return 10 * math.Log10(255*255/(se/float64(n)))
}
