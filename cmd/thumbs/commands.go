package main

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sync/semaphore"
	"golang.org/x/term"

	"github.com/thumbs-dev/thumbs/internal/batch"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/manifest"
	"github.com/thumbs-dev/thumbs/internal/release"
	"github.com/thumbs-dev/thumbs/internal/report"
	"github.com/thumbs-dev/thumbs/internal/runner"
	"github.com/thumbs-dev/thumbs/internal/source"
	"github.com/thumbs-dev/thumbs/internal/thumbnail"
)

// flags holds the command line of resize and check as given.
type flags struct {
	out, format, fit, crop, background, name, progress, shard string
	sizes                                                     []string
	quality, jobs                                             int
	maxPixels                                                 int64
	upscale, strip, keepGoing, json, verbose, null            bool
	force, prune, dryRun                                      bool
}

const resizeHelp = `thumbs makes thumbnails of many images at once.

Each PATH is an image file or a directory, walked recursively for images
(.jpg .jpeg .png .gif .tif .tiff .bmp .webp .heic .heif .avif, in any case).
With no PATH, or the PATH "-", paths are read from stdin, one per line
(NUL-separated with -0). Thumbnails go under --out: a directory's tree is
mirrored there, a file argument lands at its base name, and a path from stdin
is mirrored as given.

Runs are incremental: a manifest in the output directory records what was
made, and a re-run skips sources whose thumbnails are current.

Exit status: 0 all done, 1 one or more files failed, 2 usage error,
130 on SIGINT, 143 on SIGTERM.`

