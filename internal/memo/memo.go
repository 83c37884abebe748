// Package memo computes a value once per key however many goroutines ask
// for it, and keeps finished values within a size budget.
package memo

import (
	"context"
	"fmt"
	"sync"
)

// Memo caches the results of a function by key. The first Get of a key
// computes; concurrent Gets of the same key wait for that computation and
// share its result. Successful results are kept, oldest dropped first, while
// their total size stays within the budget; errors are not kept. A Memo is
// safe for concurrent use and must be made with New.
type Memo[V any] struct {
	size  func(V) int64
	limit int64

	mu       sync.Mutex
	entries  map[string]*entry[V]
	finished []string // keys of kept results, oldest first
	used     int64
}

type entry[V any] struct {
	ready chan struct{} // closed when value and err are set
	value V
	err   error
	size  int64
}

// New returns a Memo that keeps results whose sizes, as told by size, add
// up to at most limit.
func New[V any](limit int64, size func(V) int64) *Memo[V] {
	return &Memo[V]{size: size, limit: limit, entries: make(map[string]*entry[V])}
}

// Get returns the value for key, calling compute to make it unless another
// call has made it or is making it. A caller waiting for another's
// computation gives up when ctx is cancelled. shared reports whether the
// value came from another call's computation. When compute panics, the
// panic continues in the caller that ran it, and the callers waiting for
// that computation return an error that says so.
func (m *Memo[V]) Get(ctx context.Context, key string, compute func() (V, error)) (value V, shared bool, err error) {
	m.mu.Lock()
	e := m.entries[key]
	if e != nil {
		m.mu.Unlock()
		select {
		case <-e.ready:
			return e.value, true, e.err
		case <-ctx.Done():
			var zero V
			return zero, false, ctx.Err()
		}
	}
	e = &entry[V]{ready: make(chan struct{})}
	m.entries[key] = e
	m.mu.Unlock()

	// A panicking compute must not strand the waiters: they are woken with
	// an error, the key is forgotten, and the panic goes on in this caller.
	defer func() {
		if p := recover(); p != nil {
			e.err = fmt.Errorf("panic: %v", p)
			m.mu.Lock()
			delete(m.entries, key)
			m.mu.Unlock()
			close(e.ready)
			panic(p)
		}
	}()
	e.value, e.err = compute()
	close(e.ready)

	m.mu.Lock()
	defer m.mu.Unlock()
	if e.err != nil {
		delete(m.entries, key)
		return e.value, false, e.err
	}
	e.size = m.size(e.value)
	m.finished = append(m.finished, key)
	m.used += e.size
	for m.used > m.limit && len(m.finished) > 0 {
		oldest := m.finished[0]
		m.finished = m.finished[1:]
		m.used -= m.entries[oldest].size
		delete(m.entries, oldest)
	}
	return e.value, false, nil
}
