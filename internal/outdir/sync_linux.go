package outdir

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS flushes the whole file system holding f to stable storage.
func syncFS(f *os.File) error { return unix.Syncfs(int(f.Fd())) }
