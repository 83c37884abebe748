//go:build unix

package cli

import (
	"io"
	"os"
	"syscall"
)

// interruptible returns stdin as a reader whose reads a signal can
// interrupt, and a function that undoes what it did. When stdin is a pipe,
// it is switched to non-blocking mode so that Go's poller, and with it read
// deadlines, can manage it; restore switches it back. Anything else is
// returned as it is, with a restore that does nothing.
func interruptible(stdin io.Reader) (r io.Reader, restore func()) {
	file, ok := stdin.(*os.File)
	if !ok {
		return stdin, func() {}
	}
	info, err := file.Stat()
	if err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		return stdin, func() {}
	}
	fd := int(file.Fd())
	if err := syscall.SetNonblock(fd, true); err != nil {
		return stdin, func() {}
	}
	return os.NewFile(uintptr(fd), file.Name()), func() { syscall.SetNonblock(fd, false) }
}
