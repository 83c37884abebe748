package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/thumbs-dev/thumbs/internal/runner"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// hangTimeout bounds how long a test waits for Run before declaring a hang.
const hangTimeout = 20 * time.Second

// recorder is an Observer that keeps what it is told. Run calls it from one
// goroutine and returns before the test reads it, so it needs no locking.
type recorder struct {
	queued   int
	finished []runner.Result
}

func (r *recorder) Queued()                    { r.queued++ }
func (r *recorder) Finished(res runner.Result) { r.finished = append(r.finished, res) }

// srcs returns the sorted Src of the finished results.
func (r *recorder) srcs() []string {
	var s []string
	for _, res := range r.finished {
		s = append(s, res.Src)
	}
	slices.Sort(s)
	return s
}

// upTo emits the jobs 0..n-1 and stops early when emit returns false.
func upTo(n int) runner.Producer[int] {
	return func(ctx context.Context, emit func(int) bool) error {
		for i := range n {
			if !emit(i) {
				return ctx.Err()
			}
		}
		return nil
	}
}

// ok is a Process whose every job succeeds.
func ok(_ context.Context, i int) runner.Result {
	return runner.Result{Src: src(i), Status: runner.OK}
}

func src(i int) string { return fmt.Sprintf("img%05d.jpg", i) }

// canceled is the result of a job stopped by the run's cancellation.
func canceled(ctx context.Context, i int) runner.Result {
	return runner.Result{Src: src(i), Status: runner.Failed, Err: fmt.Errorf("%s: %w", src(i), ctx.Err())}
}

// runWithin calls Run in a goroutine and fails the test if it does not
// return within hangTimeout.
func runWithin[J any](t *testing.T, ctx context.Context, produce runner.Producer[J], process runner.Process[J], opts runner.Options) (runner.Summary, error) {
	t.Helper()
	type ret struct {
		sum runner.Summary
		err error
	}
	done := make(chan ret, 1)
	go func() {
		sum, err := runner.Run(ctx, produce, process, opts)
		done <- ret{sum, err}
	}()
	select {
	case r := <-done:
		return r.sum, r.err
	case <-time.After(hangTimeout):
		t.Fatalf("Run did not return within %v", hangTimeout)
		return runner.Summary{}, nil
	}
}

func TestAllJobsDone(t *testing.T) {
	for _, n := range []int{0, 1, 100} {
		t.Run(fmt.Sprintf("%d jobs", n), func(t *testing.T) {
			defer goleak.VerifyNone(t)
			process := func(_ context.Context, i int) runner.Result {
				return runner.Result{
					Src:     src(i),
					Status:  runner.OK,
					BytesIn: int64(1000 + i),
					Outputs: []runner.Output{{Path: "a", Bytes: int64(i)}, {Path: "b", Bytes: 2}},
				}
			}
			var rec recorder
			sum, err := runWithin(t, t.Context(), upTo(n), process, runner.Options{Jobs: 4, Observer: &rec})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}

			var wantIn, wantOut int64
			var wantSrcs []string
			for i := range n {
				wantIn += int64(1000 + i)
				wantOut += int64(i) + 2
				wantSrcs = append(wantSrcs, src(i))
			}
			want := runner.Summary{OK: n, BytesIn: wantIn, BytesOut: wantOut}
			sum.Elapsed = 0
			if sum != want {
				t.Errorf("Summary = %+v, want %+v", sum, want)
			}
			if sum.Done() != n {
				t.Errorf("Done() = %d, want %d", sum.Done(), n)
			}
			if rec.queued != n {
				t.Errorf("Queued called %d times, want %d", rec.queued, n)
			}
			if len(rec.finished) != n {
				t.Errorf("Finished called %d times, want %d", len(rec.finished), n)
			}
			if got := rec.srcs(); !slices.Equal(got, wantSrcs) {
				t.Errorf("Finished results' sources = %v, want %v", got, wantSrcs)
			}
		})
	}
}

