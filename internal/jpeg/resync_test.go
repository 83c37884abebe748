package jpeg

import (
	"bytes"
	"context"
	"errors"
	"image"
	"strings"
	"testing"
)

// The pictures of these tests are 256x192, 4:2:0, with a restart interval
// of one row of MCUs: interval k is rows 16k to 16k+15, 12 intervals.
const (
	resyncW, resyncH = 256, 192
	resyncRows       = 16 // picture rows per restart interval
	resyncIntervals  = resyncH / resyncRows
)

// resyncFile encodes the test picture with one row of MCUs per restart
// interval: Huffman- or arithmetic-coded, sequential or progressive.
func resyncFile(arithmetic, progressive bool) []byte {
	m := photo(resyncW, resyncH, 14)
	o := encOpts{comps: s420, quant: quality(2), adobe: -1, jfif: true, restart: resyncW / 16}
	o.sof = map[[2]bool]byte{{false, false}: 0xC0, {false, true}: 0xC2, {true, false}: 0xC9, {true, true}: 0xCA}[[2]bool{arithmetic, progressive}]
	if progressive {
		o.scans = progScript(3)
	}
	return encode(resyncW, resyncH, ycc(m), o)
}

// firstScanRST returns the offsets of the restart markers in the first
// scan's data: rst[k] ends interval k.
func firstScanRST(t *testing.T, data []byte) []int {
	t.Helper()
	sos, _ := scanLayout(data)
	p := sos[0] + 2 + int(data[sos[0]+2])<<8 | int(data[sos[0]+3])
	var rst []int
	for ; p+1 < len(data); p++ {
		if data[p] != 0xFF || data[p+1] == 0 {
			continue
		}
		if data[p+1] < mRST0 || data[p+1] > mRST7 {
			break
		}
		rst = append(rst, p)
	}
	if len(rst) != resyncIntervals-1 {
		t.Fatalf("first scan has %d restart markers, want %d", len(rst), resyncIntervals-1)
	}
	return rst
}

// splice returns data with data[i:j] replaced by b.
func splice(data []byte, i, j int, b ...byte) []byte {
	out := append(bytes.Clone(data[:i]), b...)
	return append(out, data[j:]...)
}

// resyncDamage is one way of damaging the first scan of a file: damage
// returns the damaged file; lost lists the intervals that must come out
// with zero coefficients in that scan, kept those that must be exactly as
// in the undamaged file, and msg is part of the warning.
type resyncDamage struct {
	name       string
	damage     func(data []byte, rst []int) []byte
	lost, kept []int
	msg        string
	sequential bool // the damage cuts the later scans off too
}

func intervals(from, to int) []int {
	var s []int
	for k := from; k < to; k++ {
		s = append(s, k)
	}
	return s
}

