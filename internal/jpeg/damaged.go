package jpeg

import (
	"errors"
	"io"
)

// DamagedError is returned by Decode together with a picture decoded in
// part: the file ended early, or its entropy-coded data went wrong, after
// some of the picture was decoded. As libjpeg does, what could not be
// decoded is mid-grey: the blocks after the point of damage, in the
// components of the scan that stopped, and components no scan reached.
type DamagedError struct{ Err error }

func (e *DamagedError) Error() string { return e.Err.Error() }
func (e *DamagedError) Unwrap() error { return e.Err }

// scanStop is where a scan stopped short: the components it held and the
// row of MCUs (of blocks, for a scan of one component) it was on.
type scanStop struct {
	comps       []*component
	row         int
	interleaved bool
}

// salvage reports whether the picture can be kept after the parse failed
// with err: the failure is damage in the data (a truncated file, a bad
// code, a missing marker), not an unsupported feature, a refusal or a
// cancellation, and some scan was decoded. It then makes every component
// whole: what was never decoded is filled with grey. Progressive files
// need nothing filled: coefficients never decoded are zero, which the
// transform turns into grey.
func (d *decoder) salvage(err error) bool {
	var fe formatError
	if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &fe) {
		return false
	}
	if d.ncomp == 0 || d.scans == 0 || d.leftToStd() {
		return false
	}
	// A picture of more blocks than the file has bits was never going to
	// be there: a damaged header, not a cut-off file. Keeping it would
	// allocate planes for a size the data cannot back.
	var blocks int64
	for _, c := range d.comp[:d.ncomp] {
		blocks += int64(c.bw) * int64(c.bh)
	}
	if !d.enoughData(blocks, len(d.data)) {
		return false
	}
	for i := range d.comp[:d.ncomp] {
		c := &d.comp[i]
		if c.pix == nil {
			d.alloc(c)
			if !d.progressive {
				fillGrey(c.pix)
			}
		}
	}
	if !d.progressive {
		for _, c := range d.stop.comps {
			blockRow := d.stop.row
			if d.stop.interleaved {
				blockRow *= c.v
			}
			if start := blockRow * c.bs * c.stride; start < len(c.pix) {
				fillGrey(c.pix[start:])
			}
		}
	}
	return true
}

func fillGrey(pix []byte) {
	for i := range pix {
		pix[i] = 128
	}
}
