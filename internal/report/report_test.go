package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/thumbs-dev/thumbs/internal/batch"
	"github.com/thumbs-dev/thumbs/internal/runner"
)

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLine(t *testing.T) {
	sum := runner.Summary{OK: 8, Failed: 1, Skipped: 3, Duplicate: 2, BytesIn: 3 << 20, BytesOut: 2048, Elapsed: 2 * time.Second}
	want := "thumbs: 8 ok, 1 failed, 3 skipped, 2 duplicate, 4 pruned; 3.0 MiB in, 2.0 KiB out; 2.00s, 4.0 images/s"
	if got := Line(sum, 4, false); got != want {
		t.Errorf("Line =\n%q, want\n%q", got, want)
	}
	if got := Line(runner.Summary{}, 0, false); !strings.Contains(got, "0.0 images/s") {
		t.Errorf("Line of an empty run = %q", got)
	}
}

func results() []runner.Result {
	return []runner.Result{
		{Src: "a.jpg", Status: runner.OK, BytesIn: 1000, Outputs: []runner.Output{{Path: "out/a-64.jpg", Width: 64, Height: 48, Bytes: 300}, {Path: "out/a-128.jpg", Width: 128, Height: 96, Bytes: 700}}},
		{Src: "b.png", Status: runner.Failed, Err: errors.New("b.png: unknown image format")},
		{Src: "c.jpg", Status: runner.Skipped, Outputs: []runner.Output{{Path: "out/c.jpg"}}},
		{Src: "./a.jpg", Status: runner.Duplicate},
	}
}

func summaryOf(rs []runner.Result) runner.Summary {
	var s runner.Summary
	for _, r := range rs {
		switch r.Status {
		case runner.OK:
			s.OK++
		case runner.Failed:
			s.Failed++
		case runner.Skipped:
			s.Skipped++
		case runner.Duplicate:
			s.Duplicate++
		}
		s.BytesIn += r.BytesIn
		s.BytesOut += r.BytesOut()
	}
	return s
}

