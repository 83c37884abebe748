package heif

import (
	"context"
	"testing"
)

// BenchmarkFirstDecode measures what the first HEIC of a process costs: an
// engine made, the module compiled (cold: into an empty cache directory)
// or loaded from the cache (warm), an instance started, and a 32x32
// picture decoded.
func BenchmarkFirstDecode(b *testing.B) {
	data := readFixture(b, "pattern-32x32.heic")
	first := func(b *testing.B, dir string) {
		e := NewEngine(dir, 1)
		if _, err := e.DecodeHEIC(context.Background(), data); err != nil {
			b.Fatal(err)
		}
		e.Close(context.Background())
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			first(b, b.TempDir())
		}
	})
	b.Run("warm", func(b *testing.B) {
		dir := b.TempDir()
		first(b, dir)
		for b.Loop() {
			first(b, dir)
		}
	})
}

// BenchmarkDecodeHEIC measures a decode in a running engine: a reused
// instance, a 320x213 picture (the size of a phone's thumbnail item).
func BenchmarkDecodeHEIC(b *testing.B) {
	data := readFixture(b, "pattern-320x213.heic")
	e := NewEngine(sharedCacheDir, 1)
	defer e.Close(context.Background())
	if _, err := e.DecodeHEIC(context.Background(), data); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := e.DecodeHEIC(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}
