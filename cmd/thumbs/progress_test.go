package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// barFrame matches a frame of the progress bar and captures its counts.
var barFrame = regexp.MustCompile(`thumbs +\d+% \[[=>-]*\] (\d+)/(\d+)`)

// TestProgressBarInTerminal runs thumbs with stdout and stderr on one
// pseudo-terminal, as in an interactive shell, and paths trickling into
// stdin: the bar must advance with each image up to the total, and no -v
// line may share a terminal line with a frame of the bar.
func TestProgressBarInTerminal(t *testing.T) {
	const n = 5
	dir := t.TempDir()
	var list []string
	for i := range n {
		path := filepath.Join(dir, fmt.Sprintf("p%d.jpg", i))
		if err := os.WriteFile(path, testimage.JPEG(testimage.Photo(160, 120), 85, 0, false), 0o666); err != nil {
			t.Fatal(err)
		}
		list = append(list, filepath.Base(path))
	}
	const out = "out"

	ptm, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	defer ptm.Close()
	cmd := thumbsCommand("-v", "-o", out)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = tty, tty
	paths, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds it now
	var term bytes.Buffer
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(&term, ptm)
		copied <- err
	}()
	for _, p := range list {
		fmt.Fprintln(paths, p)
		time.Sleep(300 * time.Millisecond)
	}
	paths.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("thumbs: %v\n%q", err, term.String())
	}
	// Reading the master ends with EIO once the child's side is closed.
	if err := <-copied; err != nil && !errors.Is(err, syscall.EIO) {
		t.Fatal(err)
	}
	output := strings.ReplaceAll(term.String(), "\r\n", "\n") // the terminal's ONLCR

	// The bar advances: frames with several distinct counts, ending at n/n.
	seen := map[int]bool{}
	last := 0
	for _, m := range barFrame.FindAllStringSubmatch(output, -1) {
		done, _ := strconv.Atoi(m[1])
		total, _ := strconv.Atoi(m[2])
		if done > total || total > n {
			t.Errorf("frame %q counts %d of %d, with %d images", m[0], done, total, n)
		}
		seen[done] = true
		last = max(last, done)
		if done == n && total != n {
			t.Errorf("frame %q: total %d, want %d", m[0], total, n)
		}
	}
	if len(seen) < 3 || last != n {
		t.Errorf("the bar showed the counts %v, want several, up to %d:\n%q", seen, n, output)
	}

	// What the terminal shows: each line as the last carriage return left
	// it. The -v lines are exactly the output paths, and the summary ends.
	var shown []string
	for _, line := range strings.Split(strings.TrimSuffix(output, "\n"), "\n") {
		line = line[strings.LastIndex(line, "\r")+1:]
		shown = append(shown, strings.TrimPrefix(line, "\x1b[K"))
	}
	if len(shown) != n+1 {
		t.Fatalf("the terminal shows %d lines, want %d output paths and the summary:\n%s", len(shown), n, strings.Join(shown, "\n"))
	}
	for i, line := range shown[:n] {
		if want := filepath.Join(out, fmt.Sprintf("p%d.jpg", i)); line != want {
			t.Errorf("line %d shows %q, want %q (glued to the bar?)", i+1, line, want)
		}
	}
	if !strings.HasPrefix(shown[n], fmt.Sprintf("thumbs: %d ok, 0 failed, 0 skipped; ", n)) {
		t.Errorf("last line %q, want the summary", shown[n])
	}
}
