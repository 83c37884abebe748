package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/thumbs-dev/thumbs/internal/thumbnail"
)

// maxImageBytes is the largest image --stdout reads.
const maxImageBytes = 1 << 30

// runToStdout makes the thumbnail of the one image o names, a file or
// stdin, and writes it to o.Out. It writes nothing else: no run record, no
// output directory.
func runToStdout(ctx context.Context, o *Options) error {
	name, in := "stdin", o.In
	if len(o.Paths) == 1 && o.Paths[0] != "-" {
		name = o.Paths[0]
		f, err := os.Open(name)
		if err != nil {
			return err // it names the file
		}
		defer f.Close()
		in = f
	} else if d, ok := in.(deadliner); ok {
		stop := context.AfterFunc(ctx, func() { d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	data, err := io.ReadAll(io.LimitReader(in, maxImageBytes+1))
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxImageBytes {
		return fmt.Errorf("%s: over %d MiB, the most --stdout reads", name, maxImageBytes>>20)
	}
	thumbs, err := thumbnail.Make(ctx, data, o.Batch.Thumb)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := o.Out.Write(thumbs[0].Data); err != nil {
		return fmt.Errorf("write the thumbnail to stdout: %w", err)
	}
	return nil
}
