package png

// The PNG row filter types.
const (
	filterNone = iota
	filterSub
	filterUp
	filterAverage
	filterPaeth
)

// unfilter undoes filter on the row cur, given the previous row prev
// (all zero for the first row) and bpp, the bytes per complete pixel
// (at least 1). It reports false for an unknown filter type.
func unfilter(filter byte, cur, prev []byte, bpp int) bool {
	prev = prev[:len(cur)]
	switch filter {
	case filterNone:
	case filterSub:
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	case filterUp:
		for i, p := range prev {
			cur[i] += p
		}
	case filterAverage:
		for i := range min(bpp, len(cur)) {
			cur[i] += prev[i] / 2
		}
		for i := bpp; i < len(cur); i++ {
			cur[i] += uint8((int(cur[i-bpp]) + int(prev[i])) / 2)
		}
	case filterPaeth:
		unpaeth(cur, prev, bpp)
	default:
		return false
	}
	return true
}

// unpaeth undoes the Paeth filter, one byte lane of a pixel at a time so
// that the left and upper-left neighbours stay in registers.
func unpaeth(cur, prev []byte, bpp int) {
	for lane := range min(bpp, len(cur)) {
		var a, c int // left and upper-left, zero at the start of the row
		for i := lane; i < len(cur); i += bpp {
			b := int(prev[i])
			pa := b - c // p - a, where p = a + b - c
			pb := a - c // p - b
			pc := pa + pb
			pa, pb, pc = abs(pa), abs(pb), abs(pc)
			pred := c
			if pa <= pb && pa <= pc {
				pred = a
			} else if pb <= pc {
				pred = b
			}
			a = int(cur[i]+uint8(pred)) & 0xff
			cur[i] = uint8(a)
			c = b
		}
	}
}

func abs(x int) int {
	m := x >> (64 - 1)
	return (x ^ m) - m
}
