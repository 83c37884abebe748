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
// k×k block, computed naively, at sizes that leave edge samples over: the
// partial blocks at the edges are kept and averaged over what they hold.
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
			if wantW, wantH := (tt.w+tt.k-1)/tt.k, (tt.h+tt.k-1)/tt.k; dw != wantW || dh != wantH || len(out) != dw*dh {
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

// TestBoxShrinkRGBA checks that a premultiplied RGBA image shrinks and
// resizes to what its NRGBA copy does, transparency included.
func TestBoxShrinkRGBA(t *testing.T) {
	nrgba := testimage.Translucent(161, 97)
	rgba := image.NewRGBA(nrgba.Rect)
	draw.Draw(rgba, rgba.Rect, nrgba, image.Point{}, draw.Src)
	for _, k := range []int{2, 3, 7} {
		shrunk := func(img image.Image) *image.NRGBA {
			p := boxShrink(split(img, 161, 97), k)
			return resize(p, p.w, p.h)
		}
		got, want := shrunk(rgba), shrunk(imaging.Clone(rgba))
		if p := psnr(t, want, got); p < 50 {
			t.Errorf("k=%d: PSNR %.1f dB against the NRGBA shrink, want at least 50", k, p)
		}
	}
}
