package memo

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConcurrentCallersShareOneComputation(t *testing.T) {
	m := New(1<<20, func(s string) int64 { return int64(len(s)) })
	var calls atomic.Int32
	release := make(chan struct{})
	compute := func() (string, error) {
		calls.Add(1)
		<-release
		return "thumb", nil
	}
	const callers = 50
	var wg sync.WaitGroup
	var sharedCount atomic.Int32
	results := make(chan string, callers)
	for range callers {
		wg.Go(func() {
			v, shared, err := m.Get(context.Background(), "k", compute)
			if err != nil {
				t.Error(err)
			}
			if shared {
				sharedCount.Add(1)
			}
			results <- v
		})
	}
	// Let every caller arrive before the computation finishes.
	for calls.Load() == 0 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	close(results)
	if got := calls.Load(); got != 1 {
		t.Errorf("compute ran %d times, want 1", got)
	}
	for v := range results {
		if v != "thumb" {
			t.Errorf("got %q, want %q", v, "thumb")
		}
	}
	if got := sharedCount.Load(); got != callers-1 {
		t.Errorf("%d callers shared the value, want %d", got, callers-1)
	}
}

func TestErrorsAreNotKept(t *testing.T) {
	m := New(1<<20, func(s string) int64 { return int64(len(s)) })
	boom := errors.New("boom")
	if _, _, err := m.Get(context.Background(), "k", func() (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	v, shared, err := m.Get(context.Background(), "k", func() (string, error) { return "ok", nil })
	if err != nil || v != "ok" || shared {
		t.Fatalf("after an error Get = %q, %v, %v; want a fresh computation", v, shared, err)
	}
}

func TestBudgetDropsOldestFirst(t *testing.T) {
	m := New(10, func(s string) int64 { return int64(len(s)) })
	get := func(key string) (computed bool) {
		_, _, err := m.Get(context.Background(), key, func() (string, error) {
			computed = true
			return "12345", nil // 5 bytes: two fit in the budget
		})
		if err != nil {
			t.Fatal(err)
		}
		return computed
	}
	for _, step := range []struct {
		key      string
		computed bool
	}{{"a", true}, {"b", true}, {"a", false}, {"c", true}, {"b", false}, {"a", true}} {
		if got := get(step.key); got != step.computed {
			t.Errorf("Get(%q) computed = %v, want %v", step.key, got, step.computed)
		}
	}
}

func TestWaiterGivesUpOnCancel(t *testing.T) {
	m := New(1<<20, func(s string) int64 { return 1 })
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Get(context.Background(), "k", func() (string, error) {
			close(started)
			<-release
			return "v", nil
		})
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := m.Get(ctx, "k", func() (string, error) { return "other", nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("waiter err = %v, want context.Canceled", err)
	}
	close(release)
	<-done
}

// TestPanicWakesWaiters: a compute that panics must not strand the callers
// waiting for it; they get an error, the panic goes on in the computing
// caller, and a later Get of the key computes again.
func TestPanicWakesWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(1<<20, func(s string) int64 { return int64(len(s)) })
		release := make(chan struct{})
		panicked := make(chan any, 1)
		go func() {
			defer func() { panicked <- recover() }()
			m.Get(context.Background(), "k", func() (string, error) {
				<-release
				panic("decoder exploded")
			})
		}()
		synctest.Wait()
		const waiters = 5
		errs := make(chan error, waiters)
		for range waiters {
			go func() {
				_, _, err := m.Get(context.Background(), "k", func() (string, error) { return "", errors.New("not the first") })
				errs <- err
			}()
		}
		synctest.Wait() // every waiter blocks on the first computation
		close(release)
		for range waiters {
			if err := <-errs; err == nil || err.Error() != "panic: decoder exploded" {
				t.Errorf("waiter got %v, want the panic as an error", err)
			}
		}
		if p := <-panicked; p != "decoder exploded" {
			t.Errorf("computing caller recovered %v, want the panic to go on", p)
		}
		if v, shared, err := m.Get(context.Background(), "k", func() (string, error) { return "again", nil }); v != "again" || shared || err != nil {
			t.Errorf("Get after the panic = %q, %v, %v; want a new computation", v, shared, err)
		}
	})
}
