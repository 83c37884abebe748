package thumbnail

import (
	"image"

	"github.com/disintegration/imaging"
)

// crop returns the cw×ch region of img that c chooses.
func crop(img *image.NRGBA, cw, ch int, c Crop) *image.NRGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w == cw && h == ch {
		return img
	}
	at := image.Pt((w-cw)/2, (h-ch)/2)
	if c == CropSmart {
		at = busiest(img, cw, ch)
	}
	return imaging.Crop(img, image.Rect(at.X, at.Y, at.X+cw, at.Y+ch))
}

// busiest returns the top-left corner of the cw×ch window of img that holds
// the most detail, measured as the sum of absolute luminance differences
// between neighbouring pixels. The window slides along the one axis on
// which img overflows; ties keep the window nearest the centre.
func busiest(img *image.NRGBA, cw, ch int) image.Point {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	horizontal := w > cw
	n := h
	if horizontal {
		n = w
	}
	// detail[i] is the detail of column (or row) i.
	detail := make([]int64, n)
	luma := func(x, y int) int {
		p := img.Pix[img.PixOffset(x, y):]
		return (299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			l := luma(x, y)
			var d int
			if x+1 < w {
				d += abs(l - luma(x+1, y))
			}
			if y+1 < h {
				d += abs(l - luma(x, y+1))
			}
			if horizontal {
				detail[x] += int64(d)
			} else {
				detail[y] += int64(d)
			}
		}
	}
	size := ch
	if horizontal {
		size = cw
	}
	var sum int64
	for i := 0; i < size; i++ {
		sum += detail[i]
	}
	centre := (n - size) / 2
	best, bestSum := 0, sum
	for start := 1; start+size <= n; start++ {
		sum += detail[start+size-1] - detail[start-1]
		if sum > bestSum || (sum == bestSum && abs(start-centre) < abs(best-centre)) {
			best, bestSum = start, sum
		}
	}
	if horizontal {
		return image.Pt(best, (h-ch)/2)
	}
	return image.Pt((w-cw)/2, best)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
