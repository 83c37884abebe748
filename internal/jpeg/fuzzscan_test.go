package jpeg

import (
	"context"
	"errors"
	"testing"
)

// scanVariant describes how FuzzScanStructure rewrites a file's scans: the
// spectral selection and successive approximation of one scan, a restart
// interval set before the first scan, and how many scans the file ends up
// with by repeating its last one.
type scanVariant struct {
	scan         uint8  // which scan to rewrite, modulo the number of scans
	ss, se, ahal uint8  // its new Ss, Se and Ah<<4|Al, when rewrite is set
	rewrite      bool   // whether to rewrite that scan
	restart      uint16 // a DRI segment before the first scan when not 0
	scans        uint16 // total scans wanted, modulo 700
}

// apply returns data rewritten as v says.
func (v scanVariant) apply(data []byte) []byte {
	data = withScans(data, int(v.scans%700))
	sos, _ := scanLayout(data)
	if len(sos) == 0 {
		return data
	}
	out := append([]byte(nil), data...)
	if v.rewrite {
		p := sos[int(v.scan)%len(sos)] + 4 // the SOS payload
		if p < len(out) {
			if q := p + 1 + 2*int(out[p]); q+3 <= len(out) {
				out[q], out[q+1], out[q+2] = v.ss, v.se, v.ahal
			}
		}
	}
	if v.restart != 0 {
		dri := []byte{0xFF, mDRI, 0, 4, byte(v.restart >> 8), byte(v.restart)}
		out = append(out[:sos[0]:sos[0]], append(dri, out[sos[0]:]...)...)
	}
	return out
}

// FuzzScanStructure rewrites the scan structure of progressive and
// sequential files: Ss, Se, Ah and Al of one scan, the restart interval,
// and the number of scans (up to past MaxScans). Decode must never panic,
// must agree with image/jpeg as compareStd says, must refuse files with
// more than MaxScans scans, and must return context.Canceled for a
// cancelled context wherever it would have decoded the file.
func FuzzScanStructure(f *testing.F) {
	bases := map[string][]byte{}
	for _, tc := range testCases(f) {
		switch tc.name {
		case "prog420/33x17", "prog444/33x17", "proggray/33x17", "prog422-restart5/33x17",
			"prog444-noninterleavedDC/33x17", "progycck/33x17", "422-restart1/33x17", "std420q75/33x17":
			bases[tc.name] = tc.data
		}
	}
	bases["rgb-prog"] = flatProgressive(16, 16, 3, 0)
	bases["gray-prog-flat"] = flatProgressive(40, 24, 1, -1)
	seeds := []scanVariant{
		{},
		{scans: 60},
		{scans: MaxScans},
		{scans: MaxScans + 1},
		{scans: 699},
		{rewrite: true, scan: 1, ss: 1, se: 63, ahal: 0x00},
		{rewrite: true, scan: 1, ss: 0, se: 0, ahal: 0x10},
		{rewrite: true, scan: 2, ss: 5, se: 3, ahal: 0x21},
		{rewrite: true, scan: 3, ss: 1, se: 63, ahal: 0x0D},
		{rewrite: true, scan: 4, ss: 63, se: 63, ahal: 0x32},
		{rewrite: true, scan: 5, ss: 0, se: 63, ahal: 0x00},
		{rewrite: true, scan: 0, ss: 1, se: 1, ahal: 0xF0},
		{restart: 1},
		{restart: 3, scans: 40},
		{restart: 0xFFFF},
		{restart: 2, rewrite: true, scan: 6, ss: 6, se: 63, ahal: 0x01},
	}
	for _, data := range bases {
		for i, v := range seeds {
			cancelledCtx := i%3 == 0
			f.Add(data, v.scan, v.ss, v.se, v.ahal, v.rewrite, v.restart, v.scans, cancelledCtx)
		}
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	f.Fuzz(func(t *testing.T, data []byte, scan, ss, se, ahal uint8, rewrite bool, restart, scans uint16, cancelledCtx bool) {
		if len(data) > 1<<16 {
			return
		}
		v := scanVariant{scan: scan, ss: ss, se: se, ahal: ahal, rewrite: rewrite, restart: restart, scans: scans}
		b := v.apply(data)
		// Each scan may cost a pass over every block or over the file's
		// data: bound the work of a large file or one that claims a large
		// picture, as compareStd does.
		if len(b) > 1<<20 {
			return
		}
		if cfg, err := DecodeConfig(b); err == nil && int64(cfg.Width)*int64(cfg.Height)*int64(countScans(b)) > 1<<26 {
			return
		}
		// Past a few dozen scans image/jpeg is slow to compare with.
		if countScans(b) <= 64 {
			if msg := compareStd(b, false); msg != "" {
				t.Fatal(msg)
			}
		}
		_, err := Decode(context.Background(), b, 1)
		if err == nil && countScans(b) > MaxScans {
			t.Fatalf("decoded a file with %d scans", countScans(b))
		}
		if cancelledCtx && err == nil {
			if _, err := Decode(cancelled, b, 1); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled decode: %v, want context.Canceled", err)
			}
		}
	})
}
