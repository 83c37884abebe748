package thumbnail

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAcrossBytes4 checks that the packed pass across gives the sums of
// the plain one, on rows that make the low half's sum as large and as
// negative as Lanczos lobes can (stripes of 0 and 255 at the lobes'
// spacing) and on noise, when shrinking by several factors and enlarging.
func TestAcrossBytes4(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range []struct {
		name    string
		srcW, w int
	}{
		{"shrink-3.75", 960, 256},
		{"shrink-2", 513, 256},
		{"shrink-7.3", 1871, 256},
		{"enlarge-3", 37, 111},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tp := lanczosTaps(tt.srcW, float64(tt.srcW), tt.w)
			rows := make([]uint8, 4*tt.srcW)
			for x := range tt.srcW {
				stripe := uint8(0)
				if x/max(tt.srcW/tt.w, 1)%2 == 0 {
					stripe = 255
				}
				rows[x], rows[tt.srcW+x] = stripe, 255-stripe
				rows[2*tt.srcW+x], rows[3*tt.srcW+x] = uint8(rng.IntN(256)), 255-stripe
			}
			for _, shift := range []int{0, weightBits - fracBits} {
				want := make([]int32, 4*tt.w)
				across4(&tp, rows, tt.srcW, want, tt.w, shift)
				got := make([]int32, 4*tt.w)
				acrossBytes4(&tp, rows, tt.srcW, got, tt.w, shift, make([]uint64, 2*tt.srcW))
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("shift %d: row %d sample %d is %d, want %d", shift, i/tt.w, i%tt.w, got[i], want[i])
					}
				}
			}
		})
	}
}

// TestResizeYCbCrMatchesPlanes checks that resizing a YCbCr picture row by
// row gives the bytes of converting it to R, G and B planes first and
// resizing those, for every chroma layout the row-by-row path takes, at
// sizes that are not multiples of the subsampling.
func TestResizeYCbCrMatchesPlanes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, ratio := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440,
	} {
		t.Run(ratio.String(), func(t *testing.T) {
			m := image.NewYCbCr(image.Rect(0, 0, 203, 151), ratio)
			for i := range m.Y {
				m.Y[i] = uint8(i*7/3 + rng.IntN(40))
			}
			for i := range m.Cb {
				m.Cb[i], m.Cr[i] = uint8(rng.IntN(256)), uint8(i/5+rng.IntN(30))
			}
			p := split(m, 202.5, 150.5)
			if p.ycc == nil {
				t.Fatal("split converted the picture; want it kept as YCbCr")
			}
			planes := p
			planes.colour, planes.ycc = ycbcrToRGB(m), nil
			for _, size := range [][2]int{{64, 47}, {101, 75}, {250, 190}} {
				got, want := resize(p, size[0], size[1]), resize(planes, size[0], size[1])
				if !slices.Equal(got.Pix, want.Pix) {
					t.Errorf("%dx%d: row-by-row pixels differ from those of whole planes", size[0], size[1])
				}
			}
		})
	}
}

// TestDownBytes checks that the packed pass down gives the bytes of the
// plain one, on rows between the passes at the extremes the pass across
// can reach (255 levels through the largest lobes, with fracBits
// fractional bits, and below zero), in stripes at the lobes' spacing and in
// noise, for even and odd widths. In the "halfway" case every odd column
// is 100.5 levels (its total lands exactly on a rounding boundary) and
// every even one below zero, so that a borrow from the low half left in
// the high one would make 100 of 101.
func TestDownBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const high, low = 255 * 13 / 10 << fracBits, -(255 * 3 / 10 << fracBits)
	for _, tt := range []struct {
		name       string
		w, srcH, h int
		halfway    bool
	}{
		{"shrink-3.75-even", 64, 600, 160, false},
		{"shrink-2-odd", 33, 321, 160, false},
		{"enlarge-3-odd", 7, 37, 111, false},
		{"halfway", 6, 90, 24, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tp := lanczosTaps(tt.srcH, float64(tt.srcH), tt.h)
			tmp := make([]int32, tt.w*tt.srcH)
			for y := range tt.srcH {
				for x := range tt.w {
					v := int32(low)
					if y/max(tt.srcH/tt.h, 1)%2 == 0 {
						v = high
					}
					if x%3 == 2 {
						v = low + rng.Int32N(high-low)
					}
					if tt.halfway {
						v = -1000
						if x%2 == 1 {
							v = 100<<fracBits + 1<<(fracBits-1)
						}
					}
					tmp[y*tt.w+x] = v
				}
			}
			want := make([]uint8, tt.w*tt.h)
			down(&tp, tmp, tt.w, want, fracBits, make([]int32, tt.w))
			pairs := make([]int64, (tt.w+1)/2*tt.srcH)
			packPairs(tmp, tt.w, pairs)
			got := make([]uint8, tt.w*tt.h)
			downBytes(&tp, pairs, tt.w, got, make([]int64, (tt.w+1)/2))
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("row %d sample %d is %d, want %d", i/tt.w, i%tt.w, got[i], want[i])
				}
				if tt.halfway && i%2 == 1 && got[i] != 101 {
					t.Fatalf("row %d sample %d is %d, want 101 (100.5 rounded up)", i/tt.w, i%tt.w, got[i])
				}
			}
		})
	}
}
