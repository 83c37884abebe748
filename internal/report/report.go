// Package report shows a run as it goes: to people, a progress bar, each
// failure and a closing summary on stderr; to programs, one JSON object per
// input and a summary object on stdout.
//
// Every line meant for people has its file names quoted (Quote) and its
// other text escaped (Escape), so that no name can split a line or send
// control sequences to a terminal. JSON output is left as it is: JSON
// escapes what it must.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/thumbs-dev/thumbs/internal/batch"
	"github.com/thumbs-dev/thumbs/internal/runner"
)

// Options say what a Reporter shows and where.
type Options struct {
	Stdout, Stderr io.Writer
	JSON           bool   // JSON lines on Stdout instead of text
	Verbose        bool   // list each output path on Stdout
	Progress       bool   // draw a progress bar on Stderr
	DryRun         bool   // results are what would be done
	Check          bool   // results are a check for stale thumbnails
	Out            string // the output directory, which pruned paths are relative to
	// SharedTerminal says that Stdout and Stderr are the same terminal (both
	// are terminals): the progress bar is then cleared before a line goes to
	// Stdout too, and drawn again after it.
	SharedTerminal bool
	// Now returns the current time, for the progress bar's rate; nil means
	// time.Now.
	Now func() time.Time
}

// Reporter shows a run. It implements runner.Observer; like every Observer
// its methods must be called from one goroutine.
type Reporter struct {
	o   Options
	bar *bar
	enc *json.Encoder
}

// New returns a Reporter configured by o.
func New(o Options) *Reporter {
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Reporter{o: o, enc: json.NewEncoder(o.Stdout)}
	if o.Progress {
		r.bar = newBar(o.Stderr, o.Now)
	}
	return r
}

// Queued grows the progress bar's total by one.
func (r *Reporter) Queued() {
	if r.bar != nil {
		r.bar.queue()
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
	Warnings []string      `json:"warnings,omitempty"`
}

type jsonOutput struct {
	Path      string `json:"path"`
	PathBytes []byte `json:"path_bytes,omitempty"`
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
	Bytes     int64  `json:"bytes,omitempty"`
}

// ExactName returns name's bytes when JSON cannot carry it as a string
// (it is not UTF-8), nil when it can; a JSON field beside the readable
// name carries them, base64-encoded.
func ExactName(name string) []byte {
	if utf8.ValidString(name) {
		return nil
	}
	return []byte(name)
}

// Finished shows one input's result: a JSON line, the paths it wrote (with
// Verbose), and a line on Stderr when it failed.
func (r *Reporter) Finished(res runner.Result) {
	if r.bar != nil {
		r.bar.done++ // drawn below, with the lines or on its own
	}
	if r.o.JSON {
		jr := jsonResult{Src: res.Src, SrcBytes: ExactName(res.Src), Status: res.Status, Outputs: []jsonOutput{}}
		for _, o := range res.Outputs {
			jr.Outputs = append(jr.Outputs, jsonOutput{Path: o.Path, PathBytes: ExactName(o.Path), Width: o.Width, Height: o.Height, Bytes: o.Bytes})
		}
		if res.Err != nil {
			jr.Error = res.Err.Error()
		}
		jr.Warnings = res.Warnings
		r.enc.Encode(jr)
	}
	var lines []string
	w := r.o.Stdout
	if len(res.Warnings) > 0 && res.Status != runner.Failed {
		for _, warning := range res.Warnings {
			r.lines(r.o.Stderr, "thumbs: warning: "+Quote(res.Src)+": "+Escape(warning))
		}
	}
	switch {
	case res.Status == runner.Failed && r.o.Check && errors.Is(res.Err, batch.ErrStale):
		if !r.o.JSON {
			lines = append(lines, "stale: "+failure(res.Src, res.Err))
		}
	case res.Status == runner.Failed:
		w = r.o.Stderr
		lines = append(lines, "thumbs: "+failure(res.Src, res.Err))
	case r.o.JSON:
	case r.o.DryRun:
		verb := map[runner.Status]string{runner.OK: "make", runner.Skipped: "skip", runner.Duplicate: "duplicate"}[res.Status]
		lines = append(lines, verb+" "+Quote(res.Src))
	case r.o.Verbose && res.Status == runner.OK:
		for _, out := range res.Outputs {
			lines = append(lines, Quote(out.Path))
		}
	}
	if len(lines) > 0 {
		r.lines(w, lines...)
	} else if r.bar != nil {
		r.bar.update()
	}
}

// lines writes each of lines on a line of its own to w. When the progress
// bar is on the same terminal, it is cleared first, so the two never mix,
// and drawn again after.
func (r *Reporter) lines(w io.Writer, lines ...string) {
	if len(lines) == 0 {
		return
	}
	onBar := r.bar != nil && (w == r.o.Stderr || r.o.SharedTerminal)
	if onBar {
		r.bar.clear()
	}
	io.WriteString(w, strings.Join(lines, "\n")+"\n")
	if onBar {
		r.bar.draw()
	}
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
// The totals count as bytes in only the sources read, those made or
// failed: sum.BytesIn also counts the sizes of skipped ones.
func (r *Reporter) Summary(sum runner.Summary, pruned []string, problems []error) {
	if r.bar != nil {
		r.bar.clear()
		r.bar = nil
	}
	for _, p := range problems {
		r.lines(r.o.Stderr, "thumbs: "+Escape(p.Error()))
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
			r.lines(r.o.Stdout, "prune "+Quote(filepath.Join(r.o.Out, p)))
		}
	}
	switch {
	case r.o.Check:
		fmt.Fprintln(r.o.Stderr, Line(sum, len(pruned), true))
	case r.o.DryRun:
		fmt.Fprintln(r.o.Stderr, DryRunLine(sum, len(pruned)))
	default:
		fmt.Fprintln(r.o.Stderr, Line(sum, len(pruned), false))
	}
}

// Abort ends the report of a run that could not start, or found nothing
// to do: err on Stderr, and with JSON an empty summary object carrying it.
func (r *Reporter) Abort(err error) {
	if r.bar != nil {
		r.bar.clear()
		r.bar = nil
	}
	fmt.Fprintf(r.o.Stderr, "thumbs: %s\n", Escape(err.Error()))
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
// input and output bytes, elapsed time and images made per second. For a
// check it counts current and stale sources instead.
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
	return s + fmt.Sprintf("; %s in, %s out; %.2fs, %s", Bytes(sum.BytesIn), Bytes(sum.BytesOut), secs, Rate(rate))
}

// DryRunLine returns the one-line summary of a dry run: what the run
// would make, skip and prune, and the sources that failed or repeat.
func DryRunLine(sum runner.Summary, pruned int) string {
	s := fmt.Sprintf("thumbs: dry run: would make %d, skip %d, prune %d", sum.OK, sum.Skipped, pruned)
	if sum.Failed > 0 {
		s += fmt.Sprintf("; %d failed", sum.Failed)
	}
	if sum.Duplicate > 0 {
		s += fmt.Sprintf("; %d duplicate", sum.Duplicate)
	}
	return s + "; nothing written"
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
