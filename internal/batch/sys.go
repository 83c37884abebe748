package batch

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// MemoryBudget returns how many bytes of pixels the images of a run may
// hold at once: half the machine's memory, or 2 GiB where that is unknown.
func MemoryBudget() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kib int64
				if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kib); err == nil && kib > 0 {
					return kib * 1024 / 2
				}
			}
		}
	}
	return 2 << 30
}

// openNonBlocking opens name for reading without waiting, should it be a
// FIFO, for a writer.
func openNonBlocking(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
