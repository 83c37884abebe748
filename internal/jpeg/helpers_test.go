package jpeg

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"math"
	"math/rand/v2"
	"testing"
)

// photo returns a w x h test image: smooth gradients, a few hard edges and
// some noise, deterministic for a seed.
func photo(w, h int, seed uint64) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 7))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(max(w, 1)), float64(y)/float64(max(h, 1))
			r := 128 + 100*math.Sin(6*fx+2*fy)
			g := 200*fy + 30*math.Cos(9*fx*fy)
			b := 60 + 150*fx*(1-fy)
			if (x/23+y/17)%5 == 0 { // hard-edged patches
				r, g, b = 255-r, b, 40
			}
			if x > w/3 && x < w/3+3 { // a thin vertical line
				r, g, b = 10, 10, 10
			}
			n := rng.NormFloat64() * 6
			m.SetRGBA(x, y, color.RGBA{clamp8(r + n), clamp8(g + n), clamp8(b - n), 255})
		}
	}
	return m
}

func clamp8(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

// ycc returns the Y, Cb and Cr planes of m.
func ycc(m *image.RGBA) [][]byte {
	b := m.Bounds()
	p := [][]byte{make([]byte, b.Dx()*b.Dy()), make([]byte, b.Dx()*b.Dy()), make([]byte, b.Dx()*b.Dy())}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			c := m.RGBAAt(x, y)
			i := y*b.Dx() + x
			p[0][i], p[1][i], p[2][i] = color.RGBToYCbCr(c.R, c.G, c.B)
		}
	}
	return p
}

// quality returns quantisation tables: small steps, rising with frequency.
func quality(step float64) (q [4][64]int32) {
	for t := 0; t < 4; t++ {
		for i := 0; i < 64; i++ {
			u, v := i%8, i/8
			q[t][i] = int32(max(1, math.Round(step*(1+float64(u+v)*0.6)*(1+0.5*float64(t)))))
		}
	}
	return
}

func stdEncode(m image.Image, q int) []byte {
	var buf bytes.Buffer
	if err := stdjpeg.Encode(&buf, m, &stdjpeg.Options{Quality: q}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// plane is one channel of an image.
type plane struct {
	w, h int
	at   func(x, y int) uint8
}

func planes(t testing.TB, m image.Image) (string, []plane) {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := m.(type) {
	case *image.Gray:
		return "gray", []plane{{w, h, func(x, y int) uint8 { return m.GrayAt(x, y).Y }}}
	case *image.YCbCr:
		cw, ch := chromaSize(b, m.SubsampleRatio)
		// Chroma sample (x, y) is addressed by a luma coordinate it covers.
		hs, vs := ratioFactors(m.SubsampleRatio)
		return fmt.Sprint("ycbcr", m.SubsampleRatio), []plane{
			{w, h, func(x, y int) uint8 { return m.Y[m.YOffset(x, y)] }},
			{cw, ch, func(x, y int) uint8 { return m.Cb[m.COffset(x*hs, y*vs)] }},
			{cw, ch, func(x, y int) uint8 { return m.Cr[m.COffset(x*hs, y*vs)] }},
		}
	case *image.CMYK:
		var ps []plane
		for c := 0; c < 4; c++ {
			ps = append(ps, plane{w, h, func(x, y int) uint8 { return m.Pix[m.PixOffset(x, y)+c] }})
		}
		return "cmyk", ps
	case *image.RGBA:
		var ps []plane
		for c := 0; c < 4; c++ {
			ps = append(ps, plane{w, h, func(x, y int) uint8 { return m.Pix[m.PixOffset(x, y)+c] }})
		}
		return "rgba", ps
	}
	t.Fatalf("unexpected image type %T", m)
	return "", nil
}

func ratioFactors(r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

// maxDiff returns the largest per-sample difference between a and b, which
// must have the same type, layout and size.
func maxDiff(t testing.TB, a, b image.Image) int {
	t.Helper()
	ka, pa := planes(t, a)
	kb, pb := planes(t, b)
	if ka != kb || a.Bounds() != b.Bounds() {
		t.Fatalf("layout %s %v, want %s %v", ka, a.Bounds(), kb, b.Bounds())
	}
	d := 0
	for i := range pa {
		if pa[i].w != pb[i].w || pa[i].h != pb[i].h {
			t.Fatalf("plane %d is %dx%d, want %dx%d", i, pa[i].w, pa[i].h, pb[i].w, pb[i].h)
		}
		for y := 0; y < pa[i].h; y++ {
			for x := 0; x < pa[i].w; x++ {
				d = max(d, absInt(int(pa[i].at(x, y))-int(pb[i].at(x, y))))
			}
		}
	}
	return d
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// scaledPSNR compares got, decoded at 1/s, with ref (a full-size decode)
// box-averaged plane by plane (edge boxes average what they hold). When ref
// has subsampled chroma and got 4:4:4 (chroma decoded on luma's grid), got's
// chroma is compared with ref's chroma repeated onto luma's grid and then
// box-averaged.
func scaledPSNR(t testing.TB, got, ref image.Image, s int) float64 {
	t.Helper()
	kg, pg := planes(t, got)
	kr, pr := planes(t, ref)
	rb := ref.Bounds()
	want := image.Rect(0, 0, (rb.Dx()+s-1)/s, (rb.Dy()+s-1)/s)
	hdiv, vdiv := 1, 1
	if g, isYCbCr := got.(*image.YCbCr); isYCbCr && kg != kr {
		if rm, ok := ref.(*image.YCbCr); ok && g.SubsampleRatio == image.YCbCrSubsampleRatio444 {
			hdiv, vdiv = ratioFactors(rm.SubsampleRatio)
			kr = kg
		}
	}
	if kg != kr || got.Bounds() != want {
		t.Fatalf("layout %s %v, want %s %v", kg, got.Bounds(), kr, want)
	}
	var se, n float64
	for i := range pg {
		g, r := pg[i], pr[i]
		at := r.at
		if i > 0 && (hdiv > 1 || vdiv > 1) {
			r = pr[0]
			at = func(x, y int) uint8 { return pr[i].at(x/hdiv, y/vdiv) }
		}
		if g.w != (r.w+s-1)/s || g.h != (r.h+s-1)/s {
			t.Fatalf("plane %d is %dx%d, want ceil(%dx%d / %d)", i, g.w, g.h, r.w, r.h, s)
		}
		for y := 0; y < g.h; y++ {
			for x := 0; x < g.w; x++ {
				sum, cnt := 0.0, 0.0
				for yy := y * s; yy < min(y*s+s, r.h); yy++ {
					for xx := x * s; xx < min(x*s+s, r.w); xx++ {
						sum += float64(at(xx, yy))
						cnt++
					}
				}
				dd := float64(g.at(x, y)) - sum/cnt
				se += dd * dd
				n++
			}
		}
	}
	if se == 0 {
		return 99
	}
	return 10 * math.Log10(255*255/(se/n))
}
