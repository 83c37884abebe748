package thumbnail

// boxShrink returns p reduced by the whole factor k on both axes, each
// output sample the mean of a k×k block of samples (of premultiplied
// colour when p has transparency). The fewer than k samples left over at
// the right and bottom edges make a last, partial block of their own,
// averaged over the samples it holds, and the result's extent says how
// much of a sample that block stands for, so that the resampler neither
// drops nor stretches them. It is the cheap first step that leaves the
// Lanczos filter a small image and a factor of two or more.
func boxShrink(p picture, k int) picture {
	p = toRGB(p)
	out := picture{extentX: p.extentX / float64(k), extentY: p.extentY / float64(k)}
	for _, pl := range p.colour {
		var s []uint8
		s, out.w, out.h = boxPlane(pl, p.w, p.w, p.h, k)
		out.colour = append(out.colour, s)
	}
	if p.alpha != nil {
		out.alpha, out.w, out.h = boxPlane(p.alpha, p.w, p.w, p.h, k)
		for c, pl := range p.premultiplied {
			out.premultiplied[c], _, _ = boxPlane(pl, p.w, p.w, p.h, k)
		}
	}
	return out
}

// boxPlane returns the ceil(w/k) × ceil(h/k) means of the k×k blocks of
// the w×h plane pix (rows stride samples apart), those of the right and
// bottom edges taken over the samples they hold, and its size.
func boxPlane[T sample](pix []T, stride, w, h, k int) (out []T, dw, dh int) {
	dw, dh = (w+k-1)/k, (h+k-1)/k
	out = make([]T, dw*dh)
	sums := make([]uint64, dw)
	fullW := w / k // columns of whole blocks
	for dy := range dh {
		clear(sums)
		y0, y1 := dy*k, min((dy+1)*k, h)
		for sy := y0; sy < y1; sy++ {
			row := pix[sy*stride : sy*stride+w]
			for dx := range fullW {
				var s uint64
				for _, v := range row[dx*k : (dx+1)*k] {
					s += uint64(v)
				}
				sums[dx] += s
			}
			for _, v := range row[fullW*k:] {
				sums[fullW] += uint64(v)
			}
		}
		dst := out[dy*dw : (dy+1)*dw]
		rows := uint64(y1 - y0)
		for dx, s := range sums {
			n := rows * uint64(min((dx+1)*k, w)-dx*k)
			dst[dx] = T((s + n/2) / n)
		}
	}
	return out, dw, dh
}