func TestJSONLines(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r := New(Options{Stdout: &stdout, Stderr: &stderr, JSON: true})
	rs := results()
	for _, res := range rs {
		r.Queued()
		r.Finished(res)
	}
	r.Summary(summaryOf(rs), nil, nil)
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != len(rs)+1 {
		t.Fatalf("%d JSON lines, want %d:\n%s", len(lines), len(rs)+1, stdout.String())
	}
	var row struct {
		Src     string `json:"src"`
		Status  string `json:"status"`
		Outputs []struct {
			Path          string
			Width, Height int
			Bytes         int64
		} `json:"outputs"`
		Error *string `json:"error"`
	}
	for i, want := range []string{"ok", "failed", "skipped", "duplicate"} {
		row.Error = nil
		if err := json.Unmarshal([]byte(lines[i]), &row); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if row.Src != rs[i].Src || row.Status != want || row.Outputs == nil {
			t.Errorf("line %d = %s; want src %q, status %q and an outputs array", i, lines[i], rs[i].Src, want)
		}
		if (row.Error != nil) != (want == "failed") {
			t.Errorf("line %d: error field present = %v for status %s", i, row.Error != nil, want)
		}
	}
	var sum struct {
		Summary map[string]any `json:"summary"`
	}
	if err := json.Unmarshal([]byte(lines[len(rs)]), &sum); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]float64{"ok": 1, "failed": 1, "skipped": 1, "duplicate": 1, "bytes_in": 1000, "bytes_out": 1000} {
		if sum.Summary[key] != want {
			t.Errorf("summary %s = %v, want %v", key, sum.Summary[key], want)
		}
	}
	if _, ok := sum.Summary["seconds"]; !ok {
		t.Error("summary has no seconds")
	}
	if got := stderr.String(); !strings.Contains(got, "thumbs: b.png: unknown image format\n") || !strings.HasPrefix(lastLine(got), "thumbs: 1 ok, 1 failed, 1 skipped, 1 duplicate;") {
		t.Errorf("stderr =\n%s", got)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestTextModes(t *testing.T) {
	for _, tt := range []struct {
		name       string
		o          Options
		wantStdout string
	}{
		{"quiet", Options{}, ""},
		{"verbose lists outputs", Options{Verbose: true}, "out/a-64.jpg\nout/a-128.jpg\n"},
		{"dry run", Options{DryRun: true}, "make a.jpg\nskip c.jpg\nduplicate ./a.jpg\nprune old/x.jpg\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			tt.o.Stdout, tt.o.Stderr = &stdout, &stderr
			r := New(tt.o)
			rs := results()
			for _, res := range rs {
				r.Finished(res)
			}
			var pruned []string
			if tt.o.DryRun {
				pruned = []string{"old/x.jpg"}
			}
			r.Summary(summaryOf(rs), pruned, nil)
			if stdout.String() != tt.wantStdout {
				t.Errorf("stdout =\n%q, want\n%q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), "b.png: unknown image format") {
				t.Errorf("the failure is missing from stderr:\n%s", stderr.String())
			}
		})
	}
}

func TestCheckListsStaleOnStdout(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r := New(Options{Stdout: &stdout, Stderr: &stderr, Check: true})
	r.Finished(runner.Result{Src: "a.jpg", Status: runner.Failed, Err: fmt.Errorf("wrapped: %w", batch.ErrStale)})
	r.Finished(runner.Result{Src: "b.jpg", Status: runner.Failed, Err: errors.New("b.jpg: unknown image format")})
	r.Finished(runner.Result{Src: "c.jpg", Status: runner.Skipped})
	r.Summary(runner.Summary{Failed: 2, Skipped: 1}, nil, nil)
	if got := stdout.String(); got != "stale: wrapped: thumbnails missing or out of date\n" {
		t.Errorf("stdout = %q", got)
	}
	if got := stderr.String(); !strings.Contains(got, "thumbs: b.jpg: unknown image format") || !strings.Contains(got, "1 current, 2 stale or failed") {
		t.Errorf("stderr = %q", got)
	}
}

func TestProgressGoesToStderrOnly(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r := New(Options{Stdout: &stdout, Stderr: &stderr, Progress: true})
	for _, res := range results() {
		r.Queued()
		r.Finished(res)
	}
	r.Summary(summaryOf(results()), nil, nil)
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
	if !strings.Contains(stderr.String(), "thumbs") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

// TestNamesAreQuoted checks every human-facing line that carries a file
// name: a name with a newline or an escape sequence shows quoted, on one
// line, with no raw control character; JSON keeps the name as it is.
func TestNamesAreQuoted(t *testing.T) {
	const evil = "ph\x1b[31mot\no.jpg"
	const quoted = `"ph\x1b[31mot\no.jpg"`
	res := []runner.Result{
		{Src: evil, Status: runner.OK, Outputs: []runner.Output{{Path: "out/" + evil}}},
		{Src: evil, Status: runner.Failed, Err: errors.New(evil + ": unknown image format")},
	}
	for _, tt := range []struct {
		name           string
		o              Options
		stdout, stderr []string
		pruned         []string
		problems       []error
	}{
		{name: "verbose", o: Options{Verbose: true},
			stdout: []string{`"out/ph\x1b[31mot\no.jpg"`},
			stderr: []string{"thumbs: " + quoted + ": unknown image format"}},
		{name: "dry run", o: Options{DryRun: true, Out: "thumbs"}, pruned: []string{"x\ny.jpg"},
			stdout: []string{"make " + quoted, `prune "thumbs/x\ny.jpg"`},
			stderr: []string{"thumbs: " + quoted + ": unknown image format"}},
		{name: "run failure", o: Options{}, problems: []error{errors.New("read the path list: bad\x1b[0m")},
			stderr: []string{"thumbs: " + quoted + ": unknown image format", `thumbs: read the path list: bad\x1b[0m`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			tt.o.Stdout, tt.o.Stderr = &stdout, &stderr
			r := New(tt.o)
			for _, res := range res {
				r.Finished(res)
			}
			r.Summary(runner.Summary{OK: 1, Failed: 1}, tt.pruned, tt.problems)
			gotOut := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if stdout.Len() == 0 {
				gotOut = nil
			}
			if strings.Join(gotOut, "\n") != strings.Join(tt.stdout, "\n") {
				t.Errorf("stdout =\n%s\nwant\n%s", stdout.String(), strings.Join(tt.stdout, "\n"))
			}
			gotErr := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(gotErr) != len(tt.stderr)+1 || strings.Join(gotErr[:len(gotErr)-1], "\n") != strings.Join(tt.stderr, "\n") {
				t.Errorf("stderr =\n%s\nwant\n%s\nand a summary", stderr.String(), strings.Join(tt.stderr, "\n"))
			}
			if strings.ContainsRune(stdout.String()+stderr.String(), '\x1b') {
				t.Error("a raw escape character reached the terminal")
			}
		})
	}
}

func TestCheckQuotesStaleNames(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r := New(Options{Stdout: &stdout, Stderr: &stderr, Check: true})
	r.Finished(runner.Result{Src: "a\nb.jpg", Status: runner.Failed, Err: fmt.Errorf("a\nb.jpg: %w", batch.ErrStale)})
	r.Summary(runner.Summary{Failed: 1}, nil, nil)
	if got, want := stdout.String(), "stale: \"a\\nb.jpg\": thumbnails missing or out of date\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}

func TestJSONKeepsNames(t *testing.T) {
	var stdout bytes.Buffer
	r := New(Options{Stdout: &stdout, Stderr: &bytes.Buffer{}, JSON: true})
	r.Finished(runner.Result{Src: "a\x1b.jpg", Status: runner.OK})
	var row struct{ Src string }
	if err := json.Unmarshal([]byte(strings.SplitN(stdout.String(), "\n", 2)[0]), &row); err != nil || row.Src != "a\x1b.jpg" {
		t.Errorf("JSON src = %q, %v; want the name unchanged", row.Src, err)
	}
}

// TestBytesInCountsReadSources checks that bytes in counts the sources
// read, made or failed, and not those skipped or duplicate, whose size the
// runner's summary includes.
func TestDryRunLine(t *testing.T) {
	for _, tt := range []struct {
		sum    runner.Summary
		pruned int
		want   string
	}{
		{runner.Summary{OK: 5, Skipped: 3}, 2, "thumbs: dry run: would make 5, skip 3, prune 2; nothing written"},
		{runner.Summary{OK: 1, Failed: 2, Duplicate: 1}, 0, "thumbs: dry run: would make 1, skip 0, prune 0; 2 failed; 1 duplicate; nothing written"},
	} {
		if got := DryRunLine(tt.sum, tt.pruned); got != tt.want {
			t.Errorf("DryRunLine = %q, want %q", got, tt.want)
		}
	}
	var stderr bytes.Buffer
	r := New(Options{Stdout: &bytes.Buffer{}, Stderr: &stderr, DryRun: true})
	r.Summary(runner.Summary{OK: 5, Elapsed: time.Millisecond}, nil, nil)
	if got := stderr.String(); got != "thumbs: dry run: would make 5, skip 0, prune 0; nothing written\n" {
		t.Errorf("a dry run ends with %q", got)
	}
}
