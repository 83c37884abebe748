package main

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// TestRecordFailureIsPrinted: when the run record cannot be written (here
// a file size limit stops the store from growing past 48 KiB, while every
// thumbnail is smaller), the thumbnails are still made, the failure is
// printed once as the run's, and thumbs exits 1.
func TestRecordFailureIsPrinted(t *testing.T) {
	dir := t.TempDir()
	const n = 400
	for i := range n {
		data := testimage.JPEG(testimage.Photo(16+i%7, 16+i/7%9), 80, 0, false)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%03d.jpg", i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command("bash", "-c", `ulimit -f 48; exec "$0" "$@"`, os.Args[0], "--keep-going", "--progress", "never", "-o", out, dir)
	cmd.Env = append(os.Environ(), "THUMBS_AS_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit status %d (%v), want %d\n%s", code, err, 1, stderr.String())
	}
	if c := strings.Count(stderr.String(), "thumbs: save the record of this run: "); c != 1 {
		t.Errorf("the record's failure is printed %d times, want once:\n%s", c, stderr.String())
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("thumbs: %d ok, 0 failed", n)) {
		t.Errorf("want all %d thumbnails made:\n%s", n, stderr.String())
	}
}

// photoDir writes n generated photos of w×h pixels, named pNNN.jpg, under
// a new directory.
func photoDir(t *testing.T, n, w, h int) string {
	return namedPhotoDir(t, "p", n, w, h)
}

// namedPhotoDir writes n generated photos of w×h pixels, named
// PREFIXNNN.jpg, under a new directory.
func namedPhotoDir(t *testing.T, prefix string, n, w, h int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		data := testimage.JPEG(testimage.Photo(w+i%5, h+i%3), 85, 0, false)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s%03d.jpg", prefix, i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestKilledRunLeavesNoCurrentLie: thumbnails are made at 64 px, then a run
// at 200 px is killed with SIGKILL after it has replaced some of them. No
// source that `check -s 64` calls current may then have an output that
// is not its 64 px thumbnail, and a re-run at 64 px puts every one right.
func TestKilledRunLeavesNoCurrentLie(t *testing.T) {
	const n = 60
	src := photoDir(t, n, 600, 400)
	out := filepath.Join(t.TempDir(), "out")
	if r := rbRun(t, rbOpts{}, "--progress", "never", "-s", "64", "-o", out, src); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	cmd := thumbsCommand("--progress", "never", "-j", "1", "-s", "200", "-o", out, src)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once a few outputs are replaced, well before it ends.
	deadline := time.Now().Add(30 * time.Second)
	for replaced(t, out, n) < 5 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if k := replaced(t, out, n); k < 5 || k == n {
		t.Fatalf("the killed run replaced %d of %d thumbnails; the test needs some but not all", k, n)
	}

	r := rbRun(t, rbOpts{}, "check", "--json", "-s", "64", "-o", out, src)
	current := 0
	for _, row := range r.rows {
		if row.Status == "skipped" || row.Status == "duplicate" {
			current++
			if w := width(filepath.Join(out, filepath.Base(row.Src))); w != 64 {
				t.Errorf("check calls %s current, but its thumbnail is %d px wide, not 64", row.Src, w)
			}
		}
	}
	if stale := len(r.rows) - current; stale != replaced(t, out, n) {
		t.Errorf("check calls %d stale, but %d thumbnails were replaced", stale, replaced(t, out, n))
	}
	if r := rbRun(t, rbOpts{}, "--progress", "never", "-s", "64", "-o", out, src); r.code != 0 {
		t.Fatalf("re-run: exit %d\n%s", r.code, r.stderr)
	}
	if k := replaced(t, out, n); k != 0 {
		t.Errorf("after the re-run %d thumbnails are still 200 px", k)
	}
}

// replaced counts the thumbnails under out that are 200 px wide.
func replaced(t *testing.T, out string, n int) int {
	k := 0
	for i := range n {
		if width(filepath.Join(out, fmt.Sprintf("p%03d.jpg", i))) == 200 {
			k++
		}
	}
	return k
}

// width returns the width of the image in the named file, 0 when it
// cannot be read.
func width(name string) int {
	f, err := os.Open(name)
	if err != nil {
		return 0
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return 0
	}
	return cfg.Width
}

// TestConcurrentRunsKeepTheirEntries: two runs on one output directory at
// once, of different sources; the second waits its turn and says so, and
// afterwards every source of both is current. The first run reads its paths
// from a pipe that stays open until the second has said it waits, so the
// two overlap however fast or slow the machine is.
func TestConcurrentRunsKeepTheirEntries(t *testing.T) {
	a, b := namedPhotoDir(t, "a", 10, 600, 400), namedPhotoDir(t, "b", 10, 400, 600)
	out := filepath.Join(t.TempDir(), "out")

	first := thumbsCommand("--progress", "never", "-o", out, "-")
	firstIn, err := first.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var firstErr lockedBuffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	fmt.Fprintln(firstIn, filepath.Join(a, "a000.jpg"))
	waitFor(t, "the first run to hold the record", func() bool {
		_, err := os.Stat(filepath.Join(out, ".thumbs-record.holder"))
		return err == nil
	})

	second := thumbsCommand("--progress", "never", "-o", out, b)
	var secondErr lockedBuffer
	second.Stderr = &secondErr
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	defer second.Process.Kill()
	waitFor(t, "the second run to say it waits", func() bool {
		return strings.Contains(secondErr.String(), "waiting for it to finish")
	})

	entries, _ := os.ReadDir(a)
	for _, e := range entries[1:] {
		fmt.Fprintln(firstIn, filepath.Join(a, e.Name()))
	}
	firstIn.Close()
	if err := first.Wait(); err != nil {
		t.Errorf("first run failed: %v\n%s", err, firstErr.String())
	}
	if err := second.Wait(); err != nil {
		t.Errorf("second run failed: %v\n%s", err, secondErr.String())
	}
	if strings.Contains(firstErr.String(), "waiting") {
		t.Errorf("the first run waited:\n%s", firstErr.String())
	}
	if !strings.Contains(secondErr.String(), "is in use by thumbs, process") {
		t.Errorf("the second run did not name the holder:\n%s", secondErr.String())
	}
	var firstPaths bytes.Buffer
	for _, e := range entries {
		fmt.Fprintln(&firstPaths, filepath.Join(a, e.Name()))
	}
	if r := rbRun(t, rbOpts{stdin: firstPaths.Bytes()}, "check", "-o", out, "-"); r.code != 0 {
		t.Errorf("check of the first run's sources: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := rbRun(t, rbOpts{}, "check", "-o", out, b); r.code != 0 {
		t.Errorf("check of the second run's sources: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// waitFor polls done every 20 ms and fails the test if it has not become
// true within a minute.
func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !done(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// lockedBuffer is a bytes.Buffer that a child's output can be written to
// while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
