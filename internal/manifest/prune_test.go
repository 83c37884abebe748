package manifest

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// tree returns the slash-separated files and directories under dir, sorted;
// directories end in "/".
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// pruneFixture builds an output directory with three entries; gone.jpg and
// deep/x/y/old.jpg are to be pruned.
func pruneFixture(t *testing.T) (string, *Manifest, func(Entry) bool) {
	out := t.TempDir()
	writeFiles(t, out,
		"gone-256.webp", "gone-512.webp", // gone.jpg (gone-512 is recorded twice: shared, see below)
		"deep/x/y/old-256.webp",      // deep/x/y/old.jpg, its dirs become empty
		"deep/x/keep-256.webp",       // deep/x/keep.jpg: kept, so deep/x stays
		"deep/x/y/unrelated.txt.bak", // not recorded: must survive (so deep/x/y stays)
		"notes.txt",                  // not recorded
	)
	m := manifestOf(
		entry("gone.jpg", "gone-256.webp", "gone-512.webp", "gone-1024.webp" /* never written */),
		entry("gone.png", "gone-512.webp"), // kept, shares gone-512.webp
		entry("deep/x/y/old.jpg", "deep/x/y/old-256.webp"),
		entry("deep/x/keep.jpg", "deep/x/keep-256.webp"),
	)
	keep := func(e Entry) bool { return e.Rel != "gone.jpg" && e.Rel != "deep/x/y/old.jpg" }
	return out, m, keep
}

func TestPrune(t *testing.T) {
	out, m, keep := pruneFixture(t)
	removed, err := m.Prune(dirOf(t, out), keep, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"deep/x/y/old-256.webp", "gone-256.webp"}; !reflect.DeepEqual(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	want := []string{"deep/", "deep/x/", "deep/x/keep-256.webp", "deep/x/y/", "deep/x/y/unrelated.txt.bak", "gone-512.webp", "notes.txt"}
	if got := tree(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("left %q, want %q", got, want)
	}
	if got := rels(m.Entries()); !reflect.DeepEqual(got, []string{"deep/x/keep.jpg", "gone.png"}) {
		t.Errorf("entries after prune: %q", got)
	}

	// Pruning the rest removes the directories that became empty, up to out.
	os.Remove(filepath.Join(out, "deep/x/y/unrelated.txt.bak"))
	writeFiles(t, out, "deep/x/y/again-256.webp")
	m.Record(entry("deep/x/y/again.jpg", "deep/x/y/again-256.webp"))
	removed, err = m.Prune(dirOf(t, out), func(e Entry) bool { return e.Rel == "gone.png" }, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"deep/x/keep-256.webp", "deep/x/y/again-256.webp"}; !reflect.DeepEqual(removed, want) {
		t.Errorf("second prune removed %q, want %q", removed, want)
	}
	if got, want := tree(t, out), []string{"gone-512.webp", "notes.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("left %q, want %q", got, want)
	}

	// Pruning everything never removes out itself, even when it becomes empty.
	os.Remove(filepath.Join(out, "notes.txt"))
	os.RemoveAll(filepath.Join(out, "deep"))
	if _, err := m.Prune(dirOf(t, out), func(Entry) bool { return false }, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("prune removed the output directory: %v", err)
	}
	if n := len(m.Entries()); n != 0 {
		t.Errorf("%d entries left after pruning all", n)
	}
}

func TestPruneDryRun(t *testing.T) {
	out, m, keep := pruneFixture(t)
	before, entries := tree(t, out), m.Entries()
	removed, err := m.Prune(dirOf(t, out), keep, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"deep/x/y/old-256.webp", "gone-256.webp"}; !reflect.DeepEqual(removed, want) {
		t.Errorf("dry run reports %q, want %q", removed, want)
	}
	if after := tree(t, out); !reflect.DeepEqual(after, before) {
		t.Errorf("dry run changed the tree:\n%q\n%q", before, after)
	}
	if !reflect.DeepEqual(m.Entries(), entries) {
		t.Error("dry run forgot entries")
	}
}

func TestPruneRefusesUnsafePaths(t *testing.T) {
	for _, bad := range []string{"../x", "a/../../x", "/etc/passwd", "", ".", "a/.."} {
		parent := t.TempDir()
		out := filepath.Join(parent, "out")
		writeFiles(t, parent, "x", "out/a-256.webp", "out/b-256.webp")
		m := manifestOf(entry("a.jpg", "a-256.webp"), entry("b.jpg", "b-256.webp", bad))
		removed, err := m.Prune(dirOf(t, out), func(Entry) bool { return false }, false)
		if err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("output %q: Prune = %q, %v; want a refusal", bad, removed, err)
		}
		// The refused entry keeps its outputs and its record; the other is pruned.
		if got, want := tree(t, parent), []string{"out/", "out/b-256.webp", "x"}; !reflect.DeepEqual(got, want) {
			t.Errorf("output %q: prune left the tree as %q, want %q", bad, got, want)
		}
		if got := rels(m.Entries()); !reflect.DeepEqual(got, []string{"b.jpg"}) {
			t.Errorf("output %q: entries after prune %q, want only the refused b.jpg", bad, got)
		}
	}

	// A kept entry with a bad path does not block pruning others, and is not touched.
	out := t.TempDir()
	writeFiles(t, out, "a-256.webp")
	m := manifestOf(entry("a.jpg", "a-256.webp"), entry("b.jpg", "../x"))
	if removed, err := m.Prune(dirOf(t, out), func(e Entry) bool { return e.Rel == "b.jpg" }, false); err != nil || len(removed) != 1 {
		t.Errorf("Prune = %q, %v; want a-256.webp removed", removed, err)
	}
}