func TestConcurrencyBound(t *testing.T) {
	const n = 10_000
	// Run's own goroutines, plus workers that have released their token but
	// not yet exited: usually a handful, a few dozen on a loaded machine.
	// Spawning before acquiring a token would add thousands.
	const slack = 64
	tests := []struct {
		name string
		jobs int // Options.Jobs
		want int // the bound it means
	}{
		{"jobs=1", 1, 1},
		{"jobs=2", 2, 2},
		{"jobs=4", 4, 4},
		{"jobs=16", 16, 16},
		{"jobs=0 means NumCPU", 0, runtime.NumCPU()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var inFlight, maxInFlight, maxGoroutines, arrived atomic.Int64
			// The first tt.want jobs wait here for one another, so the bound
			// is reached exactly once, whatever the scheduling.
			barrier := make(chan struct{})
			baseline := runtime.NumGoroutine()
			process := func(_ context.Context, i int) runner.Result {
				cur := inFlight.Add(1)
				defer inFlight.Add(-1)
				storeMax(&maxInFlight, cur)
				storeMax(&maxGoroutines, int64(runtime.NumGoroutine()))
				if i < tt.want {
					if arrived.Add(1) == int64(tt.want) {
						close(barrier)
					}
					<-barrier
				}
				runtime.Gosched()
				return runner.Result{Src: src(i), Status: runner.OK}
			}
			sum, err := runWithin(t, t.Context(), upTo(n), process, runner.Options{Jobs: tt.jobs})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if sum.OK != n {
				t.Errorf("OK = %d, want %d", sum.OK, n)
			}
			if got := maxInFlight.Load(); got != int64(tt.want) {
				t.Errorf("max jobs in flight = %d, want %d", got, tt.want)
			}
			if got, limit := maxGoroutines.Load(), int64(baseline+tt.want+slack); got > limit {
				t.Errorf("max goroutines = %d, want ≤ %d (baseline %d + %d jobs + %d)", got, limit, baseline, tt.want, slack)
			}
		})
	}
}

func storeMax(m *atomic.Int64, v int64) {
	for {
		old := m.Load()
		if v <= old || m.CompareAndSwap(old, v) {
			return
		}
	}
}

var errBoom = errors.New("boom")

func TestEarlyFailureStopsRun(t *testing.T) {
	const n, failing = 10_000, 5
	tests := []struct {
		name  string
		block func(i int) bool // jobs that wait for the run's cancellation
	}{
		{"others succeed", func(int) bool { return false }},
		// 0, 2 and 4 hold three of the four tokens until the failure of 5
		// cancels the run.
		{"others wait for cancellation", func(i int) bool { return i < failing && i%2 == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var calls atomic.Int64
			process := func(ctx context.Context, i int) runner.Result {
				calls.Add(1)
				switch {
				case i == failing:
					return runner.Result{Src: src(i), Status: runner.Failed, Err: fmt.Errorf("%s: %w", src(i), errBoom)}
				case tt.block(i):
					<-ctx.Done()
					return canceled(ctx, i)
				}
				return ok(ctx, i)
			}
			var emitted int
			var sawFalse bool
			produce := func(ctx context.Context, emit func(int) bool) error {
				for i := range n {
					if !emit(i) {
						sawFalse = true
						return ctx.Err()
					}
					emitted++
				}
				return nil
			}
			var rec recorder
			sum, err := runWithin(t, t.Context(), produce, process, runner.Options{Jobs: 4, Observer: &rec})
			if !errors.Is(err, errBoom) {
				t.Fatalf("Run error = %v, want %v", err, errBoom)
			}
			// The failure was shown to the Observer: the error says so.
			if !errors.Is(err, runner.ErrFailed) || err.Error() != errBoom.Error() && !strings.HasSuffix(err.Error(), errBoom.Error()) {
				t.Errorf("Run error = %v, want the job's error, wrapping ErrFailed", err)
			}
			if got := calls.Load(); got >= 1000 {
				t.Errorf("process called %d times after an early failure, want < 1000", got)
			}
			if !sawFalse {
				t.Error("producer never saw emit return false")
			}
			if emitted >= 1000 {
				t.Errorf("producer emitted %d jobs, want < 1000", emitted)
			}
			if sum.Failed != 1 {
				t.Errorf("Failed = %d, want 1 (cancelled jobs are not failures)", sum.Failed)
			}
			for _, r := range rec.finished {
				if errors.Is(r.Err, context.Canceled) {
					t.Errorf("Observer saw cancelled job %s: %v", r.Src, r.Err)
				}
			}
		})
	}
}

