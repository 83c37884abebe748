package tiff

import (
	"errors"
	"fmt"
)

// faxCoding says how rows of CCITT bilevel data are coded.
type faxCoding int

const (
	faxMH faxCoding = iota // modified Huffman (Compression 2): 1-D rows, each starting on a byte
	faxT4                  // T.4 (Compression 3): rows after EOL codes, 1-D or, with T4Options bit 0, 1-D or 2-D
	faxT6                  // T.6 (Compression 4): 2-D rows, no EOL codes
)

var (
	errFaxCode = errors.New("ccitt: invalid code")
	errFaxEnd  = errors.New("ccitt: data ends inside a row")
	errFaxRun  = errors.New("ccitt: run past the end of the row")
)

// runCode is one entry of a run-length code lookup table.
type runCode struct {
	length int // bits
	run    int
}

// runTables index run-length codes by length<<16 | code.
var whiteRunTable, blackRunTable = runTable(whiteRunCodes[:]), runTable(blackRunCodes[:])

func runTable(codes []string) map[uint32]int {
	m := make(map[uint32]int, len(codes))
	for i, c := range codes {
		var v uint32
		for _, b := range c {
			v = v<<1 | uint32(b-'0')
		}
		run := i
		if i >= 64 {
			run = (i - 63) * 64
		}
		m[uint32(len(c))<<16|v] = run
	}
	return m
}

// faxBits reads bits most significant first.
type faxBits struct {
	data []byte
	pos  int // in bits
}

func (b *faxBits) bit() (uint32, error) {
	if b.pos >= 8*len(b.data) {
		return 0, errFaxEnd
	}
	v := uint32(b.data[b.pos>>3]>>(7-b.pos&7)) & 1
	b.pos++
	return v, nil
}

// peekZeros reports how many zero bits follow, up to limit.
func (b *faxBits) peekZeros(limit int) int {
	n := 0
	for n < limit && b.pos+n < 8*len(b.data) && b.data[(b.pos+n)>>3]>>(7-(b.pos+n)&7)&1 == 0 {
		n++
	}
	return n
}

func (b *faxBits) align() { b.pos = (b.pos + 7) &^ 7 }

// run reads one run length: make-up codes followed by a terminating code.
func (b *faxBits) run(black bool) (int, error) {
	table := whiteRunTable
	if black {
		table = blackRunTable
	}
	total := 0
	for {
		var v uint32
		found := false
		for n := 1; n <= 13; n++ {
			bit, err := b.bit()
			if err != nil {
				return 0, err
			}
			v = v<<1 | bit
			if r, ok := table[uint32(n)<<16|v]; ok {
				total += r
				found = r < 64
				if !found {
					v, n = 0, 0 // a make-up code: read the next code
					continue
				}
				break
			}
		}
		if !found {
			return 0, errFaxCode
		}
		return total, nil
	}
}

// mode codes of 2-D coding (T.4 table 4).
const (
	modePass = iota
	modeHorizontal
	modeVertical // followed by the offset -3..3
)

// mode reads a 2-D coding mode and, for vertical modes, the offset of a1 from b1.
func (b *faxBits) mode() (int, int, error) {
	var v uint32
	for n := 1; n <= 7; n++ {
		bit, err := b.bit()
		if err != nil {
			return 0, 0, err
		}
		v = v<<1 | bit
		switch {
		case n == 1 && v == 1:
			return modeVertical, 0, nil
		case n == 3 && v == 0b011:
			return modeVertical, 1, nil
		case n == 3 && v == 0b010:
			return modeVertical, -1, nil
		case n == 3 && v == 0b001:
			return modeHorizontal, 0, nil
		case n == 4 && v == 0b0001:
			return modePass, 0, nil
		case n == 6 && v == 0b000011:
			return modeVertical, 2, nil
		case n == 6 && v == 0b000010:
			return modeVertical, -2, nil
		case n == 7 && v == 0b0000011:
			return modeVertical, 3, nil
		case n == 7 && v == 0b0000010:
			return modeVertical, -3, nil
		}
	}
	return 0, 0, unsupportedError("CCITT extension or uncompressed mode")
}

