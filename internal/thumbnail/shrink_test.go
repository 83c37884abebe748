package thumbnail

import (
	"fmt"
	"image"
	"image/draw"
	"math/rand/v2"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// TestBoxPlane checks each output sample against the rounded mean of its
// k×k block, computed naively, at sizes that leave edge samples over.
func TestBoxPlane(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range []struct{ w, h, stride, k int }{
		{10, 7, 10, 2}, {11, 9, 16, 3}, {100, 37, 100, 5}, {4, 4, 4, 4}, {3, 2, 3, 5},
	} {
		t.Run(fmt.Sprintf("%dx%d-k%d", tt.w, tt.h, tt.k), func(t *testing.T) {
			pix := make([]uint8, tt.stride*tt.h)
			for i := range pix {
				pix[i] = uint8(rng.IntN(256))
			}
			out, dw, dh := boxPlane(pix, tt.stride, tt.w, tt.h, tt.k)
			if wantW, wantH := max(tt.w/tt.k, 1), max(tt.h/tt.k, 1); dw != wantW || dh != wantH || len(out) != dw*dh {
				t.Fatalf("size %dx%d (%d samples), want %dx%d", dw, dh, len(out), wantW, wantH)
			}
			for dy := range dh {
				for dx := range dw {
					var sum, n int
					for y := dy * tt.k; y < min((dy+1)*tt.k, tt.h); y++ {
						for x := dx * tt.k; x < min((dx+1)*tt.k, tt.w); x++ {
							sum += int(pix[y*tt.stride+x])
							n++
						}
					}
					if want := uint8((sum + n/2) / n); out[dy*dw+dx] != want {
						t.Fatalf("sample (%d,%d) = %d, want %d", dx, dy, out[dy*dw+dx], want)
					}
				}
			}
		})
	}
}

// TestShrinkYCbCrKeepsLayout checks that a shrunk YCbCr image keeps its
// subsampling, has the luma plane's shrunk size (less where chroma ends),
// and that every pixel's chroma sample exists.
func TestShrinkYCbCrKeepsLayout(t *testing.T) {
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio444} {
		for _, size := range []image.Point{{641, 481}, {99, 37}, {10, 10}} {
			for _, k := range []int{2, 3, 5} {
				src := image.NewYCbCr(image.Rectangle{Max: size}, ratio)
				for i := range src.Y {
					src.Y[i] = uint8(i)
				}
				got := shrinkYCbCr(src, k)
				if got.SubsampleRatio != ratio {
					t.Errorf("%v %v k=%d: ratio %v", ratio, size, k, got.SubsampleRatio)
				}
				r := got.Rect
				if r.Dx() < size.X/k-1 || r.Dx() > size.X/k || r.Dy() < size.Y/k-1 || r.Dy() > size.Y/k {
					t.Errorf("%v %v k=%d: size %v, want about %dx%d", ratio, size, k, r.Size(), size.X/k, size.Y/k)
				}
				last := r.Max.Sub(image.Pt(1, 1))
				if got.YOffset(last.X, last.Y) >= len(got.Y) || got.COffset(last.X, last.Y) >= len(got.Cb) || len(got.Cb) != len(got.Cr) {
					t.Errorf("%v %v k=%d: planes too small for %v", ratio, size, k, r)
				}
				got.At(last.X, last.Y) // must not panic
			}
		}
	}
}

// TestBoxShrinkRGBA checks that a premultiplied RGBA image shrinks to what
// its NRGBA copy shrinks to, transparency included.
func TestBoxShrinkRGBA(t *testing.T) {
	nrgba := testimage.Translucent(161, 97)
	rgba := image.NewRGBA(nrgba.Rect)
	draw.Draw(rgba, rgba.Rect, nrgba, image.Point{}, draw.Src)
	for _, k := range []int{2, 3, 7} {
		got, want := boxShrink(rgba, k), boxShrink(imaging.Clone(rgba), k)
		if p := psnr(t, want, got); p < 50 {
			t.Errorf("k=%d: PSNR %.1f dB against the NRGBA shrink, want at least 50", k, p)
		}
	}
}