func TestKeepGoing(t *testing.T) {
	defer goleak.VerifyNone(t)
	const n = 100
	var calls atomic.Int64
	process := func(ctx context.Context, i int) runner.Result {
		calls.Add(1)
		if i%10 == 0 {
			return runner.Result{Src: src(i), Status: runner.Failed, Err: errBoom}
		}
		return ok(ctx, i)
	}
	var rec recorder
	sum, err := runWithin(t, t.Context(), upTo(n), process, runner.Options{Jobs: 4, KeepGoing: true, Observer: &rec})
	if !errors.Is(err, runner.ErrFailed) {
		t.Fatalf("Run error = %v, want it to wrap ErrFailed", err)
	}
	if got := calls.Load(); got != n {
		t.Errorf("process called %d times, want %d", got, n)
	}
	if sum.OK != 90 || sum.Failed != 10 {
		t.Errorf("OK, Failed = %d, %d; want 90, 10", sum.OK, sum.Failed)
	}
	var failed []string
	for _, r := range rec.finished {
		if r.Status == runner.Failed {
			failed = append(failed, r.Src)
		}
	}
	slices.Sort(failed)
	var want []string
	for i := 0; i < n; i += 10 {
		want = append(want, src(i))
	}
	if !slices.Equal(failed, want) {
		t.Errorf("Observer saw failures %v, want %v", failed, want)
	}
}

func TestCallerCancels(t *testing.T) {
	errStop := errors.New("stopped by user")
	const before = 50 // jobs that succeed before the caller cancels
	for _, keepGoing := range []bool{false, true} {
		t.Run(fmt.Sprintf("keepGoing=%v", keepGoing), func(t *testing.T) {
			defer goleak.VerifyNone(t)
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			var succeeded atomic.Int64
			var sawFalse bool
			// Endless: only cancellation ends it.
			produce := func(ctx context.Context, emit func(int) bool) error {
				for i := 0; ; i++ {
					if !emit(i) {
						sawFalse = true
						return ctx.Err()
					}
				}
			}
			process := func(ctx context.Context, i int) runner.Result {
				if i < before {
					if succeeded.Add(1) == before {
						cancel(errStop)
					}
					return ok(ctx, i)
				}
				<-ctx.Done()
				return canceled(ctx, i)
			}
			var rec recorder
			sum, err := runWithin(t, ctx, produce, process, runner.Options{Jobs: 4, KeepGoing: keepGoing, Observer: &rec})
			if !errors.Is(err, errStop) {
				t.Fatalf("Run error = %v, want %v", err, errStop)
			}
			if !sawFalse {
				t.Error("producer never saw emit return false")
			}
			if sum.OK != before || sum.Failed != 0 {
				t.Errorf("OK, Failed = %d, %d; want %d, 0", sum.OK, sum.Failed, before)
			}
			if len(rec.finished) != before {
				t.Errorf("Observer saw %d results, want %d", len(rec.finished), before)
			}
		})
	}
}

func TestCancelledBeforeRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	errStop := errors.New("stopped early")
	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(errStop)
	var calls atomic.Int64
	process := func(ctx context.Context, i int) runner.Result {
		calls.Add(1)
		return ok(ctx, i)
	}
	sum, err := runWithin(t, ctx, upTo(100), process, runner.Options{Jobs: 4})
	if !errors.Is(err, errStop) {
		t.Errorf("Run error = %v, want %v", err, errStop)
	}
	if got := calls.Load(); got != 0 {
		t.Errorf("process called %d times, want 0", got)
	}
	if sum.Done() != 0 {
		t.Errorf("Done() = %d, want 0", sum.Done())
	}
}

// photo is a job named by its String in the error of a panic.
type photo int

