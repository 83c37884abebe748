// Package source finds the images a run reads, from arguments, directory
// walks and path lists on standard input, and names each by the path its
// thumbnails take under the output directory.
package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/thumbs-dev/thumbs/internal/decode"
)

// Source is one image to read.
type Source struct {
	Path string // as given or found, for opening and for messages
	Rel  string // slash-separated path of its thumbnails relative to the output directory
	Err  error  // why it could not be found, if it could not
}

// String returns the source's path.
func (s Source) String() string { return s.Path }

// Finder finds sources.
type Finder struct {
	Out   string    // output directory: never walked into
	Stdin io.Reader // where path lists come from
	Null  bool      // path lists are NUL-separated instead of line-separated
	Cwd   string    // current directory, for absolute paths on stdin
}

// Find calls emit for each source named by args, in order: a file is one
// source named by its base name, a directory is walked recursively in
// lexical order for files with an image extension (not following
// symbolic links to directories) and its tree is mirrored, and "-" (or no
// argument at all) reads a path list from f.Stdin, each path mirrored as
// given. A path that cannot be read is emitted with its error. Find stops
// when emit returns false, and returns an error only when the path list
// cannot be read.
//
// No file inside the output directory is ever a source: Find is where that
// holds. It judges by the identity of the directories on a path with its
// symbolic links resolved, so no spelling, link or bind mount gets around
// it. A walk never enters the output directory, a path listed on stdin
// inside it is passed over, as the walk passes over its files, and an
// argument inside it is emitted with an error.
func (f Finder) Find(ctx context.Context, args []string, emit func(Source) bool) error {
	if len(args) == 0 {
		args = []string{"-"}
	}
	g := newOutGuard(f.Out)
	for _, arg := range args {
		var more bool
		var err error
		if arg == "-" {
			more, err = f.readList(ctx, g, emit)
		} else if g.contains(arg) {
			more = emit(Source{Path: arg, Rel: path.Base(filepath.ToSlash(filepath.Clean(arg))), Err: f.insideErr()})
		} else {
			more = f.find(arg, path.Base(filepath.ToSlash(filepath.Clean(arg))), "", g, emit)
		}
		if err != nil {
			return err
		}
		if !more || ctx.Err() != nil {
			return nil
		}
	}
	return nil
}

// insideErr is the error of an argument found inside the output directory.
func (f Finder) insideErr() error {
	return fmt.Errorf("is inside the output directory %s: thumbs never reads where it writes, so its thumbnails cannot replace its sources", f.Out)
}

// find emits p: when it is a directory, its images, each named by its path
// below p joined to prefix; otherwise p itself, named rel.
func (f Finder) find(p, rel, prefix string, g *outGuard, emit func(Source) bool) bool {
	info, err := os.Stat(p)
	if err != nil || !info.IsDir() {
		return emit(Source{Path: p, Rel: rel, Err: err})
	}
	return f.walk(p, prefix, g, emit)
}

// walk emits the images under dir, each named by its path below dir
// joined to prefix.
func (f Finder) walk(dir, prefix string, g *outGuard, emit func(Source) bool) bool {
	more := true
	// The separator makes a symbolic link named as an argument followed.
	root := strings.TrimSuffix(dir, string(filepath.Separator)) + string(filepath.Separator)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		rel = path.Join(prefix, filepath.ToSlash(rel))
		if err != nil {
			if p == root {
				return err
			}
			more = emit(Source{Path: p, Rel: rel, Err: err})
			return stopUnless(more)
		}
		if d.IsDir() {
			if info, err := d.Info(); err == nil && g.is(info) {
				return filepath.SkipDir
			}
			return nil
		}
		if !decode.IsImageName(d.Name()) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 && g.contains(p) {
			return nil // a link to an output, not a source
		}
		more = emit(Source{Path: p, Rel: rel})
		return stopUnless(more)
	})
	if err != nil && !errors.Is(err, fs.SkipAll) {
		more = emit(Source{Path: dir, Rel: prefix, Err: err})
	}
	return more
}

