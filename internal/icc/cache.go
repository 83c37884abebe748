package icc

import (
	"bytes"
	"crypto/sha256"
	"sync"
	"sync/atomic"
)

// maxCached bounds the transforms the cache keeps; past it, transforms of
// new profiles are built on every call instead. A run sees a handful of
// distinct profiles; a few CMYK transforms take about a megabyte each.
const maxCached = 32

// cache maps the SHA-256 of a profile's bytes to a function building its
// transform once.
var (
	cache       sync.Map // [sha256.Size]byte -> func() (*Transform, error)
	cachedCount atomic.Int64
)

// Cached parses the profile data and returns its transform to sRGB,
// building it once per distinct profile for the life of the process.
// It is safe for concurrent use; concurrent calls for the same profile
// wait for the first to build the transform and share it, and its error.
func Cached(data []byte) (*Transform, error) {
	key := sha256.Sum256(data)
	if f, ok := cache.Load(key); ok {
		return f.(func() (*Transform, error))()
	}
	data = bytes.Clone(data) // the caller's slice may hold a whole file
	build := sync.OnceValues(func() (*Transform, error) {
		p, err := Parse(data)
		if err != nil {
			return nil, err
		}
		return NewTransform(p)
	})
	if cachedCount.Load() >= maxCached {
		return build()
	}
	f, loaded := cache.LoadOrStore(key, build)
	if !loaded {
		cachedCount.Add(1)
	}
	return f.(func() (*Transform, error))()
}
