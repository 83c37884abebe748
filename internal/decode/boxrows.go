package decode

import "encoding/binary"

// sampleRange is how a plane's samples map to full range: a mean m
// becomes (m−zero)·255/scale + offset, rounded and clamped to 0-255.
type sampleRange struct{ zero, scale, offset int64 }

// The ranges of boxRows and fullRangeMean: BT.601 "studio swing" luma
// (16-235) and chroma (16-240), as fromStudioSwing stretches them, and
// samples already in full range, kept as they are.
var (
	limitedLuma   = sampleRange{zero: 16, scale: 219}
	limitedChroma = sampleRange{zero: 128, scale: 224, offset: 128}
	fullRange     = sampleRange{scale: 255}
)

// boxRows box-averages the rows of a w×h plane, given one at a time, by
// k×k blocks into out (rows of stride samples), and brings the means to
// full range from the plane's sample range.
type boxRows struct {
	out     []byte
	stride  int
	w, h, k int
	y       int // rows added so far
	sums    []uint32
	r       sampleRange
	// blockMeans[s] is fullRangeMean(s, k·k, r), for every sum s of a
	// whole block.
	blockMeans []uint8
}

// newBoxRows returns a boxRows writing into out the means of a w×h plane
// of samples in range r.
func newBoxRows(out []byte, stride, w, h, k int, r sampleRange) *boxRows {
	b := &boxRows{out: out, stride: stride, w: w, h: h, k: k, sums: make([]uint32, (w+k-1)/k), r: r}
	b.blockMeans = make([]uint8, 255*k*k+1)
	for s := range b.blockMeans {
		b.blockMeans[s] = fullRangeMean(int64(s), int64(k*k), r)
	}
	return b
}

// fullRangeMean returns s/n, the mean of samples in range r (n > 0: their
// count, or the sum of their weights when s is a weighted sum), brought to
// full range (see fromStudioSwing) and rounded half away from zero.
func fullRangeMean(s, n int64, r sampleRange) uint8 {
	// round(((s/n) − zero)·255/scale) + offset, in integers.
	num := (s - r.zero*n) * 255
	den := n * r.scale
	v := (num + den/2) / den
	if num < 0 {
		v = -((-num + den/2) / den)
	}
	return uint8(min(max(v+r.offset, 0), 255))
}

// add adds the next row of w samples, and writes a row of means once a
// row of blocks is complete.
func (b *boxRows) add(row []byte) {
	k, sums := b.k, b.sums
	full := b.w / k
	row = row[:b.w]
	dx := sumBlocks(sums[:full], row, k)
	for ; dx < full; dx++ {
		var s uint32
		for _, v := range row[dx*k : dx*k+k] {
			s += uint32(v)
		}
		sums[dx] += s
	}
	for _, v := range row[full*k:] {
		sums[full] += uint32(v)
	}
	b.y++
	if b.y%k != 0 && b.y != b.h {
		return
	}
	dy := (b.y - 1) / k
	rows := b.y - dy*k
	dst := b.out[dy*b.stride : dy*b.stride+len(sums)]
	dx = 0
	if rows == k {
		means := b.blockMeans
		for ; dx < full; dx++ {
			dst[dx] = means[sums[dx]]
		}
	}
	for ; dx < len(sums); dx++ {
		dst[dx] = fullRangeMean(int64(sums[dx]), int64(rows*(min((dx+1)*k, b.w)-dx*k)), b.r)
	}
	clear(sums)
}

// evenBytes selects the even bytes of a word of 8 samples.
const evenBytes = 0x00ff00ff00ff00ff

// sumBlocks adds to sums the sums of the first blocks of k samples of
// row, a word of 8 samples at a time for k up to 16, and returns how many
// blocks it summed, leaving the rest (whose words would reach past the
// row) to the caller.
func sumBlocks(sums []uint32, row []byte, k int) int {
	dx := 0
	switch {
	case k == 1:
		for dx, v := range row[:len(sums)] {
			sums[dx] += uint32(v)
		}
		return len(sums)
	case k == 2:
		for ; dx+4 <= len(sums); dx += 4 {
			pairs := pairSums(binary.LittleEndian.Uint64(row[2*dx:]))
			s := sums[dx : dx+4 : dx+4]
			s[0] += uint32(pairs & 0xffff)
			s[1] += uint32(pairs >> 16 & 0xffff)
			s[2] += uint32(pairs >> 32 & 0xffff)
			s[3] += uint32(pairs >> 48)
		}
	case k == 4:
		for ; dx+2 <= len(sums); dx += 2 {
			pairs := pairSums(binary.LittleEndian.Uint64(row[4*dx:]))
			s := sums[dx : dx+2 : dx+2]
			s[0] += uint32(pairs&0xffff + pairs>>16&0xffff)
			s[1] += uint32(pairs>>32&0xffff + pairs>>48)
		}
	case k <= 8:
		last := ^uint64(0) >> (64 - 8*k)
		n := blocksWithin(len(sums), len(row), k, 8)
		o := 0
		if k == 3 {
			// Two blocks a word: the second block's samples moved to the
			// high half, the pair sums of each half add up to its sum.
			for ; dx+2 <= n; dx, o = dx+2, o+6 {
				x := binary.LittleEndian.Uint64(row[o : o+8])
				q := pairSums(x&last | x>>24&last<<32)
				q += q >> 16
				s := sums[dx : dx+2 : dx+2]
				s[0] += uint32(q & 0xffff)
				s[1] += uint32(q >> 32 & 0xffff)
			}
		}
		for ; dx < n; dx, o = dx+1, o+k {
			sums[dx] += wordSum(binary.LittleEndian.Uint64(row[o:o+8]) & last)
		}
	case k <= 16:
		last := ^uint64(0) >> (64 - 8*(k-8))
		n := blocksWithin(len(sums), len(row), k, 16)
		for o := 0; dx < n; dx, o = dx+1, o+k {
			sums[dx] += wordSum(binary.LittleEndian.Uint64(row[o:o+8])) +
				wordSum(binary.LittleEndian.Uint64(row[o+8:o+16])&last)
		}
	}
	return dx
}

// blocksWithin returns how many of the first blocks of k samples, at most
// blocks, a read of span bytes from each block's start keeps within a
// row of n samples.
func blocksWithin(blocks, n, k, span int) int {
	if n < span {
		return 0
	}
	return min(blocks, (n-span)/k+1)
}

// pairSums returns the four sums of pairs of adjacent samples of the word
// x, in 16-bit lanes: at most 510 each, so that adding lanes cannot carry
// from one into the next.
func pairSums(x uint64) uint64 {
	return x&evenBytes + x>>8&evenBytes
}

// wordSum returns the sum of the 8 samples of the word x.
func wordSum(x uint64) uint32 {
	return uint32(pairSums(x) * 0x0001000100010001 >> 48)
}