func (p photo) String() string { return fmt.Sprintf("photo-%03d.jpg", int(p)) }

func TestPanicIsFailure(t *testing.T) {
	const n, bad = 20, photo(7)
	tests := []struct {
		name      string
		keepGoing bool
	}{
		{"stop on failure", false},
		{"keep going", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			produce := func(ctx context.Context, emit func(photo) bool) error {
				for p := range photo(n) {
					if !emit(p) {
						return ctx.Err()
					}
				}
				return nil
			}
			process := func(_ context.Context, p photo) runner.Result {
				if p == bad {
					panic("corrupt header")
				}
				return runner.Result{Src: p.String(), Status: runner.OK}
			}
			var rec recorder
			sum, err := runWithin(t, t.Context(), produce, process, runner.Options{Jobs: 4, KeepGoing: tt.keepGoing, Observer: &rec})
			if err == nil {
				t.Fatal("Run returned no error")
			}
			var failed []runner.Result
			for _, r := range rec.finished {
				if r.Status == runner.Failed {
					failed = append(failed, r)
				}
			}
			if len(failed) != 1 || sum.Failed != 1 {
				t.Fatalf("failed results = %v (Summary.Failed %d), want one", failed, sum.Failed)
			}
			r := failed[0]
			for _, want := range []string{"panic", "corrupt header", bad.String()} {
				if !strings.Contains(r.Err.Error(), want) {
					t.Errorf("panic error %q does not mention %q", r.Err, want)
				}
			}
			if r.Src != bad.String() {
				t.Errorf("panicking job's Src = %q, want %q", r.Src, bad.String())
			}
			if tt.keepGoing {
				if !errors.Is(err, runner.ErrFailed) {
					t.Errorf("Run error = %v, want it to wrap ErrFailed", err)
				}
				if sum.OK != n-1 {
					t.Errorf("OK = %d, want %d", sum.OK, n-1)
				}
			} else if err.Error() != r.Err.Error() {
				t.Errorf("Run error = %v, want the panic's %v", err, r.Err)
			}
		})
	}
}

func TestProducerError(t *testing.T) {
	errList := errors.New("cannot list directory")
	tests := []struct {
		name      string
		keepGoing bool
		failJob   bool // job 3 fails too
		want      error
	}{
		{"stop on failure", false, false, errList},
		{"keep going", true, false, errList},
		{"keep going with failed jobs", true, true, runner.ErrFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			produce := func(ctx context.Context, emit func(int) bool) error {
				for i := range 10 {
					if !emit(i) {
						return ctx.Err()
					}
				}
				return fmt.Errorf("walk: %w", errList)
			}
			process := func(ctx context.Context, i int) runner.Result {
				if tt.failJob && i == 3 {
					return runner.Result{Src: src(i), Status: runner.Failed, Err: errBoom}
				}
				return ok(ctx, i)
			}
			sum, err := runWithin(t, t.Context(), produce, process, runner.Options{Jobs: 4, KeepGoing: tt.keepGoing})
			if !errors.Is(err, tt.want) {
				t.Errorf("Run error = %v, want %v", err, tt.want)
			}
			// A producer's error was shown to no Observer: it is never lost
			// and must not pass for a job's failure.
			if !errors.Is(err, errList) {
				t.Errorf("Run error = %v, want it to carry %v", err, errList)
			}
			if errors.Is(err, runner.ErrFailed) != tt.failJob {
				t.Errorf("Run error %v wraps ErrFailed: %v, want %v", err, errors.Is(err, runner.ErrFailed), tt.failJob)
			}
			if tt.keepGoing && sum.Done() != 10 {
				t.Errorf("Done() = %d, want 10", sum.Done())
			}
		})
	}
}

