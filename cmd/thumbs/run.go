package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // one or more files failed, or thumbnails are stale
	exitUsage  = 2 // a flag or argument is wrong
	exitSignal = 128
)

// usageError is a mistake in the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// reportedError is a failure already shown to the user, by the report of
// a run; it only sets the exit status.
type reportedError struct{ err error }

func (e reportedError) Error() string { return e.err.Error() }
func (e reportedError) Unwrap() error { return e.err }

// signalError is why a run stopped on a signal.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "interrupted by " + e.sig.String() }

// run executes the command line args with the given streams and returns
// the exit status: 0 when all went well, 1 when files failed, 2 for a usage
// error, 128+N when stopped by signal N.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := withSignals(context.Background())
	defer stop()
	cmd := newRootCmd(stdin, stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var sig signalError
	var usage usageError
	var reported reportedError
	switch {
	case errors.As(err, &sig):
		fmt.Fprintf(stderr, "thumbs: %v\n", sig)
		return exitSignal + int(sig.sig)
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "thumbs: %v\nRun 'thumbs --help' for usage.\n", err)
		return exitUsage
	case errors.As(err, &reported):
		return exitFailed
	}
	fmt.Fprintf(stderr, "thumbs: %v\n", err)
	return exitFailed
}

// withSignals returns a context cancelled, with a signalError as its cause,
// by the first SIGINT or SIGTERM. A second signal ends the process at once.
// stop releases the signals.
func withSignals(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-signals:
			cancel(signalError{s.(syscall.Signal)})
		case <-done:
			return
		}
		select {
		case s := <-signals:
			os.Exit(exitSignal + int(s.(syscall.Signal)))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(signals)
		close(done)
		cancel(nil)
	}
}

// interruptible returns stdin as a file whose reads a signal can interrupt:
// when it is a pipe, it is switched to non-blocking mode so that Go's
// poller, and with it read deadlines, can manage it. Anything else is
// returned as it is.
func interruptible(stdin *os.File) *os.File {
	info, err := stdin.Stat()
	if err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		return stdin
	}
	if err := syscall.SetNonblock(int(stdin.Fd()), true); err != nil {
		return stdin
	}
	return os.NewFile(stdin.Fd(), stdin.Name())
}
