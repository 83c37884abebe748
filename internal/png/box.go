package png

// Planes is a picture box-shrunk by a whole factor k: each sample is the
// mean of a k×k block of the source's pixels, and the blocks of the right
// and bottom edges, cut short by the source's size, are averaged over the
// pixels they hold. An opaque picture holds 8-bit colour planes (one when
// the source is gray); one with transparency holds, in 16 bits, its alpha
// as a·255 and its R, G and B premultiplied by alpha (c·a, up to 255·255),
// so that the colour of transparent pixels does not bleed into their
// neighbours. 16-bit sources are summed at full precision and rounded to
// these scales once, after averaging.
type Planes struct {
	Width, Height int // samples per row and rows of each plane
	// ExtentX and ExtentY are the source's size divided by k: how many
	// samples wide and high the picture is when the last column or row
	// stands for a partial block.
	ExtentX, ExtentY float64
	// Gray is set when the source is stored as gray levels without
	// transparency; Colour then holds one plane.
	Gray          bool
	Colour        [][]uint8   // R, G and B, or gray; nil when Alpha is set
	Premultiplied [3][]uint16 // R·A, G·A, B·A
	Alpha         []uint16    // a·255
}

// rowFormat is the layout of the rows a shrinker sums.
type rowFormat int

const (
	gray8  rowFormat = iota // 1 byte per pixel
	rgb8                    // 3 bytes per pixel
	rgba8                   // 4 bytes per pixel, alpha not premultiplied
	gray16                  // 2 bytes per pixel, big-endian
	rgb16                   // 6 bytes per pixel, big-endian
	rgba16                  // 8 bytes per pixel, big-endian, alpha not premultiplied
)

// maxShrink bounds the box factor, so that a block's sums of 16-bit
// premultiplied samples (k² · 65535²) fit in 64 bits.
const maxShrink = 1 << 15

// shrinker sums the rows of a w×h picture into k×k blocks as they
// arrive and writes each row of block means to its Planes once the k rows
// of that block are in.
type shrinker struct {
	format        rowFormat
	w, h, k       int
	channels      int // sums per block: 1 or 3, or 4 (c·a and a) with alpha
	deep          bool
	sums          []uint64 // channels per block of the current block row
	rows, outRow  int      // rows summed into sums; the block row they make
	opaque        bool     // every alpha so far is full
	colour, alpha bool
	p             Planes
}

// newShrinker returns a shrinker of w×h rows of the given format into
// k×k blocks.
func newShrinker(format rowFormat, w, h, k int) *shrinker {
	dw, dh := (w+k-1)/k, (h+k-1)/k
	s := &shrinker{format: format, w: w, h: h, k: k, opaque: true}
	s.p = Planes{Width: dw, Height: dh, ExtentX: float64(w) / float64(k), ExtentY: float64(h) / float64(k)}
	n := dw * dh
	switch format {
	case gray8, gray16:
		s.channels = 1
		s.p.Gray = true
	case rgb8, rgb16:
		s.channels = 3
	default:
		s.channels, s.alpha = 4, true
	}
	s.deep = format >= gray16
	planes := min(s.channels, 3)
	s.p.Colour = make([][]uint8, planes)
	for c := range planes {
		s.p.Colour[c] = make([]uint8, n)
	}
	if s.alpha {
		s.p.Alpha = make([]uint16, n)
		for c := range s.p.Premultiplied {
			s.p.Premultiplied[c] = make([]uint16, n)
		}
	}
	s.sums = make([]uint64, dw*s.channels)
	return s
}

// add sums the next source row, in the shrinker's format.
func (s *shrinker) add(row []byte) {
	switch s.format {
	case gray8:
		s.addGray8(row)
	case rgb8:
		s.addRGB8(row)
	case rgba8:
		s.addRGBA8(row)
	case gray16, rgb16:
		s.addOpaque16(row)
	case rgba16:
		s.addRGBA16(row)
	}
	s.rows++
	if s.rows == s.k || s.outRow*s.k+s.rows == s.h {
		s.flush()
	}
}

func (s *shrinker) addGray8(row []byte) {
	k := s.k
	for dx := range s.sums {
		x0 := dx * k
		var v uint64
		for _, b := range row[x0:min(x0+k, s.w)] {
			v += uint64(b)
		}
		s.sums[dx] += v
	}
}

