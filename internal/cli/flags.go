package cli

import (
	"errors"
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/thumbs-dev/thumbs/internal/csscolor"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/manifest"
	"github.com/thumbs-dev/thumbs/internal/thumbnail"
)

// flagValues holds the flags of resize or check, each parsed and checked on
// its own as it is set; options checks how they go together.
type flagValues struct {
	out                                      string
	boxes                                    sizeList
	format                                   encode.Format
	fit                                      thumbnail.Fit
	crop                                     thumbnail.Crop
	background                               color.NRGBA
	quality                                  int
	jobs                                     int
	maxPixels                                int
	shard                                    manifest.Shard
	name                                     string
	progress                                 string
	upscale, strip, keepProfile, null, json  bool
	failOn                                   string
	keepGoing, verbose, force, prune, dryRun bool
	toStdout                                 bool
}

// Progress modes.
var progressModes = []string{"auto", "always", "never"}

// command says which command a flag set is for: their flags differ, and
// so does what some of them mean.
type command int

const (
	resizeCommand command = iota
	checkCommand
)

// defineFlags defines on fs the flags of command c, bound to v, with their
// defaults. Every flag of thumbs is defined here, once.
func defineFlags(fs *pflag.FlagSet, v *flagValues, c command) {
	outHelp := "output `DIR`, created if missing"
	if c == checkCommand {
		outHelp = "output `DIR` whose thumbnails are checked (never created or written)"
	}
	fs.StringVarP(&v.out, "out", "o", "thumbs", outHelp)
	v.boxes = newSizeList()
	fs.VarP(&v.boxes, "size", "s", "box to fit: N (NxN), WxH, Wx (width only) or xH; several as 320,640 or repeated")
	v.format = thumbnail.Auto
	fs.VarP(newValue(&v.format, thumbnail.ParseFormat, "FORMAT"), "format", "f", "output format: auto (JPEG, or PNG for images with transparency), jpeg, png, webp or avif")
	v.quality = 85
	fs.VarP(newValue(&v.quality, wholeNumber(1, 100), "1-100"), "quality", "q", "JPEG, WebP and AVIF quality")
	v.fit = thumbnail.Contain
	fs.Var(newValue(&v.fit, thumbnail.ParseFit, "MODE"), "fit", "contain (inside the box) or cover (fill the box, cropping the overflow)")
	v.crop = thumbnail.CropCenter
	fs.Var(newValue(&v.crop, thumbnail.ParseCrop, "MODE"), "crop", "with --fit cover, what to keep: center or smart (the most detailed region)")
	fs.BoolVar(&v.upscale, "upscale", false, "enlarge images smaller than the box")
	v.background = color.NRGBA{255, 255, 255, 255}
	fs.Var(&backgroundValue{&v.background, "white"}, "background", "opaque colour that transparency is flattened onto for JPEG: a CSS colour name, #rgb or #rrggbb")
	fs.BoolVar(&v.keepProfile, "keep-profile", false, "keep the source's RGB or gray ICC profile (up to 256 KiB) and its pixel values, instead of converting to sRGB")
	fs.BoolVar(&v.strip, "strip", false, "embed no ICC profile, even with --keep-profile (other metadata is always dropped)")
	v.failOn = "error"
	fs.Var(newValue(&v.failOn, parseFailOn, "LEVEL"), "fail-on", "what fails a file: error (the default; a damaged file that still gives a picture is made, with a warning) or warning (any warning fails it)")
	fs.StringVar(&v.name, "name", "", "output path `TEMPLATE` with {dir} {name} {size} {w} {h} {ext} (default {dir}/{name}.{ext}, or {dir}/{name}-{size}.{ext} with several sizes)")
	v.maxPixels = 100_000_000
	fs.Var(newValue(&v.maxPixels, wholeNumber(0, -1), "N"), "max-pixels", "refuse images with more pixels than this (0: no limit)")
	fs.VarP(newValue(&v.jobs, wholeNumber(0, -1), "N"), "jobs", "j", "most images in flight at once (default 0: as many as the CPUs this process may use, container limits included)")
	fs.BoolVarP(&v.null, "null", "0", false, "paths on stdin are NUL-separated (find -print0)")
	fs.Var(newValue(&v.shard, parseShard, "K/N"), "shard", "do only part K of N of the sources (K from 1 to N), for splitting a run across machines")
	fs.BoolVar(&v.json, "json", false, "write one JSON object per input and a summary object on stdout")
	if c == checkCommand {
		return
	}
	fs.BoolVar(&v.keepGoing, "keep-going", false, "attempt every file even after failures (exit 1 if any failed)")
	v.progress = "auto"
	fs.Var(newValue(&v.progress, oneOf(progressModes...), "WHEN"), "progress", "progress bar on stderr: auto (when stderr is a terminal), always or never")
	fs.BoolVarP(&v.verbose, "verbose", "v", false, "list each output path on stdout")
	fs.BoolVar(&v.force, "force", false, "rebuild every thumbnail, even current ones")
	fs.BoolVar(&v.prune, "prune", false, "delete thumbnails (only those thumbs made) whose source is gone")
	fs.BoolVar(&v.dryRun, "dry-run", false, "print what would be made, skipped and pruned; write nothing")
	fs.BoolVar(&v.toStdout, "stdout", false, "write the thumbnail of one image to stdout: the image is the one PATH, or stdin for - or no PATH; one --size; no run record, no -o")
}

