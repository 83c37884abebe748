package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/thumbs-dev/thumbs/internal/report"
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
// a run; it only sets the exit status to code.
type reportedError struct {
	err  error
	code int
}

func (e reportedError) Error() string { return e.err.Error() }
func (e reportedError) Unwrap() error { return e.err }

// signalError is why a run stopped on a signal.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "interrupted by " + e.sig.String() }

// Run executes the command line args with the given streams and returns
// the exit status: 0 when all went well, 1 when files failed, 2 for a usage
// error, 128+N when stopped by signal N.
//
// When stdin is a pipe, run reads it in non-blocking mode so that a signal
// can interrupt a pending read, and puts it back into blocking mode before
// it returns, since other processes may share the pipe.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	stdin, restore := interruptible(stdin)
	defer restore()
	ctx, stop := withSignals(context.Background(), restore)
	defer stop()
	cmd := NewRootCmd(Streams{In: stdin, Out: stdout, ErrOut: stderr}, nil, nil)
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
		fmt.Fprintf(stderr, "thumbs: %s\n", report.Escape(err.Error()))
		return exitUsage
	case errors.As(err, &reported):
		return reported.code
	}
	fmt.Fprintf(stderr, "thumbs: %s\n", report.Escape(err.Error()))
	return exitFailed
}

// withSignals returns a context cancelled, with a signalError as its cause,
// by the first SIGINT or SIGTERM. A second signal calls beforeExit and ends
// the process at once. stop releases the signals.
func withSignals(parent context.Context, beforeExit func()) (ctx context.Context, stop func()) {
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
			beforeExit()
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
