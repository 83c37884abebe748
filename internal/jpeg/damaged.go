package jpeg

import (
	"errors"
	"fmt"
	"io"
)

// DamagedError is returned by Decode together with a picture decoded in
// part: the file ended early, or its entropy-coded data went wrong, after
// some of the picture was decoded. As libjpeg does, what could not be
// decoded is mid-grey: the blocks after the point of damage, in the
// components of the scan that stopped, and components no scan reached.
// A file with restart intervals loses less: decoding resumes at the next
// restart marker, so damage costs the rest of its interval (and intervals
// whose marker is missing), and Err says in which scan and interval it
// began. Data left over before a restart marker is reported too, though
// its interval is kept.
type DamagedError struct{ Err error }

func (e *DamagedError) Error() string { return e.Err.Error() }
func (e *DamagedError) Unwrap() error { return e.Err }

// intervalError is the damage a file with restart intervals was decoded
// past: the first thing that went wrong, where, and how many restart
// intervals (of all scans) were not decoded, in whole or in part.
type intervalError struct {
	err                       error
	scan, interval, intervals int // interval counts from 0
	skipped                   int
}

func (e *intervalError) Error() string {
	msg := fmt.Sprintf("%v in scan %d, restart interval %d of %d", e.err, e.scan, e.interval+1, e.intervals)
	switch {
	case e.skipped == 1:
		msg += " (1 interval skipped)"
	case e.skipped > 1:
		msg += fmt.Sprintf(" (%d intervals skipped)", e.skipped)
	}
	return msg
}

func (e *intervalError) Unwrap() error { return e.err }

// intervalDamaged records damage err in restart interval i of the current
// scan, of mcus MCUs, and whether the interval was skipped, in whole or
// in part. The first damage is the one reported.
func (d *decoder) intervalDamaged(err error, i, mcus int, skipped bool) {
	if d.damage == nil {
		d.damage = &intervalError{err: err, scan: d.scans, interval: i, intervals: (mcus + d.ri - 1) / d.ri}
	}
	if skipped {
		d.damage.skipped++
	}
}

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