func stopUnless(more bool) error {
	if more {
		return nil
	}
	return fs.SkipAll
}

// readList emits every path listed on f.Stdin, as it is read. When ctx is
// cancelled, a read from a pipe waiting for more paths is interrupted.
func (f Finder) readList(ctx context.Context, g *outGuard, emit func(Source) bool) (bool, error) {
	if d, ok := f.Stdin.(interface{ SetReadDeadline(time.Time) error }); ok {
		stop := context.AfterFunc(ctx, func() { d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	sep := byte('\n')
	if f.Null {
		sep = 0
	}
	sc := bufio.NewScanner(f.Stdin)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.IndexByte(data, sep); i >= 0 {
			return i + 1, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	})
	for sc.Scan() {
		p := sc.Text()
		if !f.Null {
			p = strings.TrimSuffix(p, "\r")
		}
		if p == "" {
			continue
		}
		if g.contains(p) {
			continue
		}
		if rel := f.Mirror(p); !f.find(p, rel, rel, g, emit) {
			return false, nil
		}
	}
	if err := sc.Err(); err != nil {
		if ctx.Err() != nil {
			return false, nil
		}
		return true, fmt.Errorf("read path list: %w", err)
	}
	return true, nil
}

// Mirror returns the output-relative path of p as listed on stdin: a
// relative path as it is, an absolute one relative to f.Cwd when inside it
// and otherwise without its leading separator, with ".." elements removed
// so that it never climbs out of the output directory.
func (f Finder) Mirror(p string) string {
	p = filepath.Clean(p)
	if filepath.IsAbs(p) {
		if f.Cwd != "" {
			if rel, err := filepath.Rel(f.Cwd, p); err == nil && filepath.IsLocal(rel) {
				p = rel
			}
		}
	}
	var kept []string
	for _, elem := range strings.Split(filepath.ToSlash(p), "/") {
		if elem != "" && elem != "." && elem != ".." {
			kept = append(kept, elem)
		}
	}
	if len(kept) == 0 {
		return "_"
	}
	return strings.Join(kept, "/")
}

// outGuard tells the paths inside the output directory from the others.
type outGuard struct {
	out fs.FileInfo // nil when the output directory does not exist: nothing is inside it

	// The verdict for the last directory asked about, since path lists
	// and walks name many files of one directory in a row.
	lastDir string
	lastIn  bool
}

func newOutGuard(out string) *outGuard {
	info, err := os.Stat(out)
	if err != nil || !info.IsDir() {
		info = nil
	}
	return &outGuard{out: info}
}

// is reports whether info describes the output directory.
func (g *outGuard) is(info fs.FileInfo) bool {
	return g.out != nil && os.SameFile(info, g.out)
}

// contains reports whether the file at p, with its symbolic links
// resolved, lies inside the output directory or is that directory. A path
// that cannot be resolved lies nowhere: reading it will fail on its own.
func (g *outGuard) contains(p string) bool {
	if g.out == nil {
		return false
	}
	info, err := os.Lstat(p)
	if err != nil {
		return false
	}
	if info.Mode()&fs.ModeSymlink != 0 || info.IsDir() {
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return false
		}
		if info, err := os.Stat(real); err != nil || g.is(info) {
			return err == nil
		}
		p = real
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	return g.dirContains(filepath.Dir(abs))
}

// dirContains reports whether the directory dir, an absolute path, is the
// output directory or lies inside it.
func (g *outGuard) dirContains(dir string) bool {
	if dir == g.lastDir {
		return g.lastIn
	}
	in := false
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		for d := real; ; d = filepath.Dir(d) {
			if info, err := os.Stat(d); err == nil && g.is(info) {
				in = true
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	g.lastDir, g.lastIn = dir, in
	return in
}
