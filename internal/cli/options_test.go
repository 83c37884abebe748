package cli

import (
	"bytes"
	"context"
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/manifest"
	"github.com/thumbs-dev/thumbs/internal/thumbnail"
)

// parse runs the command line args through the command tree with run
// functions that only keep the options, and returns them or the error.
func parse(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	var got *Options
	keep := func(_ context.Context, o *Options) error {
		got = o
		return nil
	}
	cmd := NewRootCmd(Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, keep, keep)
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		return nil, err
	}
	if got == nil {
		t.Fatalf("%q ran nothing", args)
	}
	return got, nil
}

func box(t *testing.T, s string) thumbnail.Box {
	t.Helper()
	b, err := thumbnail.ParseBox(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOptionsFromFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, o *Options)
	}{
		{"defaults", []string{"photos"}, func(t *testing.T, o *Options) {
			th := o.Batch.Thumb
			if o.Check || o.Batch.Out != "thumbs" || o.Batch.Finder.Out != "thumbs" || o.Progress != "auto" || o.ToStdout {
				t.Errorf("options %+v", o)
			}
			if len(th.Boxes) != 1 || th.Boxes[0] != box(t, "256") || th.Format != thumbnail.Auto || th.Fit != thumbnail.Contain ||
				th.Crop != thumbnail.CropCenter || th.Quality != 85 || th.Background != (color.NRGBA{255, 255, 255, 255}) || th.MaxPixels != 100_000_000 {
				t.Errorf("thumbnail options %+v", th)
			}
			if o.Batch.Jobs != runtime.GOMAXPROCS(0) {
				t.Errorf("jobs = %d, want GOMAXPROCS %d", o.Batch.Jobs, runtime.GOMAXPROCS(0))
			}
			if len(o.Paths) != 1 || o.Paths[0] != "photos" {
				t.Errorf("paths = %q", o.Paths)
			}
		}},
		{"resize takes the same flags", []string{"resize", "-s", "100", "photos"}, func(t *testing.T, o *Options) {
			if b := o.Batch.Thumb.Boxes; len(b) != 1 || b[0] != box(t, "100") {
				t.Errorf("boxes = %v", b)
			}
		}},
		{"root flags before resize", []string{"-s", "100", "resize", "photos"}, func(t *testing.T, o *Options) {
			if b := o.Batch.Thumb.Boxes; len(b) != 1 || b[0] != box(t, "100") || len(o.Paths) != 1 {
				t.Errorf("boxes = %v, paths %q", b, o.Paths)
			}
		}},
		{"sizes split and repeated", []string{"-s", "320,640x", "-s", "x100", "p"}, func(t *testing.T, o *Options) {
			b := o.Batch.Thumb.Boxes
			if len(b) != 3 || b[0] != box(t, "320") || b[1] != box(t, "640x") || b[2] != box(t, "x100") {
				t.Errorf("boxes = %v", b)
			}
		}},
		{"enumerations in any case", []string{"-f", "JPEG", "--fit", "Cover", "--crop", "SMART", "--progress", "NEVER", "p"}, func(t *testing.T, o *Options) {
			th := o.Batch.Thumb
			if th.Format != encode.JPEG || th.Fit != thumbnail.Cover || th.Crop != thumbnail.CropSmart || o.Progress != "never" {
				t.Errorf("format %q fit %q crop %q progress %q", th.Format, th.Fit, th.Crop, o.Progress)
			}
		}},
		{"background name", []string{"--background", "RebeccaPurple", "p"}, func(t *testing.T, o *Options) {
			if bg := o.Batch.Thumb.Background; bg != (color.NRGBA{0x66, 0x33, 0x99, 255}) {
				t.Errorf("background = %v", bg)
			}
		}},
		{"background opaque hex with alpha", []string{"--background", "#102030ff", "p"}, func(t *testing.T, o *Options) {
			if bg := o.Batch.Thumb.Background; bg != (color.NRGBA{0x10, 0x20, 0x30, 255}) {
				t.Errorf("background = %v", bg)
			}
		}},
		{"jobs 0 is the CPUs", []string{"-j", "0", "p"}, func(t *testing.T, o *Options) {
			if o.Batch.Jobs != runtime.GOMAXPROCS(0) {
				t.Errorf("jobs = %d", o.Batch.Jobs)
			}
		}},
		{"jobs", []string{"-j", "7", "--max-pixels", "0", "-q", "1", "p"}, func(t *testing.T, o *Options) {
			if o.Batch.Jobs != 7 || o.Batch.Thumb.MaxPixels != 0 || o.Batch.Thumb.Quality != 1 {
				t.Errorf("jobs %d max-pixels %d quality %d", o.Batch.Jobs, o.Batch.Thumb.MaxPixels, o.Batch.Thumb.Quality)
			}
		}},
		{"switches", []string{"--upscale", "--strip", "-0", "--json", "--keep-going", "-v", "--force", "--prune", "--dry-run", "--shard", "2/4", "--name", "{name}.{ext}", "-o", "out"}, func(t *testing.T, o *Options) {
			b := o.Batch
			if !b.Thumb.Upscale || !b.Thumb.Strip || !b.Finder.Null || !o.JSON || !b.KeepGoing || !o.Verbose || !b.Force || !b.Prune || !b.DryRun {
				t.Errorf("a switch is off: %+v", o)
			}
			if b.Shard != (manifest.Shard{K: 2, N: 4}) || b.Name != "{name}.{ext}" || b.Out != "out" || b.Finder.Out != "out" {
				t.Errorf("shard %v name %q out %q", b.Shard, b.Name, b.Out)
			}
		}},
		{"check", []string{"check", "-o", "site", "--fit", "cover", "p"}, func(t *testing.T, o *Options) {
			if !o.Check || o.Batch.Out != "site" || o.Batch.Thumb.Fit != thumbnail.Cover {
				t.Errorf("options %+v", o)
			}
		}},
		{"stdout", []string{"--stdout", "-s", "64", "-f", "webp", "-"}, func(t *testing.T, o *Options) {
			if !o.ToStdout || len(o.Paths) != 1 || o.Batch.Thumb.Format != encode.WebP {
				t.Errorf("options %+v", o)
			}
		}},
		{"stdout of a file", []string{"resize", "--stdout", "a.jpg"}, func(t *testing.T, o *Options) {
			if !o.ToStdout || len(o.Paths) != 1 || o.Paths[0] != "a.jpg" {
				t.Errorf("options %+v", o)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parse(t, tt.args...)
			if err != nil {
				t.Fatalf("%q: %v", tt.args, err)
			}
			tt.check(t, o)
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "reszie")
	if err := os.WriteFile(existing, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string // the message, or its start when it ends in ": "
	}{
		{[]string{"-q", "abc", "p"}, `--quality: "abc" is not a whole number from 1 to 100`},
		{[]string{"-q", "101", "p"}, `--quality: "101" is not a whole number from 1 to 100`},
		{[]string{"-j", "-2", "p"}, `--jobs: "-2" is not a whole number, 0 or more`},
		{[]string{"--max-pixels", "1e9", "p"}, `--max-pixels: "1e9" is not a whole number, 0 or more`},
		{[]string{"-s", "0", "p"}, `--size: invalid size "0": each side must be from 1 to 65535`},
		{[]string{"-s", "", "p"}, `--size: no size given: use N, WxH, Wx or xH`},
		{[]string{"-s", "100,", "p"}, `--size: invalid size "": want N, WxH, Wx or xH`},
		{[]string{"-f", "gif", "p"}, `--format: "gif" is not one of auto, jpeg, png, webp, avif`},
		{[]string{"--fit", "fill", "p"}, `--fit: "fill" is not contain or cover`},
		{[]string{"--crop", "top", "p"}, `--crop: "top" is not center or smart`},
		{[]string{"--progress", "sometimes", "p"}, `--progress: "sometimes" is not auto, always or never`},
		{[]string{"--background", "#12345", "p"}, `--background: "#12345" is not a CSS colour name, #rgb, #rrggbb or #rrggbbaa`},
		{[]string{"--background", "#0000", "p"}, `--background: "#0000" is not opaque: it is what a JPEG, which has no transparency, shows where the image is transparent`},
		{[]string{"--shard", "5/4", "p"}, `--shard: "5/4": K must be between 1 and N`},
		{[]string{"--strip=perhaps", "p"}, `--strip: "perhaps" is not true or false`},
		{[]string{"--crop", "smart", "p"}, `--crop smart needs --fit cover: with --fit contain the whole image is kept, so there is nothing to crop`},
		{[]string{"--name", "{name}.{ext}", "-s", "1,2", "p"}, `--name: `},
		{[]string{"-o", "", "p"}, `--out: the output directory must not be empty`},
		{[]string{"check", "--prune", "p"}, `unknown flag: --prune`},
		{[]string{"--stdout", "-s", "1,2", "-"}, `--stdout writes one thumbnail, but --size gives 2 sizes`},
		{[]string{"--stdout", "a.jpg", "b.jpg"}, `--stdout makes the thumbnail of one image, but 2 PATHs are given`},
		{[]string{"--stdout", "--json", "-v", "-"}, `--stdout writes one thumbnail and nothing else: it cannot be used with --json, --verbose`},
		{[]string{"--stdout", "-o", "x", "-"}, `--stdout writes one thumbnail and nothing else: it cannot be used with --out`},
		{[]string{"reszie", "photos"}, `unknown command "reszie" — did you mean "resize"?`},
		{[]string{"chekc"}, `unknown command "chekc" — did you mean "check"?`},
		{[]string{"help", "reszie"}, `unknown command "reszie" — did you mean "resize"?`},
		{[]string{"help", "nothing-like-it"}, `unknown command "nothing-like-it"`},
		{[]string{"version", "extra"}, `unknown command "extra" for "thumbs version"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			o, err := parse(t, tt.args...)
			var usage usageError
			if !errors.As(err, &usage) {
				t.Fatalf("%q = %+v, %v; want a usage error", tt.args, o, err)
			}
			// A want ending in ": " is the start of the message; others are all of it.
			if got := err.Error(); got != tt.want && !(strings.HasSuffix(tt.want, ": ") && strings.HasPrefix(got, tt.want)) {
				t.Errorf("%q: error\n%s\nwant\n%s", tt.args, err, tt.want)
			}
		})
	}
	// A first argument that is a file is a path, however close to a command.
	t.Chdir(dir)
	if o, err := parse(t, "reszie"); err != nil || len(o.Paths) != 1 {
		t.Errorf("an existing file named like a command: %+v, %v", o, err)
	}
}
