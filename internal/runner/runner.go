// Package runner runs many independent jobs concurrently with a bounded
// number of workers, stops on the first failure unless told to keep going,
// and collects their results in one goroutine.
package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// Status is the outcome of one job.
type Status int

// The outcomes of a job.
const (
	OK        Status = iota // the job made its outputs
	Failed                  // the job could not be done; Result.Err says why
	Skipped                 // the job's outputs were already current
	Duplicate               // the job repeats one already in the run
)

var statusNames = [...]string{OK: "ok", Failed: "failed", Skipped: "skipped", Duplicate: "duplicate"}

// String returns the status as it appears in JSON output: "ok", "failed",
// "skipped" or "duplicate".
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// MarshalText encodes the status as its String.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Output is one file a job wrote.
type Output struct {
	Path          string
	Width, Height int
	Bytes         int64
}

// Result is what a job reports when it finishes.
type Result struct {
	Src      string
	Status   Status
	Outputs  []Output
	BytesIn  int64
	Err      error
	Warnings []string // what went wrong without stopping the job
}

// BytesOut returns the total size of the result's outputs.
func (r Result) BytesOut() int64 {
	var n int64
	for _, o := range r.Outputs {
		n += o.Bytes
	}
	return n
}

// Summary counts the results of a run.
type Summary struct {
	OK, Failed, Skipped, Duplicate int
	BytesIn, BytesOut              int64
	Elapsed                        time.Duration
}

// Done returns the number of jobs that finished, whatever their status.
func (s Summary) Done() int { return s.OK + s.Failed + s.Skipped + s.Duplicate }

func (s *Summary) add(r Result) {
	switch r.Status {
	case OK:
		s.OK++
	case Failed:
		s.Failed++
	case Skipped:
		s.Skipped++
	case Duplicate:
		s.Duplicate++
	}
	s.BytesIn += r.BytesIn
	s.BytesOut += r.BytesOut()
}

// Observer is told about a run as it goes. Its methods are called from the
// goroutine that called Run, one at a time, so they need no locking.
type Observer interface {
	// Queued is called when the producer hands over one more job.
	Queued()
	// Finished is called with each job's result, in order of completion.
	Finished(Result)
}

// Options configure a run.
type Options struct {
	Jobs      int      // most jobs processed at once; 0 or less means runtime.NumCPU()
	KeepGoing bool     // do every job even after failures
	Observer  Observer // may be nil
	// Lookahead is how many jobs the producer may hand over before the
	// dispatcher takes them, so that the count of queued jobs can run
	// ahead of the work; 0 hands each over directly.
	Lookahead int
}

// Producer hands jobs to a run by calling emit for each. emit returns false
// once the run is cancelled; the producer should then return. An error it
// returns counts as a failure of the run.
type Producer[J any] func(ctx context.Context, emit func(J) bool) error

// Process does one job. It should return promptly once ctx is cancelled,
// with a Failed result whose error wraps context.Canceled. A job type that
// implements fmt.Stringer is named by its String in the error of a panic.
type Process[J any] func(ctx context.Context, job J) Result

// ErrFailed is wrapped by every error of Run that comes from a job's
// failure: such a failure was shown to the Observer already, as that
// job's Result.
var ErrFailed = errors.New("some files failed")

// jobFailure is the error of a job's failure that stopped a run.
type jobFailure struct{ err error }

func (e jobFailure) Error() string        { return e.err.Error() }
func (e jobFailure) Unwrap() error        { return e.err }
func (e jobFailure) Is(target error) bool { return target == ErrFailed }

// Run feeds the jobs of produce to process, at most opts.Jobs at a time, and
// returns the summary of their results. Goroutines are started only as
// tokens allow: at most opts.Jobs workers exist besides the producer, the
// dispatcher and one closer, however many jobs there are.
//
// One context, derived from ctx, is seen by the producer and by every job;
// it is cancelled when ctx is, and, unless opts.KeepGoing is set, on the
// first failure. A panic in process is recovered and reported as that job's
// failure. Run returns only after every goroutine it started has ended. Its
// error is the first failure's error (or the producer's), the cause of ctx's
// cancellation, or, in keep-going mode, ErrFailed when any job failed
// joined with the producer's error, if any. Errors that come from jobs wrap
// ErrFailed; a producer's error does not.
func Run[J any](ctx context.Context, produce Producer[J], process Process[J], opts Options) (Summary, error) {
	start := time.Now()
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	type event struct {
		queued   bool
		result   Result
		producer error
	}
	events := make(chan event)
	tokens := make(chan struct{}, jobs)
	var wg sync.WaitGroup

	// The producer hands jobs over through a queue of opts.Lookahead; the
	// dispatcher takes each job from it, acquires a token, then starts its
	// worker. The collector below drains events until they are closed, so
	// no send to it can block for ever.
	queue := make(chan J, max(opts.Lookahead, 0))
	wg.Go(func() {
		defer close(queue)
		emit := func(job J) bool {
			if ctx.Err() != nil {
				return false
			}
			select {
			case queue <- job:
			case <-ctx.Done():
				return false
			}
			events <- event{queued: true}
			return true
		}
		if err := produce(ctx, emit); err != nil {
			events <- event{producer: err}
		}
	})
	wg.Go(func() {
		for job := range queue {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if ctx.Err() != nil { // select picks at random when both are ready
				return
			}
			wg.Go(func() {
				defer func() { <-tokens }()
				events <- event{result: protect(ctx, process, job)}
			})
		}
	})
	go func() {
		wg.Wait()
		close(events)
	}()

	var sum Summary
	var producerErr error
	fail := func(err error) {
		if !opts.KeepGoing {
			cancel(err)
		}
	}
	for ev := range events {
		switch {
		case ev.queued:
			if opts.Observer != nil {
				opts.Observer.Queued()
			}
		case ev.producer != nil:
			if !errors.Is(ev.producer, context.Canceled) {
				producerErr = ev.producer
				fail(ev.producer)
			}
		default:
			r := ev.result
			if r.Status == Failed && ctx.Err() != nil && (errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, context.DeadlineExceeded)) {
				continue // stopped by cancellation, not a failure of its own
			}
			sum.add(r)
			if opts.Observer != nil {
				opts.Observer.Finished(r)
			}
			if r.Status == Failed {
				fail(jobFailure{r.Err})
			}
		}
	}
	sum.Elapsed = time.Since(start)

	if err := context.Cause(ctx); err != nil {
		return sum, err // the first failure, or why the caller cancelled
	}
	var err error
	if sum.Failed > 0 {
		err = fmt.Errorf("%d of %d files failed: %w", sum.Failed, sum.Done(), ErrFailed)
	}
	return sum, errors.Join(err, producerErr) // in keep-going mode
}

// protect calls process, turning a panic into the job's failure.
func protect[J any](ctx context.Context, process Process[J], job J) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Src: fmt.Sprint(job), Status: Failed, Err: fmt.Errorf("%v: panic: %v", job, p)}
		}
	}()
	return process(ctx, job)
}