// except returns the intervals but those listed.
func except(ks ...int) []int {
	var s []int
	for k := range resyncIntervals {
		if !containsInt(ks, k) {
			s = append(s, k)
		}
	}
	return s
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

var resyncDamages = []resyncDamage{
	{
		// Sixteen one bits are no Huffman code: the first block of
		// interval 5 is bad, and the decoder skips to RST5.
		name:   "bad code",
		damage: func(d []byte, rst []int) []byte { return splice(d, rst[4]+2, rst[4]+6, 0xFF, 0, 0xFF, 0) },
		lost:   []int{5},
		kept:   except(5),
		msg:    "bad Huffman code in scan 1, restart interval 6 of 12 (1 interval skipped)",
	},
	{
		name:   "stray bytes before a marker",
		damage: func(d []byte, rst []int) []byte { return splice(d, rst[5], rst[5], 0x12, 0x34, 0xFF, 0xFF, 0x56) },
		kept:   intervals(0, resyncIntervals),
		msg:    "extraneous bytes before a restart marker in scan 1, restart interval 6 of 12",
	},
	{
		// Without RST5, interval 6's data trails interval 5's and RST6
		// comes where RST5 was expected: interval 6 is missing.
		name:   "missing marker",
		damage: func(d []byte, rst []int) []byte { return splice(d, rst[5], rst[5]+2) },
		lost:   []int{6},
		kept:   except(6),
		msg:    "missing RST5 marker in scan 1, restart interval 7 of 12 (1 interval skipped)",
	},
	{
		// A marker number far from the expected one is taken for it.
		name:   "wrong marker number",
		damage: func(d []byte, rst []int) []byte { return splice(d, rst[5]+1, rst[5]+2, mRST0+1) },
		kept:   intervals(0, resyncIntervals),
		msg:    "RST1 marker where RST5 was expected in scan 1, restart interval 7 of 12",
	},
	{
		// An old marker repeated is skipped.
		name:   "repeated marker",
		damage: func(d []byte, rst []int) []byte { return splice(d, rst[5], rst[5], 0xFF, mRST0+4) },
		kept:   intervals(0, resyncIntervals),
		msg:    "extraneous bytes before a restart marker in scan 1, restart interval 6 of 12",
	},
	{
		name:       "cut off",
		damage:     func(d []byte, rst []int) []byte { return d[:rst[8]-20] },
		lost:       intervals(9, resyncIntervals),
		kept:       intervals(0, 8),
		msg:        "in scan 1, restart interval",
		sequential: true,
	},
	{
		name:       "end of image instead of a marker",
		damage:     func(d []byte, rst []int) []byte { return splice(d, rst[7]+1, rst[7]+2, mEOI) },
		lost:       intervals(8, resyncIntervals),
		kept:       intervals(0, 8),
		msg:        "marker 0xD9 where RST7 was expected in scan 1, restart interval 9 of 12 (4 intervals skipped)",
		sequential: true,
	},
}

// TestResyncAtRestartMarkers damages the first scan of files with restart
// intervals and checks that, at every scale, the intervals the damage did
// not reach come out exactly as in the undamaged file, the lost ones with
// the zero coefficients libjpeg gives them (mid-grey blocks, or blocks of
// mean 128 where later scans add their AC coefficients), and that the
// picture comes with a DamagedError saying what and where.
func TestResyncAtRestartMarkers(t *testing.T) {
	for _, kind := range []struct {
		name                    string
		arithmetic, progressive bool
	}{
		{"huffman", false, false},
		{"arithmetic", true, false},
		{"huffman-progressive", false, true},
		{"arithmetic-progressive", true, true},
	} {
		clean := resyncFile(kind.arithmetic, kind.progressive)
		rst := firstScanRST(t, clean)
		for _, tt := range resyncDamages {
			if tt.sequential && kind.progressive {
				continue
			}
			if kind.arithmetic && tt.name == "bad code" {
				continue // arithmetic coding has no invalid codes
			}
			t.Run(kind.name+"/"+tt.name, func(t *testing.T) {
				data := tt.damage(clean, rst)
				for _, scale := range []int{1, 2, 4, 8} {
					want, err := Decode(context.Background(), clean, scale)
					if err != nil {
						t.Fatal(err)
					}
					got, err := Decode(context.Background(), data, scale)
					var damaged *DamagedError
					if !errors.As(err, &damaged) || got == nil {
						t.Fatalf("scale %d: Decode = %v, %v; want a picture and a DamagedError", scale, got != nil, err)
					}
					if !strings.Contains(err.Error(), tt.msg) {
						t.Errorf("scale %d: warning %q does not say %q", scale, err, tt.msg)
					}
					if got.Bounds() != want.Bounds() {
						t.Fatalf("scale %d: bounds %v, want %v", scale, got.Bounds(), want.Bounds())
					}
					rows := resyncRows / scale
					for _, k := range tt.kept {
						band := image.Rect(0, k*rows, got.Bounds().Dx(), (k+1)*rows)
						if d := bandDiff(got, want, band); d != 0 {
							t.Errorf("scale %d: interval %d differs from the undamaged file by up to %d levels, want 0", scale, k, d)
						}
					}
					for _, k := range tt.lost {
						band := image.Rect(0, k*rows, got.Bounds().Dx(), (k+1)*rows)
						if d := blockMeansFromGrey(got, band, 16/scale); d > 4 {
							t.Errorf("scale %d: interval %d has a block whose mean is %d levels from 128, want at most 4", scale, k, d)
						}
					}
				}
			})
		}
	}
}

// bandDiff returns the largest difference of a Y, Cb or Cr sample of two
// YCbCr pictures within r.
func bandDiff(a, b image.Image, r image.Rectangle) int {
	ya, yb := a.(*image.YCbCr), b.(*image.YCbCr)
	d := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i, j := ya.YOffset(x, y), yb.YOffset(x, y)
			ci, cj := ya.COffset(x, y), yb.COffset(x, y)
			d = max(d, absInt(int(ya.Y[i])-int(yb.Y[j])),
				absInt(int(ya.Cb[ci])-int(yb.Cb[cj])), absInt(int(ya.Cr[ci])-int(yb.Cr[cj])))
		}
	}
	return d
}