const examples = `  thumbs resize ./photos                      # 256x256 boxes into ./thumbs
  thumbs -s 320,640,1280 -f webp -o site/img photos
  find . -name '*.jpg' -print0 | thumbs -0 -o thumbs
  thumbs --fit cover --crop smart -s 200x200 --json photos
  thumbs check photos -o thumbs               # exit 1 if any thumbnail is stale`

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f flags
	root := &cobra.Command{
		Use:           "thumbs [flags] [PATH...]",
		Short:         "Make thumbnails of many images at once",
		Long:          resizeHelp,
		Example:       examples,
		Args:          cobra.ArbitraryArgs,
		Version:       versionLine(),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runResize(cmd, args, f)
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.SetVersionTemplate("{{.Version}}\n")
	addFlags(root.Flags(), &f, true)

	var rf flags
	resize := &cobra.Command{
		Use:     "resize [flags] [PATH...]",
		Short:   "Make thumbnails (the default command)",
		Long:    resizeHelp,
		Example: examples,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runResize(cmd, args, rf)
		},
	}
	addFlags(resize.Flags(), &rf, true)

	var cf flags
	check := &cobra.Command{
		Use:   "check [flags] [PATH...]",
		Short: "List sources whose thumbnails are missing or stale; exit 1 if any",
		Long: `check writes nothing. It lists on stdout every source whose thumbnails under
--out are missing or out of date for the given options, and exits 1 if there
is any, 0 otherwise: a CI step that verifies committed thumbnails.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, args, cf)
		},
	}
	addFlags(check.Flags(), &cf, false)

	version := &cobra.Command{
		Use:   "version",
		Short: "Print the versions of thumbs, Go and the modules it is built from",
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.NoArgs(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprint(cmd.OutOrStdout(), versionReport())
			return nil
		},
	}
	root.AddCommand(resize, check, version, newRecordCmd())
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	}
	return root
}

// addFlags defines the flags of resize (all) or check (writing false: those
// that shape thumbnails and find sources).
func addFlags(fs *pflag.FlagSet, f *flags, writing bool) {
	fs.StringVarP(&f.out, "out", "o", "thumbs", "output `DIR`, created if missing")
	fs.StringSliceVarP(&f.sizes, "size", "s", []string{"256"}, "box to fit: N, WxH, Wx or xH; several as 320,640 or repeated")
	fs.StringVarP(&f.format, "format", "f", "auto", "output format: auto (JPEG, or PNG with transparency), jpeg, png, webp, avif")
	fs.IntVarP(&f.quality, "quality", "q", 85, "JPEG, WebP and AVIF quality, 1-100")
	fs.StringVar(&f.fit, "fit", "contain", "contain (inside the box) or cover (fill the box, crop the overflow)")
	fs.StringVar(&f.crop, "crop", "center", "with --fit cover, what to keep: center or smart (the most detailed region)")
	fs.BoolVar(&f.upscale, "upscale", false, "enlarge images smaller than the box")
	fs.StringVar(&f.background, "background", "white", "colour transparency is flattened onto for JPEG: white, black or #rrggbb")
	fs.BoolVar(&f.strip, "strip", false, "drop the ICC colour profile too (other metadata is always dropped)")
	fs.StringVar(&f.name, "name", "", "output path `TEMPLATE` with {dir} {name} {size} {w} {h} {ext} (default {dir}/{name}.{ext}, or {dir}/{name}-{size}.{ext} with several sizes)")
	fs.Int64Var(&f.maxPixels, "max-pixels", 100_000_000, "refuse images with more pixels than this (0: no limit)")
	fs.IntVarP(&f.jobs, "jobs", "j", runtime.GOMAXPROCS(0), "most images in flight at once (default: the CPUs this process may use, container limits included)")
	fs.BoolVarP(&f.null, "null", "0", false, "paths on stdin are NUL-separated (find -print0)")
	fs.StringVar(&f.shard, "shard", "", "do only part `K/N` of the sources (K from 1 to N), for splitting a run across machines")
	fs.BoolVar(&f.json, "json", false, "write one JSON object per input and a summary object on stdout")
	if !writing {
		return
	}
	fs.BoolVar(&f.keepGoing, "keep-going", false, "attempt every file even after failures (exit 1 if any failed)")
	fs.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always, never")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "list each output path on stdout")
	fs.BoolVar(&f.force, "force", false, "rebuild every thumbnail, even current ones")
	fs.BoolVar(&f.prune, "prune", false, "delete thumbnails (only those thumbs made) whose source is gone")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what would be made, skipped and pruned; write nothing")
}

// options checks the flags and arguments and turns them into the options
// of a run. It refuses to wait for a path list typed at a terminal.
func (f flags) options(cmd *cobra.Command, args []string) (batch.Options, error) {
	bad := func(flag, format string, args ...any) (batch.Options, error) {
		return batch.Options{}, usageError{fmt.Errorf("--%s: %s", flag, fmt.Sprintf(format, args...))}
	}
	t := thumbnail.Options{Quality: f.quality, Upscale: f.upscale, Strip: f.strip, MaxPixels: f.maxPixels}
	for _, s := range f.sizes {
		b, err := thumbnail.ParseBox(s)
		if err != nil {
			return bad("size", "%v", err)
		}
		t.Boxes = append(t.Boxes, b)
	}
	if len(t.Boxes) == 0 {
		return bad("size", "no size given: use N, WxH, Wx or xH")
	}
	switch f.format {
	case "auto":
		t.Format = thumbnail.Auto
	case "jpeg", "jpg":
		t.Format = encode.JPEG
	case "png":
		t.Format = encode.PNG
	case "webp":
		t.Format = encode.WebP
	case "avif":
		t.Format = encode.AVIF
	default:
		return bad("format", "%q is not one of auto, jpeg, png, webp, avif", f.format)
	}
	if f.quality < 1 || f.quality > 100 {
		return bad("quality", "%d is not from 1 to 100", f.quality)
	}
	switch thumbnail.Fit(f.fit) {
	case thumbnail.Contain, thumbnail.Cover:
		t.Fit = thumbnail.Fit(f.fit)
	default:
		return bad("fit", "%q is not contain or cover", f.fit)
	}
	switch thumbnail.Crop(f.crop) {
	case thumbnail.CropCenter, thumbnail.CropSmart:
		t.Crop = thumbnail.Crop(f.crop)
	default:
		return bad("crop", "%q is not center or smart", f.crop)
	}
	bg, err := parseColor(f.background)
	if err != nil {
		return bad("background", "%v", err)
	}
	t.Background = bg
	if f.maxPixels < 0 {
		return bad("max-pixels", "%d is negative", f.maxPixels)
	}
	if f.jobs < 1 {
		return bad("jobs", "%d is not a positive number", f.jobs)
	}
	if f.name != "" {
		if err := batch.CheckTemplate(f.name, len(t.Boxes)); err != nil {
			return bad("name", "%v", err)
		}
	}
	var shard manifest.Shard
	if f.shard != "" {
		if shard, err = manifest.ParseShard(f.shard); err != nil {
			return batch.Options{}, usageError{err} // it names the flag
		}
	}
	if f.out == "" {
		return bad("out", "the output directory must not be empty")
	}
	if len(args) == 0 && isTerminal(cmd.InOrStdin()) {
		return batch.Options{}, usageError{errors.New("no PATH given, and stdin is a terminal: name files or directories, or pipe a list of paths")}
	}
	t.MemoryLimit = batch.MemoryBudget()
	t.Memory = semaphore.NewWeighted(t.MemoryLimit)
	cwd, _ := os.Getwd()
	return batch.Options{
		Out: f.out, Thumb: t, Name: f.name, Jobs: f.jobs, KeepGoing: f.keepGoing,
		Force: f.force, Prune: f.prune, DryRun: f.dryRun, Shard: shard,
		Finder: source.Finder{Out: f.out, Stdin: cmd.InOrStdin(), Null: f.null, Cwd: cwd},
		Waiting: func(holder string) {
			fmt.Fprintf(cmd.ErrOrStderr(), "thumbs: %s is in use by %s; waiting for it to finish\n", f.out, holder)
		},
	}, nil
}

// parseColor parses "white", "black" or "#rrggbb".
func parseColor(s string) (color.NRGBA, error) {
	switch strings.ToLower(s) {
	case "white":
		return color.NRGBA{255, 255, 255, 255}, nil
	case "black":
		return color.NRGBA{0, 0, 0, 255}, nil
	}
	hex := strings.TrimPrefix(s, "#")
	v, err := strconv.ParseUint(hex, 16, 32)
	if len(hex) != 6 || err != nil {
		return color.NRGBA{}, fmt.Errorf("%q is not white, black or #rrggbb", s)
	}
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}, nil
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

func runResize(cmd *cobra.Command, args []string, f flags) error {
	o, err := f.options(cmd, args)
	if err != nil {
		return err
	}
	var progress bool
	switch f.progress {
	case "always":
		progress = true
	case "never":
	case "auto":
		progress = isTerminal(cmd.ErrOrStderr())
	default:
		return usageError{fmt.Errorf("--progress: %q is not auto, always or never", f.progress)}
	}
	rep := report.New(report.Options{
		Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(),
		JSON: f.json, Verbose: f.verbose, Progress: progress, DryRun: f.dryRun,
	})
	o.Observer = rep
	result, err := batch.Resize(cmd.Context(), args, o)
	return finish(rep, result.Summary, result.Pruned, err)
}

func runCheck(cmd *cobra.Command, args []string, f flags) error {
	o, err := f.options(cmd, args)
	if err != nil {
		return err
	}
	rep := report.New(report.Options{Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(), JSON: f.json, Check: true})
	o.Observer = rep
	sum, err := batch.Check(cmd.Context(), args, o)
	return finish(rep, sum, nil, err)
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

// version returns thumbs' version (see release.Version).
func version() string {
	return release.Version()
}

func versionLine() string {
	return fmt.Sprintf("thumbs %s (%s %s/%s)", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// versionReport lists thumbs' version, Go's and those of its modules.
func versionReport() string {
	var b strings.Builder
	b.WriteString(versionLine() + "\n")
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Replace != nil {
				m = m.Replace
			}
			fmt.Fprintf(&b, "  %s %s\n", m.Path, m.Version)
		}
	}
	return b.String()
}
