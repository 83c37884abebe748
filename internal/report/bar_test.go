package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/thumbs-dev/thumbs/internal/runner"
)

// clock is a fake time source that tests move forward.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// frames splits what a bar wrote into the frames it drew, without the
// escape that ends each.
func frames(s string) []string {
	var out []string
	for _, f := range strings.Split(s, "\r") {
		if f = strings.TrimSuffix(f, "\x1b[K"); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func TestBarFrame(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	b := newBar(&bytes.Buffer{}, c.now)
	for range 5 {
		b.queue()
	}
	if got, want := b.frame(c.now()), "thumbs   0% [>-----------------------] 0/5"; got != want {
		t.Errorf("frame before any is done = %q, want %q", got, want)
	}
	c.advance(4 * time.Second)
	b.done = 2
	// 2 done in 4s: 0.5 images/s; 3 left take 6s.
	if got, want := b.frame(c.now()), "thumbs  40% [=========>--------------] 2/5  0.5 images/s  6s left"; got != want {
		t.Errorf("frame = %q, want %q", got, want)
	}
	b.done = 5
	if got, want := b.frame(c.now()), "thumbs 100% [========================] 5/5  1.2 images/s"; got != want {
		t.Errorf("frame when done = %q, want %q", got, want)
	}
	// A result reported before its job's queueing counts in the total.
	b.done = 6
	if got, want := b.frame(c.now()), "thumbs 100% [========================] 6/6  1.5 images/s"; got != want {
		t.Errorf("frame with a result ahead of its queueing = %q, want %q", got, want)
	}
}

// TestBarAdvancesWithTrickle feeds a reporter one image at a time, as when
// paths arrive slowly on stdin: every one must show, up to the last.
func TestBarAdvancesWithTrickle(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	var stderr bytes.Buffer
	r := New(Options{Stdout: &bytes.Buffer{}, Stderr: &stderr, Progress: true, Now: c.now})
	for i := range 4 {
		c.advance(time.Second)
		r.Queued()
		c.advance(10 * time.Millisecond)
		r.Finished(runner.Result{Src: string(rune('a'+i)) + ".jpg", Status: runner.OK})
	}
	got := frames(stderr.String())
	for _, want := range []string{"1/1", "2/2", "3/3", "4/4"} {
		found := false
		for _, f := range got {
			found = found || strings.Contains(f, " "+want+" ")
		}
		if !found {
			t.Errorf("no frame shows %s; frames:\n%s", want, strings.Join(got, "\n"))
		}
	}
	// 4 done in 4.04s.
	if last := got[len(got)-1]; !strings.Contains(last, "1.0 images/s") {
		t.Errorf("last frame %q, want a rate of 1.0 images/s", last)
	}
}

func TestBarThrottles(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	var stderr bytes.Buffer
	r := New(Options{Stdout: &bytes.Buffer{}, Stderr: &stderr, Progress: true, Now: c.now})
	for range 100 {
		r.Queued()
	}
	for range 99 {
		c.advance(time.Millisecond)
		r.Finished(runner.Result{Status: runner.OK})
	}
	// One frame at the first Queued, none more within 100ms.
	if n := len(frames(stderr.String())); n != 1 {
		t.Errorf("%d frames in 99ms, want 1:\n%q", n, stderr.String())
	}
	c.advance(time.Millisecond)
	r.Finished(runner.Result{Status: runner.OK})
	if f := frames(stderr.String()); !strings.Contains(f[len(f)-1], " 100/100 ") {
		t.Errorf("the last image, done within the throttle, is not shown: %q", f[len(f)-1])
	}
}

// TestLinesClearTheBar checks that no line shares a terminal line with a
// frame of the bar: on stderr, and on stdout when it is the same terminal.
func TestLinesClearTheBar(t *testing.T) {
	var term bytes.Buffer // stdout and stderr are one terminal
	r := New(Options{Stdout: &term, Stderr: &term, Progress: true, Verbose: true, SharedTerminal: true})
	r.Queued()
	r.Queued()
	r.Finished(runner.Result{Src: "a.jpg", Status: runner.OK, Outputs: []runner.Output{{Path: "out/a.jpg"}}})
	r.Finished(runner.Result{Src: "b.jpg", Status: runner.Failed, Err: errString("b.jpg: unknown image format")})
	r.Summary(runner.Summary{OK: 1, Failed: 1}, nil, nil)
	var shown []string
	for _, line := range strings.Split(strings.TrimSuffix(term.String(), "\n"), "\n") {
		shown = append(shown, onTerminal(line))
	}
	want := []string{"out/a.jpg", "thumbs: b.jpg: unknown image format", "thumbs: 1 ok, 1 failed, 0 skipped; 0 B in, 0 B out; 0.00s, 0.0 images/s"}
	if strings.Join(shown, "\n") != strings.Join(want, "\n") {
		t.Errorf("the terminal shows\n%s\nwant\n%s\nfrom %q", strings.Join(shown, "\n"), strings.Join(want, "\n"), term.String())
	}
	if !strings.Contains(term.String(), "] 1/2") {
		t.Errorf("the bar was not drawn again after the first line: %q", term.String())
	}
}

// onTerminal returns what a terminal shows of a line that frames of the
// bar and their erasures went through: what follows the last carriage
// return, less an erase-line sequence.
func onTerminal(line string) string {
	line = line[strings.LastIndex(line, "\r")+1:]
	return strings.TrimPrefix(line, "\x1b[K")
}

type errString string

func (e errString) Error() string { return string(e) }