func TestStatusesCounted(t *testing.T) {
	defer goleak.VerifyNone(t)
	statuses := []runner.Status{runner.OK, runner.Skipped, runner.Skipped, runner.Duplicate, runner.Duplicate, runner.Duplicate, runner.OK}
	process := func(_ context.Context, i int) runner.Result {
		return runner.Result{Src: src(i), Status: statuses[i], BytesIn: 1}
	}
	sum, err := runWithin(t, t.Context(), upTo(len(statuses)), process, runner.Options{Jobs: 2})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	sum.Elapsed = 0
	want := runner.Summary{OK: 2, Skipped: 2, Duplicate: 3, BytesIn: int64(len(statuses))}
	if sum != want {
		t.Errorf("Summary = %+v, want %+v", sum, want)
	}
}

func TestStatusText(t *testing.T) {
	tests := []struct {
		s    runner.Status
		want string
	}{
		{runner.OK, "ok"},
		{runner.Failed, "failed"},
		{runner.Skipped, "skipped"},
		{runner.Duplicate, "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.s.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			text, err := tt.s.MarshalText()
			if err != nil || string(text) != tt.want {
				t.Errorf("MarshalText() = %q, %v; want %q, nil", text, err, tt.want)
			}
			js, err := json.Marshal(struct{ S runner.Status }{tt.s})
			if want := `{"S":"` + tt.want + `"}`; err != nil || string(js) != want {
				t.Errorf("json.Marshal = %s, %v; want %s", js, err, want)
			}
		})
	}
}

// TestVirtualTime runs jobs that sleep in a synctest bubble, where time is
// virtual, so the elapsed time of the run is exact: waves of opts.Jobs jobs
// each sleeping one second.
func TestVirtualTime(t *testing.T) {
	tests := []struct {
		n, jobs int
		want    time.Duration
	}{
		{100, 4, 25 * time.Second},
		{10, 3, 4 * time.Second},
		{1, 8, 1 * time.Second},
		{0, 8, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d jobs by %d", tt.n, tt.jobs), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				process := func(ctx context.Context, i int) runner.Result {
					time.Sleep(time.Second)
					return ok(ctx, i)
				}
				sum, err := runner.Run(t.Context(), upTo(tt.n), process, runner.Options{Jobs: tt.jobs})
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				if sum.OK != tt.n || sum.Elapsed != tt.want {
					t.Errorf("OK, Elapsed = %d, %v; want %d, %v", sum.OK, sum.Elapsed, tt.n, tt.want)
				}
			})
		})
	}
}

func BenchmarkRun(b *testing.B) {
	process := func(_ context.Context, i int) runner.Result {
		return runner.Result{Status: runner.OK}
	}
	b.ReportAllocs()
	sum, err := runner.Run(b.Context(), upTo(b.N), process, runner.Options{Jobs: runtime.NumCPU()})
	if err != nil || sum.OK != b.N {
		b.Fatalf("Run = %+v, %v; want %d OK", sum, err, b.N)
	}
}

// countingObserver counts Queued calls where another goroutine can read them.
type countingObserver struct{ queued atomic.Int64 }

func (c *countingObserver) Queued()                { c.queued.Add(1) }
func (c *countingObserver) Finished(runner.Result) {}

func TestLookaheadLetsTheQueueRunAhead(t *testing.T) {
	defer goleak.VerifyNone(t)
	release := make(chan struct{})
	obs := &countingObserver{}
	produce := func(ctx context.Context, emit func(int) bool) error {
		for i := range 20 {
			if !emit(i) {
				return nil
			}
		}
		return nil
	}
	process := func(ctx context.Context, i int) runner.Result {
		<-release
		return runner.Result{Src: strconv.Itoa(i)}
	}
	done := make(chan runner.Summary)
	go func() {
		sum, _ := runner.Run(context.Background(), produce, process, runner.Options{Jobs: 1, Lookahead: 10, Observer: obs})
		done <- sum
	}()
	// One job in its worker, one held by the dispatcher waiting for a
	// token, ten in the queue: twelve handed over before any finished.
	deadline := time.Now().Add(10 * time.Second)
	for obs.queued.Load() < 12 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := obs.queued.Load(); got != 12 {
		t.Errorf("%d jobs queued while the first was blocked, want 12", got)
	}
	close(release)
	if sum := <-done; sum.OK != 20 {
		t.Errorf("%d jobs done, want 20", sum.OK)
	}
}
