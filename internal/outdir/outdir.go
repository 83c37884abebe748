// Package outdir confines every change thumbs makes on disk to its output
// directory: each create, rename and remove goes through an os.Root opened
// on that directory, so no name, through ".." or a symbolic link, reaches a
// file outside it.
package outdir

import (
	"cmp"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// TempPrefix starts the name of every temporary file thumbs writes; the
// host and process id that follow let a later run find those left by a
// killed process.
const TempPrefix = ".thumbs-tmp-"

// Dir is an output directory. Names given to its methods are
// slash-separated and relative to it. A Dir is safe for concurrent use.
type Dir struct {
	root *os.Root
	path string
}

// Open opens the output directory at p, creating it (and its parents) first
// when create is set. The directory is the one p names at the time of the
// call: later changes to p's own symbolic links do not move it.
func Open(p string, create bool) (*Dir, error) {
	if create {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return nil, err
		}
	}
	root, err := os.OpenRoot(p)
	if err != nil {
		return nil, err
	}
	return &Dir{root: root, path: p}, nil
}

// Close releases the directory.
func (d *Dir) Close() error { return d.root.Close() }

// Path returns the directory's path as given to Open.
func (d *Dir) Path() string { return d.path }

// Join returns the path of the file name inside the directory, for
// messages and for callers that report outputs.
func (d *Dir) Join(name string) string {
	return filepath.Join(d.path, filepath.FromSlash(name))
}

// Stat returns the file information of name, following symbolic links
// that stay inside the directory.
func (d *Dir) Stat(name string) (fs.FileInfo, error) {
	return d.root.Stat(filepath.FromSlash(name))
}

// Lstat returns the file information of name without following a final
// symbolic link.
func (d *Dir) Lstat(name string) (fs.FileInfo, error) {
	return d.root.Lstat(filepath.FromSlash(name))
}

// ReadDir lists the directory name ("." for the output directory itself).
func (d *Dir) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(d.root.FS(), name)
}

// Open opens name for reading.
func (d *Dir) Open(name string) (*os.File, error) {
	return d.root.Open(filepath.FromSlash(name))
}

// OpenFile opens name with the given flags, creating it with perm when
// asked; for stores that manage a file of their own.
func (d *Dir) OpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	return d.root.OpenFile(filepath.FromSlash(name), flag, perm)
}

// Staged is a file written under a temporary name, waiting to be put in
// place by Commit or dropped by Discard.
type Staged struct {
	dir       *Dir
	tmp, name string
}

// Stage writes data to a new temporary file in the directory that will
// hold name, creating that directory if needed. With sync, the data is
// flushed to stable storage before Stage returns. Nothing is visible under
// name until Commit. On error no temporary file is left.
func (d *Dir) Stage(name string, data []byte, sync bool) (*Staged, error) {
	native := filepath.FromSlash(name)
	parent := filepath.Dir(native)
	if err := d.root.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	f, tmp, err := d.createTemp(parent)
	if err != nil {
		return nil, err
	}
	_, err = f.Write(data)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		d.root.Remove(tmp)
		return nil, err
	}
	return &Staged{dir: d, tmp: tmp, name: native}, nil
}

// createTemp creates a new file, readable by all, with a fresh temporary
// name in the directory parent.
func (d *Dir) createTemp(parent string) (*os.File, string, error) {
	host, _ := os.Hostname()
	prefix := TempPrefix + strings.ReplaceAll(host, "-", "_") + "-" + strconv.Itoa(os.Getpid()) + "-"
	for range 100 {
		tmp := filepath.Join(parent, prefix+strconv.FormatUint(rand.Uint64()>>16, 36))
		f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, tmp, err
	}
	return nil, "", errors.New("no free temporary file name")
}

// Commit renames the staged file over its final name, replacing any file
// there (a symbolic link there is replaced, never followed).
func (s *Staged) Commit() error {
	if err := s.dir.root.Rename(s.tmp, s.name); err != nil {
		s.Discard()
		return err
	}
	return nil
}

// Discard removes the staged file. It may be called after Commit, to no
// effect.
func (s *Staged) Discard() { s.dir.root.Remove(s.tmp) }

// WriteFile replaces name with data atomically: name holds either its old
// content or all of data, never a part, and no temporary file is left.
// With sync, the data and the rename are flushed to stable storage before
// WriteFile returns.
func (d *Dir) WriteFile(name string, data []byte, sync bool) error {
	s, err := d.Stage(name, data, sync)
	if err != nil {
		return err
	}
	if err := s.Commit(); err != nil {
		return err
	}
	if sync {
		return d.syncDir(path.Dir(name))
	}
	return nil
}

// syncDir flushes the directory name's entries to stable storage. Systems
// that cannot sync a directory are not an error.
func (d *Dir) syncDir(name string) error {
	f, err := d.root.Open(filepath.FromSlash(name))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}

// SyncAll flushes every file written in the directory's file system to
// stable storage, so that a record written after it never points to data
// a power loss could take back.
func (d *Dir) SyncAll() error {
	f, err := d.root.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	return syncFS(f)
}

// Remove removes the file name. It refuses, with an error, to remove a
// directory; a symbolic link is removed itself, never its target.
func (d *Dir) Remove(name string) error {
	native := filepath.FromSlash(name)
	info, err := d.root.Lstat(native)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.EISDIR}
	}
	return d.root.Remove(native)
}

// RemoveEmptyDirs removes those of dirs (slash-separated, relative to the
// directory, never "." itself) that are empty, deepest first so that
// parents emptied by the removal of their children go too. A directory
// that is not empty or cannot be removed stays; that is not an error.
func (d *Dir) RemoveEmptyDirs(dirs []string) {
	list := make([]string, 0, len(dirs))
	for _, dir := range dirs {
		for ; dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
			list = append(list, dir)
		}
	}
	slices.SortFunc(list, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(b, "/"), strings.Count(a, "/")), cmp.Compare(a, b))
	})
	for i, dir := range list {
		if i > 0 && list[i-1] == dir {
			continue
		}
		name := filepath.FromSlash(dir)
		if info, err := d.root.Lstat(name); err != nil || !info.IsDir() {
			continue
		}
		d.root.Remove(name) // fails, harmlessly, unless the directory is empty
	}
}

// RemoveStaleTemps deletes the temporary files left in the directory by
// thumbs processes of this host that no longer run, and returns how many it
// removed. It lists the tree by its path, which costs no stat per file (an
// output directory may hold a million), and removes through the root.
func (d *Dir) RemoveStaleTemps() int {
	host, _ := os.Hostname()
	mine := TempPrefix + strings.ReplaceAll(host, "-", "_") + "-"
	removed := 0
	filepath.WalkDir(d.path, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasPrefix(e.Name(), mine) {
			return nil
		}
		pid, _, ok := strings.Cut(strings.TrimPrefix(e.Name(), mine), "-")
		n, err := strconv.Atoi(pid)
		if !ok || err != nil || n == os.Getpid() || processAlive(n) {
			return nil
		}
		rel, err := filepath.Rel(d.path, p)
		if err == nil && d.root.Remove(rel) == nil {
			removed++
		}
		return nil
	})
	return removed
}
