package source

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMirror(t *testing.T) {
	f := Finder{Cwd: "/home/ann/work"}
	for _, tt := range []struct{ in, want string }{
		{"a.jpg", "a.jpg"},
		{"./a/b.jpg", "a/b.jpg"},
		{"a//b/./c.jpg", "a/b/c.jpg"},
		{"../x.jpg", "x.jpg"},
		{"../../up/x.jpg", "up/x.jpg"},
		{"a/../../x.jpg", "x.jpg"},
		{"/home/ann/work/p/q.jpg", "p/q.jpg"},
		{"/srv/photos/c.jpg", "srv/photos/c.jpg"},
		{"/home/ann/workshop/x.jpg", "home/ann/workshop/x.jpg"},
		{"/", "_"},
		{"..", "_"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := f.Mirror(tt.in); got != tt.want {
				t.Errorf("Mirror(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// tree makes files (slash-separated paths; a trailing slash makes a
// directory) under a new temporary directory and returns it.
func tree(t *testing.T, paths ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, p := range paths {
		full := filepath.Join(root, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// find runs f over args and returns "rel" for each found source, or
// "rel!" for one found with an error.
func find(t *testing.T, f Finder, args ...string) []string {
	t.Helper()
	var got []string
	err := f.Find(context.Background(), args, func(s Source) bool {
		mark := ""
		if s.Err != nil {
			mark = "!"
		}
		got = append(got, s.Rel+mark)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestWalkMirrorsTreeAndSkipsOutput(t *testing.T) {
	root := tree(t, "b.png", "a/z.JPG", "a/x.jpeg", "a/notes.txt", "c/d/e.webp", "thumbs/old.jpg", "empty/")
	f := Finder{Out: filepath.Join(root, "thumbs")}
	got := find(t, f, root)
	want := []string{"a/x.jpeg", "a/z.JPG", "b.png", "c/d/e.webp"}
	if !slices.Equal(got, want) {
		t.Errorf("walk found %q, want %q", got, want)
	}
}

func TestWalkDoesNotFollowDirectoryLinks(t *testing.T) {
	root := tree(t, "in/a.jpg", "elsewhere/b.jpg")
	if err := os.Symlink(filepath.Join(root, "elsewhere"), filepath.Join(root, "in", "link")); err != nil {
		t.Fatal(err)
	}
	if got := find(t, Finder{}, filepath.Join(root, "in")); !slices.Equal(got, []string{"a.jpg"}) {
		t.Errorf("walk found %q, want only a.jpg", got)
	}
	// A link named as an argument is followed.
	if got := find(t, Finder{}, filepath.Join(root, "in", "link")); !slices.Equal(got, []string{"b.jpg"}) {
		t.Errorf("walk of a linked argument found %q, want b.jpg", got)
	}
}

func TestFileArgumentsAndMissingPaths(t *testing.T) {
	root := tree(t, "p/q/photo.JPG")
	got := find(t, Finder{}, filepath.Join(root, "p/q/photo.JPG"), filepath.Join(root, "missing.jpg"))
	want := []string{"photo.JPG", "missing.jpg!"}
	if !slices.Equal(got, want) {
		t.Errorf("found %q, want %q", got, want)
	}
}

func TestReadList(t *testing.T) {
	root := tree(t, "a/b.jpg", "dir/c.png", "dir/d.gif")
	t.Chdir(root)
	for _, tt := range []struct {
		name  string
		input string
		null  bool
		want  []string
	}{
		{"lines", "./a/b.jpg\n\nnope.jpg\r\n", false, []string{"a/b.jpg", "nope.jpg!"}},
		{"no final newline", "a/b.jpg", false, []string{"a/b.jpg"}},
		{"directory walked under its name", "dir\n", false, []string{"dir/c.png", "dir/d.gif"}},
		{"NUL-separated keeps newlines in names", "a/b.jpg\x00we\nird.jpg\x00", true, []string{"a/b.jpg", "we\nird.jpg!"}},
		{"absolute inside cwd", filepath.Join(root, "a/b.jpg") + "\n", false, []string{"a/b.jpg"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := Finder{Stdin: strings.NewReader(tt.input), Null: tt.null, Cwd: root}
			if got := find(t, f); !slices.Equal(got, tt.want) {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFindStopsWhenEmitSaysSo(t *testing.T) {
	root := tree(t, "1.jpg", "2.jpg", "3.jpg")
	n := 0
	err := Finder{}.Find(context.Background(), []string{root}, func(Source) bool {
		n++
		return n < 2
	})
	if err != nil || n != 2 {
		t.Errorf("Find went on to %d sources (err %v) after emit returned false at 2", n, err)
	}
}

// endless is a path list that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "x.jpg\n"[i%6]
	}
	return len(p), nil
}

func TestStdinIsStreamed(t *testing.T) {
	n := 0
	err := Finder{Stdin: endless{}}.Find(context.Background(), nil, func(s Source) bool {
		n++
		return n < 1000
	})
	if err != nil || n != 1000 {
		t.Errorf("streaming an endless list: %d sources, err %v", n, err)
	}
}