// registerCompletions offers the values of the enumerated flags of cmd,
// and directories for --out.
func registerCompletions(cmd *cobra.Command) {
	fixed := func(values ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
	}
	complete := map[string]cobra.CompletionFunc{
		"fit":    fixed("contain\tscale to fit inside the box", "cover\tfill the box, cropping the overflow"),
		"crop":   fixed("center\tkeep the middle", "smart\tkeep the most detailed region"),
		"format": fixed("auto\tJPEG, or PNG for images with transparency", "jpeg", "png", "webp", "avif"),
		"background": func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			for _, n := range csscolor.Names() {
				if n != "transparent" && strings.HasPrefix(n, strings.ToLower(toComplete)) {
					names = append(names, n)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		"out": func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		},
	}
	if cmd.Flags().Lookup("progress") != nil {
		complete["progress"] = fixed("auto\twhen stderr is a terminal", "always", "never")
	}
	for name, f := range complete {
		if err := cmd.RegisterFlagCompletionFunc(name, f); err != nil {
			panic(err) // a flag defineFlags did not define
		}
	}
}

// value is a flag whose text is parsed into a T as it is set.
type value[T any] struct {
	p     *T
	parse func(string) (T, error)
	text  string
	typ   string
}

// newValue returns a flag value stored in p, parsed by parse, whose kind
// help shows as typ.
func newValue[T any](p *T, parse func(string) (T, error), typ string) *value[T] {
	return &value[T]{p: p, parse: parse, text: fmt.Sprint(*p), typ: typ}
}

func (v *value[T]) Set(s string) error {
	x, err := v.parse(s)
	if err != nil {
		return err
	}
	*v.p, v.text = x, fmt.Sprint(x)
	return nil
}

func (v *value[T]) String() string { return v.text }
func (v *value[T]) Type() string   { return v.typ }

// wholeNumber returns a parser of whole numbers from least to most, or of
// least or more when most is negative.
func wholeNumber(least, most int) func(string) (int, error) {
	return func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		switch {
		case most >= 0 && (err != nil || n < least || n > most):
			return 0, fmt.Errorf("%q is not a whole number from %d to %d", s, least, most)
		case err != nil || n < least:
			return 0, fmt.Errorf("%q is not a whole number, %d or more", s, least)
		}
		return n, nil
	}
}

// oneOf returns a parser of one of names, in any case.
func oneOf(names ...string) func(string) (string, error) {
	return func(s string) (string, error) {
		for _, n := range names {
			if strings.EqualFold(s, n) {
				return n, nil
			}
		}
		return "", fmt.Errorf("%q is not %s or %s", s, strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
	}
}

// parseShard parses --shard K/N; its errors do not name the flag.
func parseShard(s string) (manifest.Shard, error) {
	sh, err := manifest.ParseShard(s)
	if err != nil {
		msg, _ := strings.CutPrefix(err.Error(), "--shard ")
		return sh, errors.New(msg)
	}
	return sh, nil
}

// sizeList is the value of --size: the boxes given, split at commas. The
// first use replaces the default; each later one adds to it.
type sizeList struct {
	boxes []thumbnail.Box
	set   bool // given on the command line
}

// defaultSize is the box of --size when it is not given.
const defaultSize = "256"

func newSizeList() sizeList {
	b, _ := thumbnail.ParseBox(defaultSize)
	return sizeList{boxes: []thumbnail.Box{b}}
}

func (l *sizeList) Set(s string) error {
	if s == "" {
		return errors.New("no size given: use N, WxH, Wx or xH")
	}
	if !l.set {
		l.boxes, l.set = nil, true
	}
	for _, part := range strings.Split(s, ",") {
		b, err := thumbnail.ParseBox(part)
		if err != nil {
			return err
		}
		l.boxes = append(l.boxes, b)
	}
	return nil
}

func (l *sizeList) String() string {
	var labels []string
	for _, b := range l.boxes {
		labels = append(labels, b.Label)
	}
	return strings.Join(labels, ",")
}

func (l *sizeList) Type() string { return "SIZE" }

// backgroundValue is the value of --background: an opaque colour.
type backgroundValue struct {
	p    *color.NRGBA
	text string
}

func (v *backgroundValue) Set(s string) error {
	c, err := csscolor.Parse(s)
	if err != nil {
		return err
	}
	if c.A != 255 {
		return fmt.Errorf("%q is not opaque: it is what a JPEG, which has no transparency, shows where the image is transparent", s)
	}
	*v.p, v.text = c, s
	return nil
}

func (v *backgroundValue) String() string { return v.text }
func (v *backgroundValue) Type() string   { return "COLOR" }

// flagError turns an error of flag parsing into a usage error of one line
// that names the flag and says what it accepts.
func flagError(_ *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	if errors.As(err, &invalid) {
		f, cause := invalid.GetFlag(), invalid.Unwrap()
		if f.Value.Type() == "bool" {
			cause = fmt.Errorf("%q is not true or false", invalid.GetValue())
		}
		return usageError{fmt.Errorf("--%s: %w", f.Name, cause)}
	}
	return usageError{err}
}

// parseFailOn parses the value of --fail-on: error or warning.
func parseFailOn(s string) (string, error) {
	switch l := strings.ToLower(s); l {
	case "error", "warning":
		return l, nil
	}
	return "", fmt.Errorf("%q is not error or warning", s)
}
