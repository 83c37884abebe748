package batch

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// MemoryBudget returns how many bytes of pixels the images of a run may
// hold at once: half the smallest of the machine's memory (MemTotal), the
// memory limit of the process's cgroup (v2 memory.max or v1
// memory.limit_in_bytes, the smallest along its path) and the Go runtime's
// memory limit (GOMEMLIMIT), or 2 GiB where none is known.
//
// Where a cgroup limit is below MemTotal and GOMEMLIMIT is not set,
// MemoryBudget also sets the Go runtime's soft memory limit
// (debug.SetMemoryLimit) to 85% of the cgroup limit, so that the garbage
// collector works harder before the kernel kills the process; the rest is
// left for goroutine stacks, the runtime and memory outside the Go heap.
// It is meant to be called once, at start.
func MemoryBudget() int64 {
	limits := readMemoryLimits(os.DirFS("/"))
	if goLimit := debug.SetMemoryLimit(-1); goLimit < math.MaxInt64 {
		limits.runtime = goLimit
	} else if limits.cgroup > 0 && (limits.memTotal == 0 || limits.cgroup < limits.memTotal) {
		debug.SetMemoryLimit(runtimeMemoryLimit(limits.cgroup))
	}
	return limits.budget()
}

// runtimeMemoryLimit is the Go runtime's soft memory limit for a cgroup
// memory limit: 85% of it.
func runtimeMemoryLimit(cgroup int64) int64 { return cgroup / 20 * 17 }

// memoryLimits are the limits on the process's memory, 0 when unknown.
type memoryLimits struct {
	memTotal int64 // the machine's memory
	cgroup   int64 // the process's cgroup's memory limit
	runtime  int64 // GOMEMLIMIT
}

// budget returns half the smallest known limit, or 2 GiB.
func (l memoryLimits) budget() int64 {
	limit := int64(0)
	for _, v := range []int64{l.memTotal, l.cgroup, l.runtime} {
		if v > 0 && (limit == 0 || v < limit) {
			limit = v
		}
	}
	if limit == 0 {
		return 2 << 30
	}
	return limit / 2
}

// readMemoryLimits reads MemTotal from proc/meminfo and the memory limit of
// the process's cgroup from sys/fs/cgroup under root.
func readMemoryLimits(root fs.FS) memoryLimits {
	return memoryLimits{memTotal: memTotal(root), cgroup: cgroupLimit(root)}
}

// memTotal returns MemTotal of root's proc/meminfo in bytes, or 0.
func memTotal(root fs.FS) int64 {
	data, err := fs.ReadFile(root, "proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kib int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kib); err == nil && kib > 0 {
				return kib * 1024
			}
		}
	}
	return 0
}

// unlimited is the value above which a cgroup v1 limit means none: the
// kernel writes the largest multiple of the page size below 2^63.
const unlimited = 1 << 62

// cgroupLimit returns the smallest memory limit on the way from the
// process's cgroup (proc/self/cgroup) to the root of its hierarchy, for
// cgroup v2 (memory.max under sys/fs/cgroup) and v1 (memory.limit_in_bytes
// under sys/fs/cgroup/memory), or 0 when there is none. Inside a container
// the cgroup's path may not exist under its mount, whose root is then the
// container's cgroup: the walk up reaches it.
func cgroupLimit(root fs.FS) int64 {
	data, err := fs.ReadFile(root, "proc/self/cgroup")
	if err != nil {
		return 0
	}
	var limit int64
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var dir, file string
		switch {
		case parts[0] == "0" && parts[1] == "":
			dir, file = "sys/fs/cgroup", "memory.max"
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			dir, file = "sys/fs/cgroup/memory", "memory.limit_in_bytes"
		default:
			continue
		}
		for p := path.Clean("/" + parts[2]); ; p = path.Dir(p) {
			if v := readLimit(root, path.Join(dir, p, file)); v > 0 && (limit == 0 || v < limit) {
				limit = v
			}
			if p == "/" {
				break
			}
		}
	}
	return limit
}

// readLimit returns the number in a cgroup limit file, or 0 when it is
// missing, "max" or unlimited.
func readLimit(root fs.FS, name string) int64 {
	data, err := fs.ReadFile(root, name)
	if err != nil {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || v <= 0 || v >= unlimited {
		return 0
	}
	return v
}

// openNonBlocking opens name for reading without waiting, should it be a
// FIFO, for a writer.
func openNonBlocking(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
