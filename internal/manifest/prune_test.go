package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPrune(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	d := openDir(t, dir)
	r := openRecord(t, d, Options{})
	defer r.Close()
	put := func(rel string, outs map[string]string) {
		r.Put(Entry{Rel: rel, Outputs: made(t, d, outs)})
	}
	put("keep.jpg", map[string]string{"keep.jpg": "k", "shared.jpg": "s"})
	put("gone.jpg", map[string]string{"sub/deep/gone.jpg": "g", "shared.jpg": "s"})
	r.Put(Entry{Rel: "evil.jpg", Outputs: []Output{{Name: "../escape.jpg"}}})
	os.WriteFile(filepath.Join(parent, "escape.jpg"), []byte("keep me"), 0o644)
	keep := func(e Entry) bool { return e.Rel == "keep.jpg" }

	removed, err := r.Prune(keep, true)
	if want := []string{"sub/deep/gone.jpg"}; !reflect.DeepEqual(removed, want) || err == nil {
		t.Errorf("dry run = %q, %v; want %q and the refusal", removed, err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "sub/deep/gone.jpg")); err != nil {
		t.Error("the dry run removed a file")
	}
	removed, err = r.Prune(keep, false)
	if want := []string{"sub/deep/gone.jpg"}; !reflect.DeepEqual(removed, want) {
		t.Errorf("Prune removed %q, want %q", removed, want)
	}
	if err == nil || !strings.Contains(err.Error(), `refusing to prune output "../escape.jpg" of "evil.jpg"`) {
		t.Errorf("Prune error %v, want the refusal of evil.jpg", err)
	}
	for name, want := range map[string]bool{"out/keep.jpg": true, "out/shared.jpg": true, "out/sub": false, "escape.jpg": true} {
		if _, err := os.Stat(filepath.Join(parent, name)); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", name, err == nil, want)
		}
	}
	for rel, want := range map[string]bool{"keep.jpg": true, "gone.jpg": false, "evil.jpg": true} {
		if _, ok, _ := r.Lookup(rel); ok != want {
			t.Errorf("%s recorded: %v, want %v", rel, ok, want)
		}
	}
}

func TestPruneNeverThroughLinks(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	d := openDir(t, dir)
	r := openRecord(t, d, Options{})
	defer r.Close()
	r.Put(Entry{Rel: "a.jpg", Outputs: made(t, d, map[string]string{"link/a.jpg": "a"})})
	os.RemoveAll(filepath.Join(dir, "link"))
	os.MkdirAll(filepath.Join(parent, "elsewhere"), 0o755)
	os.WriteFile(filepath.Join(parent, "elsewhere/a.jpg"), []byte("precious"), 0o644)
	os.Symlink(filepath.Join(parent, "elsewhere"), filepath.Join(dir, "link"))
	if _, err := r.Prune(func(Entry) bool { return false }, false); err == nil {
		t.Error("Prune through a link out of the directory succeeded")
	}
	if got, _ := os.ReadFile(filepath.Join(parent, "elsewhere/a.jpg")); string(got) != "precious" {
		t.Error("a file outside the output directory was removed")
	}
}
