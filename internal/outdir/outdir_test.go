package outdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// open opens dir as an output directory for the test.
func open(t *testing.T, dir string) *Dir {
	t.Helper()
	d, err := Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// names returns the names of the files under dir, slash-separated.
func names(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func TestWriteFileReplacesAtomically(t *testing.T) {
	for _, sync := range []bool{false, true} {
		dir := t.TempDir()
		d := open(t, dir)
		for _, content := range []string{"first", "second"} {
			if err := d.WriteFile("a/b/c.jpg", []byte(content), sync); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "a/b/c.jpg"))
			if err != nil || string(got) != content {
				t.Errorf("sync %v: content %q, %v; want %q", sync, got, err, content)
			}
		}
		if got := names(t, dir); len(got) != 1 {
			t.Errorf("sync %v: files %q, want only a/b/c.jpg", sync, got)
		}
		info, _ := os.Stat(filepath.Join(dir, "a/b/c.jpg"))
		if info.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, want 0644", info.Mode().Perm())
		}
	}
}

// TestNothingEscapes plants the links an attacker with write access to the
// output directory could, and checks that no write, rename or removal
// reaches the folder outside it.
func TestNothingEscapes(t *testing.T) {
	parent := t.TempDir()
	outside := filepath.Join(parent, "photos")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "a.jpg"), []byte("original"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "out")
	d := open(t, dir)
	if err := os.Symlink(outside, filepath.Join(dir, "sub")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "a.jpg"), filepath.Join(dir, "file.jpg")); err != nil {
		t.Fatal(err)
	}

	if err := d.WriteFile("sub/a.jpg", []byte("thumbnail"), false); err == nil {
		t.Error("WriteFile through a link out of the directory succeeded")
	}
	if err := d.WriteFile("../photos/a.jpg", []byte("thumbnail"), false); err == nil {
		t.Error("WriteFile of ../photos/a.jpg succeeded")
	}
	if err := d.Remove("sub/a.jpg"); err == nil {
		t.Error("Remove through a link out of the directory succeeded")
	}
	d.RemoveEmptyDirs([]string{"sub", "sub/x"})
	// A link at a final name is replaced or removed itself, never followed.
	if err := d.WriteFile("file.jpg", []byte("thumbnail"), false); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(outside, "a.jpg")); err != nil || string(got) != "original" {
		t.Fatalf("the file outside holds %q, %v; want it untouched", got, err)
	}
	if err := d.Remove("file.jpg"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, outside); len(got) != 1 || got[0] != "a.jpg" {
		t.Errorf("outside holds %q, want only a.jpg", got)
	}
}

func TestRemoveRefusesDirectories(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	if err := os.MkdirAll(filepath.Join(dir, "x.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove("x.jpg"); err == nil {
		t.Error("Remove of a directory succeeded")
	}
}

func TestStageDiscardAndCommit(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	a, err := d.Stage("a.jpg", []byte("a"), false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Stage("deep/b.jpg", []byte("b"), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); len(got) != 2 || !strings.HasPrefix(filepath.Base(got[0]), TempPrefix) {
		t.Errorf("staged files %q, want two temporary files", got)
	}
	a.Discard()
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); len(got) != 1 || got[0] != "deep/b.jpg" {
		t.Errorf("files %q, want only deep/b.jpg", got)
	}
}

func TestCommitFailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	if err := os.MkdirAll(filepath.Join(dir, "x.jpg", "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := d.Stage("x.jpg", []byte("x"), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err == nil {
		t.Fatal("Commit over a non-empty directory succeeded")
	}
	for _, n := range names(t, dir) {
		if strings.Contains(n, TempPrefix) {
			t.Errorf("temporary file %s left behind", n)
		}
	}
}

func TestRemoveEmptyDirs(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	for _, p := range []string{"a/b/c", "a/keep", "x/y"} {
		os.MkdirAll(filepath.Join(dir, p), 0o755)
	}
	os.WriteFile(filepath.Join(dir, "a/keep/f"), nil, 0o644)
	d.RemoveEmptyDirs([]string{"a/b/c", "x/y"})
	for p, want := range map[string]bool{"a/b": false, "a/keep": true, "a": true, "x": false} {
		_, err := os.Stat(filepath.Join(dir, p))
		if (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", p, err == nil, want)
		}
	}
	if _, err := os.Stat(dir); err != nil {
		t.Error("the directory itself was removed")
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	host, _ := os.Hostname()
	host = strings.ReplaceAll(host, "-", "_")
	dead := filepath.Join(dir, "sub", fmt.Sprintf("%s%s-%d-123", TempPrefix, host, 1<<30))
	alive := filepath.Join(dir, fmt.Sprintf("%s%s-%d-456", TempPrefix, host, 1)) // pid 1 always runs
	mine := filepath.Join(dir, fmt.Sprintf("%s%s-%d-789", TempPrefix, host, os.Getpid()))
	other := filepath.Join(dir, TempPrefix+"otherhost-5-789")
	for _, p := range []string{dead, alive, mine, other} {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	if n := d.RemoveStaleTemps(); n != 1 {
		t.Errorf("removed %d temporary files, want 1", n)
	}
	for p, wantGone := range map[string]bool{dead: true, alive: false, mine: false, other: false} {
		_, err := os.Stat(p)
		if gone := errors.Is(err, fs.ErrNotExist); gone != wantGone {
			t.Errorf("%s: gone %v, want %v", filepath.Base(p), gone, wantGone)
		}
	}
}
