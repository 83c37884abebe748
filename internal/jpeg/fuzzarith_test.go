package jpeg

import (
	"context"
	"errors"
	"testing"
)

// FuzzArithmetic decodes arithmetic-coded files whose bytes the fuzzer
// mutates and whose scan structure it rewrites as FuzzScanStructure does
// (Ss, Se, Ah and Al of one scan, the restart interval, the number of
// scans). Decode must never panic and must give the scaled DecodeConfig
// size, as compareStd checks. A sequential file codes every coefficient
// whatever the scale, so it must fail, be damaged or decode alike at every
// scale. A cancelled context must give context.Canceled wherever the file
// decodes.
func FuzzArithmetic(f *testing.F) {
	var bases [][]byte
	for _, tc := range arithCases() {
		_, arith := arithEncode(33, 17, tc.comps, 2, tc.mod)
		bases = append(bases, arith)
	}
	for arith := range arithTwins {
		bases = append(bases, readFixture(f, arith))
	}
	seeds := []scanVariant{
		{},
		{scans: 40},
		{rewrite: true, scan: 1, ss: 1, se: 63, ahal: 0x00},
		{rewrite: true, scan: 2, ss: 5, se: 3, ahal: 0x21},
		{rewrite: true, scan: 3, ss: 1, se: 63, ahal: 0x0D},
		{rewrite: true, scan: 5, ss: 0, se: 0, ahal: 0x10},
		{restart: 1},
		{restart: 3, rewrite: true, scan: 6, ss: 6, se: 63, ahal: 0x01},
	}
	for i, data := range bases {
		v := seeds[i%len(seeds)]
		f.Add(data, v.scan, v.ss, v.se, v.ahal, v.rewrite, v.restart, v.scans)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	f.Fuzz(func(t *testing.T, data []byte, scan, ss, se, ahal uint8, rewrite bool, restart, scans uint16) {
		if len(data) > 1<<16 {
			return
		}
		v := scanVariant{scan: scan, ss: ss, se: se, ahal: ahal, rewrite: rewrite, restart: restart, scans: scans % 100}
		b := v.apply(data)
		// A few bytes of arithmetic-coded data can claim a large picture:
		// bound the work as FuzzScanStructure does.
		cfg, err := DecodeConfig(b)
		if err == nil && int64(cfg.Width)*int64(cfg.Height)*int64(max(countScans(b), 1)) > 1<<20 {
			return
		}
		if msg := compareStd(b, false); msg != "" {
			t.Fatal(msg)
		}
		d := &decoder{data: b, scale: 1}
		if d.parse(true) == nil && d.arithmetic && !d.progressive {
			var first string
			for _, s := range []int{1, 2, 4, 8} {
				_, err := Decode(context.Background(), b, s)
				var damaged *DamagedError
				outcome := "ok"
				switch {
				case errors.As(err, &damaged):
					outcome = "damaged: " + err.Error()
				case err != nil:
					outcome = "failed: " + err.Error()
				}
				if s == 1 {
					first = outcome
				} else if outcome != first {
					t.Fatalf("scale %d: %s; scale 1: %s", s, outcome, first)
				}
			}
		}
		if _, err := Decode(context.Background(), b, 1); err == nil {
			if _, err := Decode(cancelled, b, 1); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled decode: %v, want context.Canceled", err)
			}
		}
	})
}
