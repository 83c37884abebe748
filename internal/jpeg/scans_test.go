package jpeg

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"
)

// flatProgressive returns a progressive w x h JPEG of a flat picture with
// progScript's scans, so that each AC scan is a few bytes; with adobe 0 its
// three components are RGB, which Decode leaves to image/jpeg.
func flatProgressive(w, h, ncomp int, adobe int) []byte {
	planes := make([][]byte, ncomp)
	for i := range planes {
		planes[i] = bytes.Repeat([]byte{byte(100 + 20*i)}, w*h)
	}
	comps := gray
	if ncomp == 3 {
		comps = s444
	}
	o := encOpts{comps: comps, quant: quality(2), adobe: adobe, jfif: adobe < 0, sof: 0xC2, scans: progScript(ncomp)}
	return encode(w, h, planes, o)
}

// scanLayout returns the offsets of the SOS markers of data and where its
// last scan starts: at the DHT just before the last SOS when there is one.
func scanLayout(data []byte) (sos []int, lastStart int) {
	d := &decoder{data: data, pos: 2}
	dht := -1
	for {
		m, err := d.readMarker()
		if err != nil || m == mEOI || d.pos+2 > len(data) {
			return sos, lastStart
		}
		if mRST0 <= m && m <= mRST7 {
			continue
		}
		switch m {
		case mDHT:
			dht = d.pos - 2
		case mSOS:
			sos = append(sos, d.pos-2)
			lastStart = d.pos - 2
			if dht >= 0 {
				lastStart = dht
			}
			dht = -1
		default:
			dht = -1
		}
		d.pos += int(data[d.pos])<<8 | int(data[d.pos+1])
	}
}

// withScans returns data, ending with EOI, with its last scan (its DHT,
// SOS and entropy-coded data) repeated until the file has n scans; data
// unchanged if it has n or more.
func withScans(data []byte, n int) []byte {
	sos, start := scanLayout(data)
	end := len(data) - 2
	if len(sos) == 0 || len(sos) >= n || start > end {
		return data
	}
	out := bytes.Clone(data[:end])
	for range n - len(sos) {
		out = append(out, data[start:end]...)
	}
	return append(out, 0xFF, mEOI)
}

// repeatLastScan is withScans for a file that must end up with exactly n
// scans.
func repeatLastScan(t testing.TB, data []byte, n int) []byte {
	t.Helper()
	out := withScans(data, n)
	if got := countScans(out); got != n {
		t.Fatalf("made %d scans, want %d", got, n)
	}
	return out
}

func TestTooManyScans(t *testing.T) {
	gray1k := flatProgressive(1024, 1024, 1, -1)
	rgb := flatProgressive(64, 64, 3, 0)
	tests := []struct {
		name    string
		data    []byte
		scans   int
		wantErr error
	}{
		{"gray at the limit", gray1k, MaxScans, nil},
		{"gray one over", gray1k, MaxScans + 1, errTooManyScans},
		{"gray 100k", gray1k, 100_000, errTooManyScans},
		{"rgb fallback at the limit", rgb, MaxScans, nil},
		{"rgb fallback one over", rgb, MaxScans + 1, errTooManyScans},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := repeatLastScan(t, tt.data, tt.scans)
			for _, s := range []int{1, 8} {
				m, err := Decode(context.Background(), data, s)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("scale %d: error %v, want %v", s, err, tt.wantErr)
				}
				if err != nil {
					if want := "jpeg: too many scans (over 500)"; err.Error() != want {
						t.Errorf("message %q, want %q", err, want)
					}
					continue
				}
				cfg, _ := DecodeConfig(data)
				if b := m.Bounds(); b.Dx() != (cfg.Width+s-1)/s || b.Dy() != (cfg.Height+s-1)/s {
					t.Errorf("scale %d: bounds %v of a %dx%d file", s, b, cfg.Width, cfg.Height)
				}
			}
		})
	}
}

// TestScanLimitStopsEarly shows that the limit is applied as the scans are
// met: the scans after the 501st are garbage, which would give a format
// error if they were decoded.
func TestScanLimitStopsEarly(t *testing.T) {
	data := repeatLastScan(t, flatProgressive(64, 64, 1, -1), MaxScans+1)
	data = append(data[:len(data)-2], 0xFF, mSOS, 0x00, 0x03, 0x00, 0xFF, mEOI)
	if _, err := Decode(context.Background(), data, 1); !errors.Is(err, errTooManyScans) {
		t.Fatalf("error %v, want %v", err, errTooManyScans)
	}
}

func TestDecodeCancelled(t *testing.T) {
	baseline := encCase("420", 640, 480, s420, 2, nil).data
	progressive := encCase("prog420", 640, 480, s420, 2, func(o *encOpts) { o.sof = 0xC2; o.scans = progScript(3) }).data
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		data  []byte
		scale int
	}{
		{"baseline", baseline, 1},
		{"baseline 1/8", baseline, 8},
		{"progressive", progressive, 1},
		{"progressive 1/8", progressive, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(context.Background(), tt.data, tt.scale); err != nil {
				t.Fatalf("uncancelled decode: %v", err)
			}
			if _, err := Decode(cancelled, tt.data, tt.scale); !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
		})
	}
}

// TestDecodeCancelledMidway cancels a decode that takes hundreds of
// milliseconds (MaxScans scans of a 2048x2048 picture) a few milliseconds
// after it starts: it must return context.Canceled rather than a picture.
func TestDecodeCancelledMidway(t *testing.T) {
	data := repeatLastScan(t, flatProgressive(2048, 2048, 1, -1), MaxScans)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Decode(ctx, data, 1)
		done <- err
	}()
	time.Sleep(5 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

// BenchmarkScanBomb decodes a 1024x1024 progressive file whose last scan
// is repeated to make n scans: up to MaxScans the time grows with n, past
// it the file is refused after MaxScans scans.
func BenchmarkScanBomb(b *testing.B) {
	base := flatProgressive(1024, 1024, 1, -1)
	for _, n := range []int{10, MaxScans, 100_000} {
		data := repeatLastScan(b, base, n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				_, _ = Decode(context.Background(), data, 1)
			}
		})
	}
}
