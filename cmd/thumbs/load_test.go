package main

// Load tests: a huge list of paths on stdin must stream through thumbs in
// bounded memory and with a bounded number of goroutines.

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/thumbs-dev/thumbs/internal/cli"
)

// ldPaths is a reader of n newline-separated paths that do not exist,
// generated as they are read.
type ldPaths struct {
	n, i int
	buf  []byte
}

func (r *ldPaths) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.i < r.n {
		r.buf = fmt.Appendf(r.buf, "/nonexistent-thumbs-load/d%d/photo %d.jpg\n", r.i%1000, r.i)
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// ldStderr counts the failure lines written to it and keeps the last bytes.
type ldStderr struct {
	mu      sync.Mutex
	partial []byte
	failed  int // lines "thumbs: <path>: no such file or directory"
	other   []string
	tail    []byte
}

func (w *ldStderr) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tail = append(w.tail, p...)
	if len(w.tail) > 8192 {
		w.tail = w.tail[len(w.tail)-4096:]
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := string(w.partial[:i])
		w.partial = w.partial[i+1:]
		if strings.HasPrefix(line, "thumbs: /nonexistent-thumbs-load/") && strings.HasSuffix(line, ": no such file or directory") {
			w.failed++
		} else if len(w.other) < 20 {
			w.other = append(w.other, line)
		}
	}
	return len(p), nil
}

type ldResult struct {
	code      int
	rssKiB    int64
	elapsed   time.Duration
	failed    int      // failure lines on stderr
	other     []string // other stderr lines (the first few)
	stdoutLen int
}

// ldRunChild runs thumbs as a child process on n missing paths from stdin
// and measures its peak RSS.
func ldRunChild(tb testing.TB, n int, timeout time.Duration) ldResult {
	tb.Helper()
	dir := tb.TempDir()
	rssFile := filepath.Join(dir, "rss")
	cmd := thumbsCommand("--keep-going", "--progress", "never", "-j", "4", "-o", filepath.Join(dir, "out"))
	cmd.Env = append(cmd.Env, "THUMBS_RSS_WRAP=1", "THUMBS_RSS_FILE="+rssFile)
	cmd.Dir = dir
	cmd.Stdin = &ldPaths{n: n}
	var stdout bytes.Buffer
	stderr := &ldStderr{}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		tb.Fatalf("thumbs did not finish %d paths within %v; stderr tail:\n%s", n, timeout, stderr.tail)
	}
	r := ldResult{code: cmd.ProcessState.ExitCode(), elapsed: time.Since(start), failed: stderr.failed, other: stderr.other, stdoutLen: stdout.Len()}
	data, err := os.ReadFile(rssFile)
	if err != nil {
		tb.Fatalf("no peak RSS from the wrapper: %v\n%s", err, stderr.tail)
	}
	fmt.Sscan(string(data), &r.rssKiB)
	return r
}

// ldCheck checks the result of a run over n missing paths.
func ldCheck(tb testing.TB, r ldResult, n int) {
	tb.Helper()
	if r.code != 1 {
		tb.Errorf("exit status %d, want 1", r.code)
	}
	if r.failed != n {
		tb.Errorf("%d failure lines on stderr, want %d", r.failed, n)
	}
	if len(r.other) != 1 || !strings.HasPrefix(r.other[0], fmt.Sprintf("thumbs: 0 ok, %d failed, 0 skipped;", n)) {
		tb.Errorf("want only the summary line \"thumbs: 0 ok, %d failed, 0 skipped; ...\" besides failures, got %q", n, r.other)
	}
	if r.stdoutLen != 0 {
		tb.Errorf("%d bytes on stdout, want none", r.stdoutLen)
	}
	if r.rssKiB <= 0 || r.rssKiB > 100<<10 {
		tb.Errorf("peak RSS %.1f MiB, want under 100 MiB", float64(r.rssKiB)/1024)
	}
}

// TestLoadManyMissingPaths streams 30,000 missing paths through thumbs.
// BenchmarkMillionPaths does a million.
func TestLoadManyMissingPaths(t *testing.T) {
	const n = 30_000
	r := ldRunChild(t, n, 120*time.Second)
	t.Logf("%d missing paths: exit %d in %v, peak RSS %.1f MiB", n, r.code, r.elapsed.Round(time.Millisecond), float64(r.rssKiB)/1024)
	ldCheck(t, r, n)
}

// BenchmarkMillionPaths streams a million missing paths through thumbs
// (run with -bench MillionPaths -benchtime 1x).
func BenchmarkMillionPaths(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		r := ldRunChild(b, n, 30*time.Minute)
		b.Logf("%d missing paths: exit %d in %v, peak RSS %.1f MiB", n, r.code, r.elapsed.Round(time.Millisecond), float64(r.rssKiB)/1024)
		ldCheck(b, r, n)
		b.ReportMetric(float64(r.rssKiB)/1024, "peak-RSS-MiB")
		b.ReportMetric(float64(n)/r.elapsed.Seconds(), "paths/s")
	}
}

// ldCounter counts the lines written to it.
type ldCounter struct{ lines, bytes atomic.Int64 }

func (c *ldCounter) Write(p []byte) (int, error) {
	c.lines.Add(int64(bytes.Count(p, []byte{'\n'})))
	c.bytes.Add(int64(len(p)))
	return len(p), nil
}

// TestLoadGoroutinesBounded calls run in this process on missing paths from
// a generating reader while a sampler records the most goroutines alive and
// the most heap in use: both must stay bounded, whatever the number of
// paths.
func TestLoadGoroutinesBounded(t *testing.T) {
	const n, jobs = 20_000, 4
	out := filepath.Join(t.TempDir(), "out")
	runtime.GC()
	base := runtime.NumGoroutine()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	baseHeap := sample[0].Value.Uint64()

	stop := make(chan struct{})
	var maxG int
	var maxHeap uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			maxG = max(maxG, runtime.NumGoroutine())
			metrics.Read(s)
			maxHeap = max(maxHeap, s[0].Value.Uint64())
		}
	})
	var stdout, stderr ldCounter
	codec := make(chan int, 1)
	go func() {
		codec <- cli.Run([]string{"--keep-going", "--progress", "never", "-j", fmt.Sprint(jobs), "-o", out, "-"}, &ldPaths{n: n}, &stdout, &stderr)
	}()
	var code int
	select {
	case code = <-codec:
	case <-time.After(120 * time.Second):
		t.Fatalf("run did not return within 120 s")
	}
	close(stop)
	wg.Wait()
	// The sampler itself is one goroutine more than base.
	t.Logf("%d paths, -j %d: exit %d; goroutines: %d before, at most %d during the run; heap objects: %.1f MiB before, at most %.1f MiB",
		n, jobs, code, base, maxG, float64(baseHeap)/(1<<20), float64(maxHeap)/(1<<20))
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if got := stderr.lines.Load(); got != n+1 {
		t.Errorf("%d lines on stderr, want %d failures and the summary", got, n+1)
	}
	if maxG > base+1+jobs+20 {
		t.Errorf("up to %d goroutines alive, want at most %d (%d before + sampler + %d jobs + 20)", maxG, base+1+jobs+20, base, jobs)
	}
	if maxG <= base {
		t.Errorf("the sampler saw no goroutine of the run (max %d, base %d): it measured nothing", maxG, base)
	}
	if maxHeap > baseHeap+64<<20 {
		t.Errorf("heap grew by %.1f MiB during the run, want under 64 MiB", float64(maxHeap-baseHeap)/(1<<20))
	}
}
