package cli

import (
	"context"
	"errors"
	"os"

	"golang.org/x/sync/semaphore"
	"golang.org/x/term"

	"github.com/thumbs-dev/thumbs/internal/batch"
	"github.com/thumbs-dev/thumbs/internal/report"
	"github.com/thumbs-dev/thumbs/internal/runner"
)

// runResize makes the thumbnails o asks for.
func runResize(ctx context.Context, o *Options) error {
	if o.ToStdout {
		return runToStdout(ctx, o)
	}
	if err := o.prepare(ctx); err != nil {
		return err
	}
	progress := o.Progress == "always" || (o.Progress == "auto" && isTerminal(o.ErrOut))
	rep := report.New(report.Options{
		Stdout: o.Out, Stderr: o.ErrOut,
		JSON: o.JSON, Verbose: o.Verbose, Progress: progress, DryRun: o.Batch.DryRun,
		Out:            o.Batch.Out,
		SharedTerminal: isTerminal(o.Out) && isTerminal(o.ErrOut),
	})
	o.Batch.Observer = rep
	result, err := batch.Resize(ctx, o.Paths, o.Batch)
	return finish(rep, result.Summary, result.Pruned, err)
}

// runCheck lists the sources whose thumbnails o finds stale.
func runCheck(ctx context.Context, o *Options) error {
	if err := o.prepare(ctx); err != nil {
		return err
	}
	rep := report.New(report.Options{Stdout: o.Out, Stderr: o.ErrOut, JSON: o.JSON, Check: true, Out: o.Batch.Out})
	o.Batch.Observer = rep
	sum, err := batch.Check(ctx, o.Paths, o.Batch)
	return finish(rep, sum, nil, err)
}

// prepare sets the options that belong to a run rather than to its command
// line: the memory budget, the working directory and the path list on
// stdin, which it refuses when it holds an image instead.
func (o *Options) prepare(ctx context.Context) error {
	o.Batch.Thumb.MemoryLimit = batch.MemoryBudget()
	o.Batch.Thumb.Memory = semaphore.NewWeighted(o.Batch.Thumb.MemoryLimit)
	o.Batch.Finder.Cwd, _ = os.Getwd()
	o.Batch.Finder.Stdin = o.In
	if !o.readsStdin() {
		return nil
	}
	stdin, err := peekPathList(ctx, o.In, o.Batch.Finder.Null)
	if err != nil {
		return err
	}
	o.Batch.Finder.Stdin = stdin
	return nil
}

// finish ends the report of a run and returns what sets the exit status.
// Failures of single files were shown as they happened; every other
// failure of the run is shown here, once, on stderr and in the JSON summary.
func finish(rep *report.Reporter, sum runner.Summary, pruned []string, err error) error {
	var sig signalError
	switch {
	case errors.As(err, &sig):
		rep.Summary(sum, pruned, nil)
		return err
	case errors.Is(err, batch.ErrNoSources):
		rep.Abort(err)
		return reportedError{err: err, code: exitUsage}
	case errors.Is(err, batch.ErrSetup):
		rep.Abort(err)
		return reportedError{err: err, code: exitFailed}
	}
	rep.Summary(sum, pruned, unreported(err))
	if err == nil {
		return nil
	}
	return reportedError{err: err, code: exitFailed}
}

// unreported returns the failures in err that no file's result has shown:
// err itself, or each part of a joined error, less those that wrap
// runner.ErrFailed.
func unreported(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unreported(e)...)
		}
		return out
	}
	if err == nil || errors.Is(err, runner.ErrFailed) {
		return nil
	}
	return []error{err}
}

// isTerminal reports whether stream is a terminal. It asks for the file
// descriptor only of character devices, since that puts a pipe back into
// blocking mode.
func isTerminal(stream any) bool {
	file, ok := stream.(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0 && term.IsTerminal(int(file.Fd()))
}
