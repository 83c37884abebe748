package png

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"math/rand/v2"
)

// stream describes a PNG stream to write with encode, which, unlike
// image/png's encoder, writes any colour type, bit depth and tRNS, and
// filters each row with a filter type of its own.
type stream struct {
	w, h, depth, colorType int
	palette, trns          []byte // PLTE and tRNS data; nil for none
	interlaced             bool
	// pixels returns the samples of pixel (x, y), each below 1<<depth.
	pixels func(x, y int) []int
}

// chunk returns a complete chunk of type kind.
func chunk(kind string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, kind...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

// rows returns s's rows packed as the stream stores them, unfiltered.
func (s stream) rows() [][]byte {
	channels := map[int]int{ctGray: 1, ctRGB: 3, ctPaletted: 1, ctGrayAlpha: 2, ctRGBA: 4}[s.colorType]
	bits := channels * s.depth
	out := make([][]byte, s.h)
	for y := range s.h {
		row := make([]byte, (s.w*bits+7)/8)
		for x := range s.w {
			for c, v := range s.pixels(x, y) {
				bit := x*bits + c*s.depth
				if s.depth == 16 {
					binary.BigEndian.PutUint16(row[bit/8:], uint16(v))
				} else {
					row[bit/8] |= byte(v) << (8 - s.depth - bit%8)
				}
			}
		}
		out[y] = row
	}
	return out
}

// filter applies filter type f to cur, whose previous row is prev, in place
// of the raw bytes, with bpp bytes per pixel.
func filter(f byte, cur, prev []byte, bpp int) []byte {
	out := make([]byte, len(cur))
	for i := range cur {
		var a, b, c int
		if i >= bpp {
			a, c = int(cur[i-bpp]), int(prev[i-bpp])
		}
		b = int(prev[i])
		var pred int
		switch f {
		case filterSub:
			pred = a
		case filterUp:
			pred = b
		case filterAverage:
			pred = (a + b) / 2
		case filterPaeth:
			p := a + b - c
			pa, pb, pc := abs(p-a), abs(p-b), abs(p-c)
			switch {
			case pa <= pb && pa <= pc:
				pred = a
			case pb <= pc:
				pred = b
			default:
				pred = c
			}
		}
		out[i] = cur[i] - byte(pred)
	}
	return out
}

// encode writes s as a PNG stream, the rows filtered in turn with each
// filter type, and returns it with the offset of its IDAT chunk.
func (s stream) encode() []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(s.w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(s.h))
	ihdr[8], ihdr[9] = byte(s.depth), byte(s.colorType)
	if s.interlaced {
		ihdr[12] = 1
	}
	channels := map[int]int{ctGray: 1, ctRGB: 3, ctPaletted: 1, ctGrayAlpha: 2, ctRGBA: 4}[s.colorType]
	bpp := max(1, channels*s.depth/8)
	var raw bytes.Buffer
	rows := s.rows()
	prev := make([]byte, len(rows[0]))
	for y, row := range rows {
		f := byte(y % 5)
		raw.WriteByte(f)
		raw.Write(filter(f, row, prev, bpp))
		prev = row
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()
	out := []byte(Signature)
	out = append(out, chunk("IHDR", ihdr)...)
	if s.palette != nil {
		out = append(out, chunk("PLTE", s.palette)...)
	}
	if s.trns != nil {
		out = append(out, chunk("tRNS", s.trns)...)
	}
	// Two IDAT chunks, to read across a chunk boundary.
	half := z.Len() / 2
	out = append(out, chunk("IDAT", z.Bytes()[:half])...)
	out = append(out, chunk("IDAT", z.Bytes()[half:])...)
	return append(out, chunk("IEND", nil)...)
}

// noise returns a pixels function of smooth gradients plus noise, seeded,
// with channels samples below 1<<depth per pixel.
func noise(seed uint64, channels, depth int) func(x, y int) []int {
	top := 1<<depth - 1
	return func(x, y int) []int {
		r := rand.New(rand.NewPCG(seed, uint64(y)<<32|uint64(x)))
		out := make([]int, channels)
		for c := range out {
			v := float64((x*7+y*3+c*50)%97)/96*float64(top) + float64(r.IntN(top/8+1))
			out[c] = min(int(v), top)
		}
		return out
	}
}

// reference returns the planes that DecodeShrunk should give for img, box
// shrunk by k, computed in floating point from image/png's picture: the
// means of 16-bit samples, of premultiplied colour where alpha is not
// full everywhere.
func reference(img image.Image, k int) (colour [3][]float64, premultiplied [3][]float64, alpha []float64, opaque bool, w, h int) {
	r := img.Bounds()
	w, h = (r.Dx()+k-1)/k, (r.Dy()+k-1)/k
	opaque = true
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if exact(img.At(x, y)).A != 0xffff {
				opaque = false
			}
		}
	}
	for c := range 3 {
		colour[c], premultiplied[c] = make([]float64, w*h), make([]float64, w*h)
	}
	alpha = make([]float64, w*h)
	for by := range h {
		for bx := range w {
			var n, sa float64
			var sc, sp [3]float64
			for y := by * k; y < min((by+1)*k, r.Dy()); y++ {
				for x := bx * k; x < min((bx+1)*k, r.Dx()); x++ {
					p := exact(img.At(r.Min.X+x, r.Min.Y+y))
					a := float64(p.A)
					for c, v := range []uint16{p.R, p.G, p.B} {
						sc[c] += float64(v)
						sp[c] += float64(v) * a
					}
					sa += a
					n++
				}
			}
			i := by*w + bx
			for c := range 3 {
				colour[c][i] = sc[c] / n / 257
				premultiplied[c][i] = sp[c] / n / (257 * 257)
			}
			alpha[i] = sa / n * 255 / 257
		}
	}
	return colour, premultiplied, alpha, opaque, w, h
}

// exact converts c to 16-bit colour not premultiplied by alpha, without
// the loss of a round trip through premultiplied colour where c is
// already of that kind.
func exact(c color.Color) color.NRGBA64 {
	if n, ok := c.(color.NRGBA); ok {
		return color.NRGBA64{uint16(n.R) * 257, uint16(n.G) * 257, uint16(n.B) * 257, uint16(n.A) * 257}
	}
	return color.NRGBA64Model.Convert(c).(color.NRGBA64)
}
