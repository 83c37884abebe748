package manifest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkRecordScale writes a record of N sources (N=200000 unless
// RECORD_N says otherwise; RECORD_N=1000000 for the million), in the
// batches a run writes, then reopens it and looks every source up in an
// order other than the key order, as a re-run does. It reports the wall
// time of each phase, the store's size per source and the process's peak
// resident memory: the record is never loaded whole, so memory stays flat
// whatever N.
//
//	RECORD_N=1000000 go test -run '^$' -bench RecordScale -benchtime 1x ./internal/manifest
func BenchmarkRecordScale(b *testing.B) {
	n := 200000
	if s := os.Getenv("RECORD_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("RECORD_N=%q is not a positive number", s)
		}
	}
	for range b.N {
		dir := b.TempDir()
		d := openDir(b, dir)
		rel := func(i int) string { return fmt.Sprintf("photos/d%04d/img%07d.jpg", i/1000, i) }

		start := time.Now()
		r, err := Open(context.Background(), d, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			e := Entry{Rel: rel(i), Src: "/data/" + rel(i), Size: int64(i), ModTime: int64(i), Hash: Hash([]byte(rel(i))),
				Options: "rendering=2 sizes=256 fit=contain crop=center upscale=false format=auto quality=85",
				Outputs: []Output{{Name: strings.TrimSuffix(rel(i), ".jpg") + ".jpg", Size: 9000, ModTime: int64(i), Sum: OutputSum([]byte(rel(i)))}}}
			if err := r.Put(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
		write := time.Since(start)
		info, err := os.Stat(dir + "/" + FileName(Shard{}))
		if err != nil {
			b.Fatal(err)
		}

		start = time.Now()
		r, err = Open(context.Background(), d, Options{})
		if err != nil {
			b.Fatal(err)
		}
		// A stride through the keys: not the order they are stored in.
		const stride = 7919
		for k := range n {
			i := k * stride % n
			if _, ok, err := r.Lookup(rel(i)); !ok || err != nil {
				b.Fatalf("lookup %d: %v, %v", i, ok, err)
			}
		}
		r.Close()
		lookup := time.Since(start)

		b.ReportMetric(write.Seconds(), "write-s")
		b.ReportMetric(lookup.Seconds(), "lookup-s")
		b.ReportMetric(float64(info.Size())/float64(n), "store-B/source")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
	}
}

// peakRSS returns the process's peak resident memory in bytes (VmHWM), 0
// where /proc does not tell.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kib << 10
		}
	}
	return 0
}
