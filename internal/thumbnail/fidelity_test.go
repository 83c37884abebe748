package thumbnail

import (
	"image"
	"math"

	"github.com/disintegration/imaging"
)

// floatLanczos is the reference resampler of the fidelity tests: m (drawn
// as NRGBA) resized to w×h with a Lanczos-3 filter stretched by the shrink
// factor, in float64, premultiplied by alpha, with weights renormalised
// over the pixels that exist and no rounding between the passes.
func floatLanczos(m image.Image, w, h int) *image.NRGBA {
	src := imaging.Clone(m)
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	pix := make([]float64, 4*sw*sh) // premultiplied R, G, B and A
	for i := 0; i < len(pix); i += 4 {
		a := float64(src.Pix[i+3])
		for c := range 3 {
			pix[i+c] = float64(src.Pix[i+c]) * a / 255
		}
		pix[i+3] = a
	}
	across := floatTaps(sw, w)
	tmp := make([]float64, 4*w*sh)
	for y := range sh {
		for x := range w {
			for _, tp := range across[x] {
				for c := range 4 {
					tmp[4*(y*w+x)+c] += tp.weight * pix[4*(y*sw+tp.index)+c]
				}
			}
		}
	}
	down := floatTaps(sh, h)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var v [4]float64
			for _, tp := range down[y] {
				for c := range 4 {
					v[c] += tp.weight * tmp[4*(tp.index*w+x)+c]
				}
			}
			a := math.Min(math.Max(v[3], 0), 255)
			px := out.Pix[4*(y*w+x) : 4*(y*w+x)+4]
			px[3] = uint8(math.Round(a))
			if a == 0 {
				continue
			}
			for c := range 3 {
				px[c] = uint8(math.Round(math.Min(math.Max(v[c]*255/a, 0), 255)))
			}
		}
	}
	return out
}

type floatTap struct {
	index  int
	weight float64
}

// floatTaps returns, for each of m outputs from n samples, the samples it
// reads and their weights.
func floatTaps(n, m int) [][]floatTap {
	scale := float64(n) / float64(m)
	blur := math.Max(scale, 1)
	taps := make([][]floatTap, m)
	for i := range taps {
		centre := (float64(i) + 0.5) * scale
		var sum float64
		for j := max(int(centre-3*blur)-1, 0); j < min(int(centre+3*blur)+2, n); j++ {
			if wt := lanczos3((float64(j) + 0.5 - centre) / blur); wt != 0 {
				taps[i] = append(taps[i], floatTap{j, wt})
				sum += wt
			}
		}
		for k := range taps[i] {
			taps[i][k].weight /= sum
		}
	}
	return taps
}
