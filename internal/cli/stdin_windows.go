package cli

import "io"

// interruptible returns stdin as it is: Windows pipes have no
// non-blocking mode for Go's poller to use, so a signal cannot interrupt a
// pending read of a path list there; the run stops once the read returns.
func interruptible(stdin io.Reader) (r io.Reader, restore func()) {
	return stdin, func() {}
}
