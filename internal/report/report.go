// Package report shows a run as it goes: to people, a progress bar, each
// failure and a closing summary on stderr; to programs, one JSON object per
// input and a summary object on stdout.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"github.com/thumbs-dev/thumbs/internal/batch"
	"github.com/thumbs-dev/thumbs/internal/runner"
)

// Options say what a Reporter shows and where.
type Options struct {
	Stdout, Stderr io.Writer
	JSON           bool // JSON lines on Stdout instead of text
	Verbose        bool // list each output path on Stdout
	Progress       bool // draw a progress bar on Stderr
	DryRun         bool // results are what would be done
	Check          bool // results are a check for stale thumbnails
}

// Reporter shows a run. It implements runner.Observer; like every Observer
// its methods must be called from one goroutine.
type Reporter struct {
	o      Options
	bar    *progressbar.ProgressBar
	queued int64
	enc    *json.Encoder
}

// New returns a Reporter configured by o.
func New(o Options) *Reporter {
	r := &Reporter{o: o, enc: json.NewEncoder(o.Stdout)}
	if o.Progress {
		r.bar = progressbar.NewOptions64(0,
			progressbar.OptionSetWriter(o.Stderr),
			progressbar.OptionSetVisibility(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("images"),
			progressbar.OptionShowIts(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetDescription("thumbs"),
		)
	}
	return r
}

// Queued grows the progress bar's total by one.
func (r *Reporter) Queued() {
	r.queued++
	if r.bar != nil {
		r.bar.ChangeMax64(r.queued)
	}
}

// jsonResult is the JSON object written for each input. A file name
// that is not UTF-8 cannot be a JSON string without loss: its exact bytes
// go, base64-encoded, in src_bytes (path_bytes), next to a readable src
// (path) whose invalid bytes are U+FFFD.
type jsonResult struct {
	Src      string        `json:"src"`
	SrcBytes []byte        `json:"src_bytes,omitempty"`
	Status   runner.Status `json:"status"`
	Outputs  []jsonOutput  `json:"outputs"`
	Error    string        `json:"error,omitempty"`
}

type jsonOutput struct {
	Path      string `json:"path"`
	PathBytes []byte `json:"path_bytes,omitempty"`
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
	Bytes     int64  `json:"bytes,omitempty"`
}

// exact returns name's bytes when JSON cannot carry it as a string, nil
// when it can.
func exact(name string) []byte {
	if utf8.ValidString(name) {
		return nil
	}
	return []byte(name)
}

// Finished shows one input's result: a JSON line, the paths it wrote (with
// Verbose), and a line on Stderr when it failed.
func (r *Reporter) Finished(res runner.Result) {
	if r.bar != nil {
		r.bar.Add(1)
	}
	if r.o.JSON {
		jr := jsonResult{Src: res.Src, SrcBytes: exact(res.Src), Status: res.Status, Outputs: []jsonOutput{}}
		for _, o := range res.Outputs {
			jr.Outputs = append(jr.Outputs, jsonOutput{Path: o.Path, PathBytes: exact(o.Path), Width: o.Width, Height: o.Height, Bytes: o.Bytes})
		}
		if res.Err != nil {
			jr.Error = res.Err.Error()
		}
		r.enc.Encode(jr)
	}
	switch {
	case res.Status == runner.Failed && r.o.Check && errors.Is(res.Err, batch.ErrStale):
		if !r.o.JSON {
			r.line(r.o.Stdout, "stale: %v", res.Err)
		}
	case res.Status == runner.Failed:
		r.line(r.o.Stderr, "thumbs: %v", res.Err)
	case r.o.JSON:
	case r.o.DryRun:
		verb := map[runner.Status]string{runner.OK: "make", runner.Skipped: "skip", runner.Duplicate: "duplicate"}[res.Status]
		r.line(r.o.Stdout, "%s %s", verb, res.Src)
	case r.o.Verbose && res.Status == runner.OK:
		for _, out := range res.Outputs {
			r.line(r.o.Stdout, "%s", out.Path)
		}
	}
}

// line writes one line to w, clearing the progress bar first so the two
// never mix on a terminal.
func (r *Reporter) line(w io.Writer, format string, args ...any) {
	if r.bar != nil && w == r.o.Stderr {
		r.bar.Clear()
	}
	fmt.Fprintf(w, format+"\n", args...)
}

// jsonSummary is the JSON object that ends the output.
type jsonSummary struct {
	Summary struct {
		OK        int      `json:"ok"`
		Failed    int      `json:"failed"`
		Skipped   int      `json:"skipped"`
		Duplicate int      `json:"duplicate"`
		BytesIn   int64    `json:"bytes_in"`
		BytesOut  int64    `json:"bytes_out"`
		Seconds   float64  `json:"seconds"`
		Pruned    []string `json:"pruned,omitempty"`
		DryRun    bool     `json:"dry_run,omitempty"`
	} `json:"summary"`
	Errors []string `json:"errors,omitempty"`
}

// Summary ends the report with the failures of the run itself, if any
// (those of no single file: a path list that could not be read, a record
// that could not be saved), the run's totals, and the output files pruned:
// a JSON object on Stdout with JSON, and lines on Stderr in any case.
func (r *Reporter) Summary(sum runner.Summary, pruned []string, problems []error) {
	if r.bar != nil {
		r.bar.Finish()
		r.bar.Clear()
	}
	for _, p := range problems {
		r.line(r.o.Stderr, "thumbs: %v", p)
	}
	if r.o.JSON {
		js := jsonSummary{Errors: messages(problems)}
		s := &js.Summary
		s.OK, s.Failed, s.Skipped, s.Duplicate = sum.OK, sum.Failed, sum.Skipped, sum.Duplicate
		s.BytesIn, s.BytesOut, s.Seconds = sum.BytesIn, sum.BytesOut, sum.Elapsed.Seconds()
		s.Pruned, s.DryRun = pruned, r.o.DryRun
		r.enc.Encode(js)
	} else if r.o.DryRun {
		for _, p := range pruned {
			r.line(r.o.Stdout, "prune %s", p)
		}
	}
	fmt.Fprintln(r.o.Stderr, Line(sum, len(pruned), r.o.Check))
}

// Abort ends the report of a run that could not start, or found nothing
// to do: err on Stderr, and with JSON an empty summary object carrying it.
func (r *Reporter) Abort(err error) {
	if r.bar != nil {
		r.bar.Clear()
	}
	fmt.Fprintf(r.o.Stderr, "thumbs: %v\n", err)
	if r.o.JSON {
		var js jsonSummary
		js.Errors = messages([]error{err})
		js.Summary.DryRun = r.o.DryRun
		r.enc.Encode(js)
	}
}

func messages(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// Line returns the one-line summary of a run: the count of each outcome,
// input and output bytes, elapsed time and images per second.
func Line(sum runner.Summary, pruned int, check bool) string {
	secs := sum.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(sum.OK) / secs
	}
	if check {
		return fmt.Sprintf("thumbs: %d current, %d stale or failed, in %.2fs", sum.Skipped+sum.Duplicate, sum.Failed, secs)
	}
	s := fmt.Sprintf("thumbs: %d ok, %d failed, %d skipped", sum.OK, sum.Failed, sum.Skipped)
	if sum.Duplicate > 0 {
		s += fmt.Sprintf(", %d duplicate", sum.Duplicate)
	}
	if pruned > 0 {
		s += fmt.Sprintf(", %d pruned", pruned)
	}
	return s + fmt.Sprintf("; %s in, %s out; %.2fs, %.1f images/s", Bytes(sum.BytesIn), Bytes(sum.BytesOut), secs, rate)
}

// Bytes formats n bytes for people: "512 B", "3.4 MiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
