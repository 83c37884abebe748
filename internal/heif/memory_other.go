//go:build !linux

package heif

import "context"

// withLinearMemory returns ctx: outside Linux, instances keep their linear
// memory in wazero's own Go slices.
func withLinearMemory(ctx context.Context) context.Context { return ctx }
