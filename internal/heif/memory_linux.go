package heif

import (
	"context"
	"math/bits"

	"github.com/tetratelabs/wazero/experimental"
	"golang.org/x/sys/unix"
)

// withLinearMemory returns ctx set to give the instances made with it
// linear memory of their own mapping, outside the Go heap: reserved whole
// (4 GiB for these modules, which declare no maximum) but committed only as
// the module grows it, never copied to grow, and returned to the system
// when the instance is closed rather than when the garbage collector gets
// to it. Where the address space is too small for that (32-bit), ctx is
// returned as it is, and wazero's own Go slices are used.
func withLinearMemory(ctx context.Context) context.Context {
	if bits.UintSize < 64 {
		return ctx
	}
	return experimental.WithMemoryAllocator(ctx, experimental.MemoryAllocatorFunc(newMappedMemory))
}

// A mappedMemory is linear memory in an anonymous private mapping, of
// which the first committed bytes are readable and writable.
type mappedMemory struct {
	mapped    []byte // the whole reservation; nil when it failed
	committed int
	fallback  []byte // used when the reservation failed
}

func newMappedMemory(_, max uint64) experimental.LinearMemory {
	m := &mappedMemory{}
	if max == 0 || max > 1<<32 {
		max = 1 << 32
	}
	b, err := unix.Mmap(-1, 0, int(max), unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
	if err == nil {
		m.mapped = b
	}
	return m
}

// Reallocate implements experimental.LinearMemory: it returns the first
// size bytes, or nil if they cannot be had.
func (m *mappedMemory) Reallocate(size uint64) []byte {
	if m.mapped == nil {
		if size > uint64(cap(m.fallback)) {
			grown := make([]byte, size, max(size, 2*uint64(cap(m.fallback))))
			copy(grown, m.fallback)
			m.fallback = grown
		}
		m.fallback = m.fallback[:size]
		return m.fallback
	}
	if size > uint64(len(m.mapped)) {
		return nil
	}
	if n := int(size); n > m.committed {
		page := unix.Getpagesize()
		end := min((n+page-1)/page*page, len(m.mapped))
		if err := unix.Mprotect(m.mapped[m.committed:end], unix.PROT_READ|unix.PROT_WRITE); err != nil {
			return nil
		}
		m.committed = end
	}
	return m.mapped[:size]
}

// Free implements experimental.LinearMemory.
func (m *mappedMemory) Free() {
	if m.mapped != nil {
		unix.Munmap(m.mapped)
		m.mapped = nil
	}
	m.fallback = nil
}