func TestPruneDoesNotFollowSymlinkOut(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	writeFiles(t, parent, "elsewhere/a-256.webp", "out/.keep")
	if err := os.Symlink(filepath.Join(parent, "elsewhere"), filepath.Join(out, "link")); err != nil {
		t.Fatal(err)
	}
	m := manifestOf(entry("link/a.jpg", "link/a-256.webp"))
	if _, err := m.Prune(dirOf(t, out), func(Entry) bool { return false }, false); err == nil {
		t.Error("Prune through a symlink out of outDir succeeded")
	}
	if _, err := os.Stat(filepath.Join(parent, "elsewhere", "a-256.webp")); err != nil {
		t.Errorf("file outside outDir was removed: %v", err)
	}
}

func TestPruneSkipsDirectoryAtOutputPath(t *testing.T) {
	out := t.TempDir()
	writeFiles(t, out, "a-256.webp/inside")
	m := manifestOf(entry("a.jpg", "a-256.webp"))
	removed, err := m.Prune(dirOf(t, out), func(Entry) bool { return false }, false)
	if err != nil || len(removed) != 0 {
		t.Errorf("Prune = %q, %v; want nothing removed", removed, err)
	}
	if _, err := os.Stat(filepath.Join(out, "a-256.webp", "inside")); err != nil {
		t.Error(err)
	}
}

func TestPruneMissingOutDir(t *testing.T) {
	m := manifestOf(entry("a.jpg", "a-256.webp"))
	removed, err := m.Prune(dirOf(t, filepath.Join(t.TempDir(), "nope")), func(Entry) bool { return false }, false)
	if err != nil || len(removed) != 0 || len(m.Entries()) != 0 {
		t.Errorf("Prune = %q, %v, %d entries; want nothing removed and the entry forgotten", removed, err, len(m.Entries()))
	}
}

func TestPruneResultSorted(t *testing.T) {
	out := t.TempDir()
	// Entry order (by Rel) differs from output order.
	writeFiles(t, out, "z/a-256.webp", "b-256.webp", "m-256.webp")
	m := manifestOf(entry("a.jpg", "z/a-256.webp"), entry("b.jpg", "b-256.webp", "m-256.webp"))
	for _, dryRun := range []bool{true, false} {
		removed, err := m.Prune(dirOf(t, out), func(Entry) bool { return false }, dryRun)
		if want := []string{"b-256.webp", "m-256.webp", "z/a-256.webp"}; err != nil || !reflect.DeepEqual(removed, want) {
			t.Errorf("dryRun=%v: Prune = %q, %v; want %q", dryRun, removed, err, want)
		}
	}
}
