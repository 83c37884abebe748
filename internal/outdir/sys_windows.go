package outdir

import (
	"os"
)

// syncFS flushes the file system holding f as far as Windows allows from
// an open directory: not at all, so a power loss may take back outputs
// that the record names; their recorded sizes and sums then mark them
// stale.
func syncFS(*os.File) error { return nil }

// processAlive reports whether a process with id pid exists. On Windows
// FindProcess opens the process, which fails when there is none.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
