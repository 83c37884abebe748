package source_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/source"
)

// FuzzMirror checks that the output-relative path of any path listed on
// stdin stays inside the output directory: it is local, not empty, has no
// "", "." or ".." element, and mirroring it again changes nothing. A local
// relative path, and an absolute one inside the current directory, keep
// their shape.
func FuzzMirror(f *testing.F) {
	for _, s := range [][2]string{
		{"a.jpg", "/home/ann"},
		{"../../etc/passwd", "/home/ann"},
		{"/home/ann/work/p/q.jpg", "/home/ann/work"},
		{"/home/ann/workshop/x.jpg", "/home/ann/work"},
		{"/", "/"},
		{"..", ""},
		{"./a//b/./../c.png", "/"},
		{"a/\x00/b", "/x"},
		{"\\..\\..\\win.jpg", "/"},
		{"/home/ann/work", "/home/ann/work"},
		{"/home/ann/work/../work/x.jpg", "/home/ann/work/"},
		{"....//...//x", ""},
		{"C:\\x.jpg", "/"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, cwd string) {
		if cwd != "" {
			cwd = filepath.Clean("/" + cwd) // os.Getwd gives a clean absolute path
		}
		fi := source.Finder{Cwd: cwd}
		rel := fi.Mirror(p)
		if rel == "" {
			t.Fatalf("Mirror(%q) with cwd %q is empty", p, cwd)
		}
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			t.Fatalf("Mirror(%q) with cwd %q = %q, not local", p, cwd, rel)
		}
		for _, elem := range strings.Split(rel, "/") {
			if elem == "" || elem == "." || elem == ".." {
				t.Fatalf("Mirror(%q) with cwd %q = %q, has element %q", p, cwd, rel, elem)
			}
		}
		if again := fi.Mirror(rel); again != rel {
			t.Fatalf("Mirror(%q) = %q but Mirror(%q) = %q", p, rel, rel, again)
		}
		if !filepath.IsAbs(p) && filepath.IsLocal(p) {
			if want := filepath.ToSlash(filepath.Clean(p)); rel != want && want != "." {
				t.Fatalf("Mirror of the local path %q = %q, want %q", p, rel, want)
			}
		}
		if cwd != "" && filepath.IsAbs(p) {
			if in, err := filepath.Rel(cwd, p); err == nil && filepath.IsLocal(in) && in != "." {
				if want := filepath.ToSlash(in); rel != want {
					t.Fatalf("Mirror(%q) with cwd %q = %q, want %q", p, cwd, rel, want)
				}
			}
		}
	})
}

// maxLine is the longest path, separator included, that a path list may
// hold (the scanner's buffer).
const maxLine = 1 << 20

// fzEntries splits a path list as documented: entries separated by sep, a
// trailing "\r" dropped in line mode, empty entries skipped. tooLong
// reports an entry too long to read.
func fzEntries(data []byte, null bool) (entries []string, tooLong bool) {
	sep := byte('\n')
	if null {
		sep = 0
	}
	for len(data) > 0 {
		i := bytes.IndexByte(data, sep)
		var e []byte
		if i < 0 {
			e, data = data, nil
			if len(e) > maxLine {
				tooLong = true
			}
		} else {
			e, data = data[:i], data[i+1:]
			if len(e)+1 > maxLine {
				tooLong = true
			}
		}
		if !null {
			e = bytes.TrimSuffix(e, []byte("\r"))
		}
		if len(e) > 0 {
			entries = append(entries, string(e))
		}
	}
	return entries, tooLong
}

// FuzzReadList feeds arbitrary bytes as the path list on stdin, in line
// and NUL mode: Find emits exactly the non-empty entries, in order, each
// named by its Mirror, and never panics.
func FuzzReadList(f *testing.F) {
	for _, s := range []string{
		"",
		"a.jpg\nb.png\n",
		"a.jpg\r\nb c.png\r\n\r\n\n",
		"\n\n\nx",
		"no newline at end",
		"with\x00nul\x00inside\n",
		"a\x00b\x00\x00c",
		"\r\n\r",
		"../up.jpg\n/abs/x.jpg\n./rel.gif\n",
		"caf\xe9.jpg\n\xff\xfe.png",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	out := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, null bool) {
		want, tooLong := fzEntries(data, null)
		for _, p := range want {
			// Find walks a directory named on stdin for images; such an
			// input says nothing of the list reader.
			if info, err := os.Stat(p); err == nil && info.IsDir() {
				return
			}
		}
		fi := source.Finder{Out: out, Stdin: bytes.NewReader(data), Null: null, Cwd: "/fuzz/cwd"}
		var got []source.Source
		err := fi.Find(context.Background(), nil, func(s source.Source) bool {
			got = append(got, s)
			return len(got) <= len(want) // a walk gone astray stops early
		})
		paths := make([]string, len(got))
		for i, s := range got {
			paths[i] = s.Path
			if want := fi.Mirror(s.Path); s.Rel != want {
				t.Errorf("source %q named %q, want its Mirror %q", s.Path, s.Rel, want)
			}
		}
		if tooLong {
			if err == nil {
				t.Errorf("no error for an entry longer than %d bytes", maxLine)
			}
			if len(paths) > len(want) || !slices.Equal(paths, want[:len(paths)]) {
				t.Errorf("before the error, Find emitted %q, want a prefix of %q", paths, want)
			}
			return
		}
		if err != nil {
			t.Errorf("Find: %v", err)
		}
		if !slices.Equal(paths, want) {
			t.Errorf("Find emitted %q, want %q", paths, want)
		}
	})
}