func (s *shrinker) addRGB8(row []byte) {
	k := s.k
	for dx := 0; dx < len(s.sums); dx += 3 {
		x0 := dx / 3 * k
		px := row[3*x0 : 3*min(x0+k, s.w)]
		var r, g, b uint32 // k·255 fits: k ≤ maxShrink
		for len(px) >= 3 {
			p := px[:3:3]
			r += uint32(p[0])
			g += uint32(p[1])
			b += uint32(p[2])
			px = px[3:]
		}
		sums := s.sums[dx : dx+3 : dx+3]
		sums[0] += uint64(r)
		sums[1] += uint64(g)
		sums[2] += uint64(b)
	}
}

func (s *shrinker) addRGBA8(row []byte) {
	k := s.k
	all := uint8(255)
	for dx := 0; dx < len(s.sums); dx += 4 {
		x0 := dx / 4 * k
		px := row[4*x0 : 4*min(x0+k, s.w)]
		var r, g, b, a uint32 // k·255·255 fits: k ≤ maxShrink
		for len(px) >= 4 {
			p := px[:4:4]
			av := uint32(p[3])
			all &= p[3]
			r += uint32(p[0]) * av
			g += uint32(p[1]) * av
			b += uint32(p[2]) * av
			a += av
			px = px[4:]
		}
		sums := s.sums[dx : dx+4 : dx+4]
		sums[0] += uint64(r)
		sums[1] += uint64(g)
		sums[2] += uint64(b)
		sums[3] += uint64(a)
	}
	if all != 255 {
		s.opaque = false
	}
}

func (s *shrinker) addOpaque16(row []byte) {
	k, n := s.k, s.channels
	for dx := range len(s.sums) / n {
		x0 := dx * k
		px := row[2*n*x0 : 2*n*min(x0+k, s.w)]
		sums := s.sums[dx*n : dx*n+n]
		for c := range sums {
			var v uint64
			for i := 2 * c; i+1 < len(px); i += 2 * n {
				v += uint64(px[i])<<8 | uint64(px[i+1])
			}
			sums[c] += v
		}
	}
}

func (s *shrinker) addRGBA16(row []byte) {
	k := s.k
	all := uint64(0xffff)
	for dx := 0; dx < len(s.sums); dx += 4 {
		x0 := dx / 4 * k
		px := row[8*x0 : 8*min(x0+k, s.w)]
		var r, g, b, a uint64
		for i := 0; i+7 < len(px); i += 8 {
			av := uint64(px[i+6])<<8 | uint64(px[i+7])
			all &= av
			r += (uint64(px[i])<<8 | uint64(px[i+1])) * av
			g += (uint64(px[i+2])<<8 | uint64(px[i+3])) * av
			b += (uint64(px[i+4])<<8 | uint64(px[i+5])) * av
			a += av
		}
		sums := s.sums[dx : dx+4 : dx+4]
		sums[0] += r
		sums[1] += g
		sums[2] += b
		sums[3] += a
	}
	if all != 0xffff {
		s.opaque = false
	}
}

// flush writes the means of the blocks summed so far as the next row of
// the planes and starts the next block row.
func (s *shrinker) flush() {
	d := uint64(1) // the size of a step of 8-bit samples in source units
	if s.deep {
		d = 257
	}
	full := 255 * d // a full alpha in source units
	o := s.outRow * s.p.Width
	for dx := range s.p.Width {
		n := uint64(s.rows) * uint64(min((dx+1)*s.k, s.w)-dx*s.k)
		sums := s.sums[dx*s.channels : (dx+1)*s.channels]
		if !s.alpha {
			for c, v := range sums {
				s.p.Colour[c][o+dx] = uint8((v + n*d/2) / (n * d))
			}
			continue
		}
		// With alpha, sums hold c·a and a in source units. The colour
		// planes take c·a / full, which is c where the picture is opaque
		// and is dropped where it is not.
		for c := range 3 {
			s.p.Premultiplied[c][o+dx] = uint16((sums[c] + n*d*d/2) / (n * d * d))
			s.p.Colour[c][o+dx] = uint8((sums[c]/full + n*d/2) / (n * d))
		}
		s.p.Alpha[o+dx] = uint16((sums[3]*255 + n*d/2) / (n * d))
	}
	clear(s.sums)
	s.rows = 0
	s.outRow++
}

// planes returns the shrunk picture, once every row has been added.
func (s *shrinker) planes() *Planes {
	p := s.p
	if s.alpha && s.opaque {
		p.Alpha, p.Premultiplied = nil, [3][]uint16{}
	} else if s.alpha {
		p.Colour = nil
	}
	return &p
}
