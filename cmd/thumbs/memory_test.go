package main

// A run under a memory limit: images whose decoding would not fit are
// refused with a clear error, the others are made, and thumbs is not
// killed.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

func init() {
	// Join the cgroup whose cgroup.procs is named, before anything else
	// runs (this file's init comes before robust_test.go's RSS wrapper):
	// thumbs and its memory are then accounted there from the start.
	if procs := os.Getenv("THUMBS_CGROUP_PROCS"); procs != "" {
		os.Unsetenv("THUMBS_CGROUP_PROCS")
		if err := os.WriteFile(procs, []byte(strconv.Itoa(os.Getpid())), 0); err != nil {
			fmt.Fprintln(os.Stderr, "join cgroup:", err)
			os.Exit(98)
		}
	}
}

// hugeCanvasWebP returns a small animated WebP: two 16x16 frames on a
// w x h canvas, which libwebp decodes into whole-canvas buffers.
func hugeCanvasWebP(t *testing.T, w, h int) []byte {
	var still bytes.Buffer
	if err := encode.Encode(&still, testimage.Photo(16, 16), encode.Options{Format: encode.WebP, Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return testimage.AnimatedWebP(still.Bytes(), 16, 16, w, h, 2)
}

// memoryCgroup creates a child of this process's memory cgroup (v2, or v1's
// memory controller) limited to limit bytes and returns its directory, or
// "" when it cannot.
func memoryCgroup(t *testing.T, limit int64) (dir, procs string) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", ""
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var base, limitFile string
		switch {
		case parts[0] == "0" && parts[1] == "":
			base, limitFile = "/sys/fs/cgroup", "memory.max"
		case parts[1] == "memory":
			base, limitFile = "/sys/fs/cgroup/memory", "memory.limit_in_bytes"
		default:
			continue
		}
		dir := filepath.Join(base, parts[2], fmt.Sprintf("thumbs-test-%d", os.Getpid()))
		if err := os.Mkdir(dir, 0o755); err != nil {
			continue
		}
		t.Cleanup(func() { os.Remove(dir) })
		if err := os.WriteFile(filepath.Join(dir, limitFile), []byte(strconv.FormatInt(limit, 10)), 0); err != nil {
			continue
		}
		if limitFile == "memory.limit_in_bytes" {
			// No swap to escape to, where the kernel has the knob.
			os.WriteFile(filepath.Join(dir, "memory.memsw.limit_in_bytes"), []byte(strconv.FormatInt(limit, 10)), 0)
		}
		return dir, filepath.Join(dir, "cgroup.procs")
	}
	return "", ""
}

// cgroupOOMKills returns how many processes the kernel killed in the
// cgroup dir for want of memory.
func cgroupOOMKills(dir string) int {
	for _, name := range []string{"memory.events", "memory.oom_control"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if n, ok := strings.CutPrefix(line, "oom_kill "); ok {
				k, _ := strconv.Atoi(strings.TrimSpace(n))
				return k
			}
		}
	}
	return 0
}

// TestMemoryLimit runs thumbs -j 3 on three 10000x10000 animated WebPs
// (libwebp would need over 3 GiB for each) and a small JPEG, with 1 GiB of
// memory: in a memory cgroup of that size where one can be made here (as
// root with a writable cgroup hierarchy), else with GOMEMLIMIT=1GiB, and
// then its peak RSS must stay below the limit. Either way thumbs must not
// be killed, the WebPs must be refused saying why, and the JPEG made.
func TestMemoryLimit(t *testing.T) {
	const limit = 1 << 30
	root := t.TempDir()
	webp := hugeCanvasWebP(t, 10000, 10000)
	names := []string{"a.webp", "b.webp", "c.webp"}
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(root, name), webp, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "small.jpg"), testimage.JPEG(testimage.Photo(640, 480), 90, 1, false), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--json", "--progress", "never", "--keep-going", "-j", "3", "-o", "OUT", "a.webp", "b.webp", "c.webp", "small.jpg"}

	dir, procs := memoryCgroup(t, limit)
	var r rbResult
	if dir != "" {
		t.Logf("running in memory cgroup %s", dir)
		t.Setenv("THUMBS_CGROUP_PROCS", procs)
		r = rbRun(t, rbOpts{dir: root, timeout: 5 * time.Minute}, args...)
		if k := cgroupOOMKills(dir); k > 0 {
			t.Errorf("the kernel killed %d processes in the cgroup for want of memory", k)
		}
	} else {
		t.Logf("no memory cgroup here: running with GOMEMLIMIT=%d", limit)
		t.Setenv("GOMEMLIMIT", strconv.Itoa(limit))
		r = rbRun(t, rbOpts{dir: root, measureRSS: true, timeout: 5 * time.Minute}, args...)
		if rss := r.maxRSSKiB << 10; rss >= limit {
			t.Errorf("peak RSS %d MiB, over the limit of %d MiB", rss>>20, limit>>20)
		} else {
			t.Logf("peak RSS %d MiB", rss>>20)
		}
	}
	if r.code < 0 {
		t.Fatalf("thumbs was killed\nstderr:\n%s", rbTail(r.stderr))
	}
	status := map[string]rbRow{}
	for _, row := range r.rows {
		status[filepath.Base(row.Src)] = row
	}
	for _, name := range names {
		row := status[name]
		if row.Status != "failed" || !strings.Contains(row.Error, "over the memory budget") {
			t.Errorf("%s: status %q, error %q; want refused for its memory", name, row.Status, row.Error)
		}
	}
	if row := status["small.jpg"]; row.Status != "ok" {
		t.Errorf("small.jpg: status %q, error %q; want ok", row.Status, row.Error)
	}
	if r.code != 1 {
		t.Errorf("exit status %d, want 1 (some files failed)\nstderr:\n%s", r.code, rbTail(r.stderr))
	}
}
