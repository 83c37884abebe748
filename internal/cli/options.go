package cli

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/thumbs-dev/thumbs/internal/batch"
	"github.com/thumbs-dev/thumbs/internal/source"
	"github.com/thumbs-dev/thumbs/internal/thumbnail"
)

// Options is a command line of resize or check, parsed and checked.
type Options struct {
	Streams
	Check bool     // the command is check, not resize
	Paths []string // the PATH arguments
	// Batch holds the options of the run; Observer, Finder.Stdin,
	// Finder.Cwd and Thumb.Memory are left for the run to set.
	Batch    batch.Options
	JSON     bool
	Verbose  bool
	Progress string // "auto", "always" or "never"
	// ToStdout asks for the thumbnail of one image, named by Paths (stdin
	// when Paths is empty or "-"), on Out.
	ToStdout bool
}

// readsStdin reports whether the paths of o come from stdin, as a list.
func (o *Options) readsStdin() bool {
	if len(o.Paths) == 0 {
		return true
	}
	for _, p := range o.Paths {
		if p == "-" {
			return true
		}
	}
	return false
}

// options checks how the flags v go together and returns the options of
// command c with args as its paths, reading and writing s. Its errors are
// usage errors that name the flags at fault.
func (v *flagValues) options(cmd *cobra.Command, args []string, s Streams, c command) (*Options, error) {
	bad := func(format string, a ...any) (*Options, error) {
		return nil, usageError{fmt.Errorf(format, a...)}
	}
	t := thumbnail.Options{
		Boxes: v.boxes.boxes, Fit: v.fit, Crop: v.crop, Upscale: v.upscale,
		Format: v.format, Quality: v.quality, Background: v.background,
		Strip: v.strip, KeepProfile: v.keepProfile, MaxPixels: int64(v.maxPixels),
	}
	if t.Crop == thumbnail.CropSmart && t.Fit != thumbnail.Cover {
		return bad("--crop smart needs --fit cover: with --fit %s the whole image is kept, so there is nothing to crop", t.Fit)
	}
	if v.name != "" {
		if err := batch.CheckTemplate(v.name, len(t.Boxes)); err != nil {
			return bad("--name: %v", err)
		}
	}
	if v.out == "" {
		return bad("--out: the output directory must not be empty")
	}
	jobs := v.jobs
	if jobs == 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	o := &Options{
		Streams: s, Check: c == checkCommand, Paths: args,
		JSON: v.json, Verbose: v.verbose, Progress: v.progress, ToStdout: v.toStdout,
		Batch: batch.Options{
			Out: v.out, Thumb: t, Name: v.name, Jobs: jobs, KeepGoing: v.keepGoing,
			Force: v.force, Prune: v.prune, DryRun: v.dryRun, Shard: v.shard,
			FailOnWarning: v.failOn == "warning",
			Finder:        source.Finder{Out: v.out, Null: v.null},
			Waiting: func(holder string) {
				fmt.Fprintf(s.ErrOut, "thumbs: %s is in use by %s; waiting for it to finish\n", v.out, holder)
			},
		},
	}
	if o.ToStdout {
		return o, checkToStdout(cmd, o)
	}
	if len(args) == 0 && isTerminal(s.In) {
		return bad("no PATH given, and stdin is a terminal: name files or directories, or pipe a list of paths")
	}
	return o, nil
}

// checkToStdout checks the command line of o, which asks for --stdout.
func checkToStdout(cmd *cobra.Command, o *Options) error {
	var clash []string
	for _, name := range []string{"out", "name", "json", "verbose", "dry-run", "prune", "force", "keep-going", "shard", "null", "progress"} {
		if cmd.Flags().Changed(name) {
			clash = append(clash, "--"+name)
		}
	}
	switch {
	case len(clash) > 0:
		return usageError{fmt.Errorf("--stdout writes one thumbnail and nothing else: it cannot be used with %s", strings.Join(clash, ", "))}
	case len(o.Batch.Thumb.Boxes) > 1:
		return usageError{fmt.Errorf("--stdout writes one thumbnail, but --size gives %d sizes", len(o.Batch.Thumb.Boxes))}
	case len(o.Paths) > 1:
		return usageError{fmt.Errorf("--stdout makes the thumbnail of one image, but %d PATHs are given", len(o.Paths))}
	case (len(o.Paths) == 0 || o.Paths[0] == "-") && isTerminal(o.In):
		return usageError{errors.New("--stdout: stdin is a terminal: pipe an image to thumbs, or name its file")}
	case isTerminal(o.Out):
		return usageError{errors.New("--stdout: stdout is a terminal: redirect it to a file or a pipe")}
	}
	return nil
}
