package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
	if code := cmd.ProcessState.ExitCode(); code != exitFailed {
		t.Fatalf("exit status %d (%v), want %d\n%s", code, err, exitFailed, stderr.String())
	}
	if c := strings.Count(stderr.String(), "thumbs: save the record of this run: "); c != 1 {
		t.Errorf("the record's failure is printed %d times, want once:\n%s", c, stderr.String())
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("thumbs: %d ok, 0 failed", n)) {
		t.Errorf("want all %d thumbnails made:\n%s", n, stderr.String())
	}
}