// blockMeansFromGrey returns how far from 128 the mean of Y, Cb or Cr over
// an MCU of n x n pixels within r strays at most: a block whose DC is
// zero has mean 128 whatever its AC coefficients.
func blockMeansFromGrey(m image.Image, r image.Rectangle, n int) int {
	yc := m.(*image.YCbCr)
	d := 0
	for by := r.Min.Y; by < r.Max.Y; by += n {
		for bx := r.Min.X; bx < r.Max.X; bx += n {
			var sum [3]int
			for y := by; y < by+n; y++ {
				for x := bx; x < bx+n; x++ {
					sum[0] += int(yc.Y[yc.YOffset(x, y)])
					sum[1] += int(yc.Cb[yc.COffset(x, y)])
					sum[2] += int(yc.Cr[yc.COffset(x, y)])
				}
			}
			for _, s := range sum {
				d = max(d, absInt(s/(n*n)-128))
			}
		}
	}
	return d
}

// TestFlippedBitStaysInItsInterval flips each bit of four bytes in
// interval 5 of the first scan, one at a time: whatever the flip does to
// that interval, the others come out exactly as in the undamaged file. A
// flip that throws the decoder out of step for good is reported; one that
// it recovers from by itself cannot be, by libjpeg either.
func TestFlippedBitStaysInItsInterval(t *testing.T) {
	for _, progressive := range []bool{false, true} {
		clean := resyncFile(false, progressive)
		rst := firstScanRST(t, clean)
		want, err := Decode(context.Background(), clean, 1)
		if err != nil {
			t.Fatal(err)
		}
		reported := 0
		for i := range 32 {
			// Bit i%8 of bytes spread over the interval but for its first
			// and last few.
			p := rst[4] + 8 + (rst[5]-rst[4]-16)*(i/8)/3
			bit := i % 8
			if clean[p-1] == 0xFF || clean[p] == 0xFF || clean[p]^1<<bit == 0xFF {
				continue
			}
			data := bytes.Clone(clean)
			data[p] ^= 1 << bit
			got, err := Decode(context.Background(), data, 1)
			var damaged *DamagedError
			if err != nil && !errors.As(err, &damaged) {
				t.Fatalf("progressive %v, bit %d: %v, want a picture", progressive, bit, err)
			}
			if err != nil {
				reported++
			}
			for k := range resyncIntervals {
				band := image.Rect(0, k*resyncRows, resyncW, (k+1)*resyncRows)
				if d := bandDiff(got, want, band); k != 5 && d != 0 {
					t.Errorf("progressive %v, bit %d: interval %d differs by up to %d levels, want 0", progressive, bit, k, d)
				}
			}
		}
		if reported == 0 {
			t.Errorf("progressive %v: no flipped bit was reported as damage", progressive)
		}
	}
}

// TestResyncNonInterleaved damages the first scan of a sequential file
// with one scan per component, whose restart intervals count the blocks
// of that component alone: here 32, one row of luma blocks. Bad data at
// the start of interval 5 leaves luma rows 40 to 47 mid-grey; the other
// luma rows and all chroma are as in the undamaged file.
func TestResyncNonInterleaved(t *testing.T) {
	m := photo(resyncW, resyncH, 15)
	clean := encode(resyncW, resyncH, ycc(m), encOpts{comps: s420, quant: quality(2), adobe: -1, jfif: true, restart: resyncW / 8, noInterleave: true})
	sos, _ := scanLayout(clean)
	var rst []int
	for p := sos[0]; p < sos[1]; p++ {
		if clean[p] == 0xFF && clean[p+1] >= mRST0 && clean[p+1] <= mRST7 {
			rst = append(rst, p)
		}
	}
	if len(rst) != resyncH/8-1 {
		t.Fatalf("luma scan has %d restart markers, want %d", len(rst), resyncH/8-1)
	}
	data := splice(clean, rst[4]+2, rst[4]+6, 0xFF, 0, 0xFF, 0)
	want, err := Decode(context.Background(), clean, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(context.Background(), data, 1)
	var damaged *DamagedError
	if !errors.As(err, &damaged) || !strings.Contains(err.Error(), "bad Huffman code in scan 1, restart interval 6 of 24") {
		t.Fatalf("Decode: %v; want a DamagedError naming scan 1, restart interval 6 of 24", err)
	}
	g, w := got.(*image.YCbCr), want.(*image.YCbCr)
	for y := range resyncH {
		for x := range resyncW {
			wantY := w.Y[w.YOffset(x, y)]
			if y >= 40 && y < 48 {
				wantY = 128
			}
			if gy := g.Y[g.YOffset(x, y)]; gy != wantY {
				t.Fatalf("luma (%d,%d) = %d, want %d", x, y, gy, wantY)
			}
		}
	}
	if string(g.Cb) != string(w.Cb) || string(g.Cr) != string(w.Cr) {
		t.Error("chroma differs from the undamaged file; the damage was in the luma scan")
	}
}
