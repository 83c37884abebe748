package jpeg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestIDCT checks the integer transforms against a float inverse DCT: the
// 8x8 output within 1 of the exact value, and the reduced outputs within 1
// of the mean of the exact values they cover.
func TestIDCT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300; i++ {
		var in [64]int32
		n := 1 + rng.IntN(64)
		for j := 0; j < n; j++ {
			in[rng.IntN(64)] = int32(rng.IntN(1024) - 512)
		}
		if i%3 == 0 {
			in[0] = int32(rng.IntN(2048) - 1024)
		}
		var exact [64]float64
		for y := 0; y < 8; y++ {
			for x := 0; x < 8; x++ {
				s := 0.0
				for v := 0; v < 8; v++ {
					for u := 0; u < 8; u++ {
						cu, cv := 1.0, 1.0
						if u == 0 {
							cu = 1 / math.Sqrt2
						}
						if v == 0 {
							cv = 1 / math.Sqrt2
						}
						s += cu * cv / 4 * float64(in[v*8+u]) *
							math.Cos(float64(2*x+1)*float64(u)*math.Pi/16) * math.Cos(float64(2*y+1)*float64(v)*math.Pi/16)
					}
				}
				exact[y*8+x] = s + 128
			}
		}
		for _, bs := range []int{8, 4, 2, 1} {
			blk := in
			dst := make([]byte, bs*bs)
			c := &component{pix: dst, stride: bs, bs: bs}
			d := &decoder{blk: blk}
			d.store(c, 0, 0, 63)
			if d.blk != ([64]int32{}) {
				t.Fatalf("bs %d: block not cleared", bs)
			}
			g := 8 / bs
			for y := 0; y < bs; y++ {
				for x := 0; x < bs; x++ {
					m := 0.0
					for yy := 0; yy < g; yy++ {
						for xx := 0; xx < g; xx++ {
							m += exact[(y*g+yy)*8+x*g+xx]
						}
					}
					want := math.Max(0, math.Min(255, m/float64(g*g)))
					if got := float64(dst[y*bs+x]); math.Abs(got-want) > 1 {
						t.Fatalf("bs %d, block %v: sample (%d,%d) = %v, want %.2f", bs, in, x, y, got, want)
					}
				}
			}
		}
	}
}

// TestReducedWeights checks the constants the reduced transforms multiply
// by against the tables derived from the cosines, and the zeros that let
// them skip columns.
func TestReducedWeights(t *testing.T) {
	want4 := [2][8]int32{
		{r4e0, r4o01, r4e2, r4o03, 0, r4o05, -r4e6, r4o07},
		{r4e0, r4o11, -r4e2, r4o13, 0, r4o15, r4e6, r4o17},
	}
	for n := range want4 {
		if red4[n] != want4[n] {
			t.Errorf("red4[%d] = %v, the constants give %v", n, red4[n], want4[n])
		}
	}
	if want2 := [8]int32{r2e0, r2o1, 0, r2o3, 0, r2o5, 0, r2o7}; red2[0] != want2 {
		t.Errorf("red2[0] = %v, the constants give %v", red2[0], want2)
	}
}