// decodeFax decodes w x h bilevel CCITT data into rows of 1 bit per pixel,
// each row starting on a byte, with 1 for black (the codes' black runs).
func decodeFax(src []byte, w, h int, coding faxCoding, t4Options uint64) ([]byte, error) {
	if t4Options&2 != 0 && coding == faxT4 {
		return nil, unsupportedError("T4Options uncompressed mode")
	}
	stride := (w + 7) / 8
	out := make([]byte, 0, min(stride*h, 1<<20)) // grown row by row: the data may end early
	b := &faxBits{data: src}
	ref := []int{w, w} // changing elements of the reference row, then two sentinels
	cur := make([]int, 0, 64)
	for y := 0; y < h; y++ {
		twoD := coding == faxT6
		switch coding {
		case faxMH:
			b.align()
		case faxT4:
			if z := b.peekZeros(1 << 20); z >= 11 {
				b.pos += z + 1 // an EOL, with any fill bits before it
			}
			if t4Options&1 != 0 {
				tag, err := b.bit()
				if err != nil {
					return nil, fmt.Errorf("row %d: %w", y, err)
				}
				twoD = tag == 0
			}
		}
		var err error
		if twoD {
			cur, err = b.row2D(cur[:0], ref, w)
		} else {
			cur, err = b.row1D(cur[:0], w)
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", y, err)
		}
		out = append(out, make([]byte, stride)...)
		fillRow(out[y*stride:(y+1)*stride], cur, w)
		ref = append(append(ref[:0], cur...), w, w)
	}
	return out, nil
}

// row1D decodes a row of alternating white and black runs into its changing elements.
func (b *faxBits) row1D(changes []int, w int) ([]int, error) {
	black := false
	for a0 := 0; a0 < w; black = !black {
		n, err := b.run(black)
		if err != nil {
			return nil, err
		}
		if a0 += n; a0 > w {
			return nil, errFaxRun
		}
		changes = append(changes, a0)
	}
	return changes, nil
}

// row2D decodes a 2-D coded row against the changing elements of the row above.
func (b *faxBits) row2D(changes, ref []int, w int) ([]int, error) {
	a0, black := -1, false
	i := 0 // a0 only moves right, so the search for b1 resumes near the last one
	for a0 < w {
		// b1 is the first changing element of ref right of a0 that changes to
		// the colour opposite a0's; elements alternate, even ones turning black.
		for i > 0 && ref[i-1] > a0 {
			i--
		}
		for i < len(ref)-2 && (ref[i] <= a0 || (i%2 == 1) != black) {
			i++
		}
		b1, b2 := ref[i], ref[min(i+1, len(ref)-1)]
		mode, off, err := b.mode()
		if err != nil {
			return nil, err
		}
		switch mode {
		case modePass:
			a0 = b2
		case modeHorizontal:
			start := max(a0, 0)
			r1, err := b.run(black)
			if err != nil {
				return nil, err
			}
			r2, err := b.run(!black)
			if err != nil {
				return nil, err
			}
			a1, a2 := start+r1, start+r1+r2
			if a2 > w {
				return nil, errFaxRun
			}
			changes = append(changes, a1, a2)
			a0 = a2
		case modeVertical:
			a1 := b1 + off
			if a1 < max(a0, 0) || a1 > w {
				return nil, errFaxRun
			}
			changes = append(changes, a1)
			a0, black = a1, !black
		}
	}
	return changes, nil
}

// fillRow sets the black pixels of a row given its changing elements.
func fillRow(row []byte, changes []int, w int) {
	x := 0
	for i, c := range changes {
		c = min(c, w)
		if i%2 == 1 {
			for ; x < c; x++ {
				row[x>>3] |= 0x80 >> (x & 7)
			}
		}
		x = c
	}
}
