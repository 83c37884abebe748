package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thumbs-dev/thumbs/internal/outdir"
)

func entry(rel string, outputs ...string) Entry {
	return Entry{
		Rel:     rel,
		Src:     "/photos/" + rel,
		Size:    int64(len(rel)) * 1000,
		ModTime: 1700000000123456789,
		Hash:    Hash([]byte(rel)),
		Options: "s=256,f=webp",
		Version: "v1.2.3",
		Outputs: outputs,
	}
}

func sampleEntries() []Entry {
	return []Entry{
		entry("trips/2024/a.jpg", "trips/2024/a-512.webp", "trips/2024/a-256.webp"),
		entry("b.png", "b-256.webp"),
		entry("trips/2023/c.heic", "trips/2023/c-256.webp"),
		entry("z/none.gif"),
	}
}

func manifestOf(entries ...Entry) *Manifest {
	m := &Manifest{}
	for _, e := range entries {
		m.Record(e)
	}
	return m
}

// dirOf opens the output directory dir, or returns nil when it does not exist.
func dirOf(t *testing.T, dir string) *outdir.Dir {
	t.Helper()
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	d, err := outdir.Open(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func mustLoad(t *testing.T, dir string) *Manifest {
	t.Helper()
	m, err := Load(dirOf(t, dir))
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	return m
}

func rels(entries []Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Rel)
	}
	return out
}

// dirNames returns the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range des {
		names = append(names, d.Name())
	}
	return names
}

func TestRecordLookupForgetEntries(t *testing.T) {
	var m Manifest // the zero Manifest is usable
	if _, ok := m.Lookup("a.jpg"); ok {
		t.Fatal("Lookup in empty manifest found an entry")
	}
	m.Record(entry("b.jpg", "b-2.webp", "b-1.webp"))
	m.Record(entry("a.jpg"))
	e, ok := m.Lookup("b.jpg")
	if !ok || e.Rel != "b.jpg" {
		t.Fatalf("Lookup(b.jpg) = %v, %v", e, ok)
	}
	if want := []string{"b-1.webp", "b-2.webp"}; !reflect.DeepEqual(e.Outputs, want) {
		t.Errorf("Outputs = %q, want sorted %q", e.Outputs, want)
	}
	if a, _ := m.Lookup("a.jpg"); a.Outputs == nil {
		t.Error("nil Outputs not normalized to empty")
	}

	// Returned entries are copies.
	e.Outputs[0] = "mutated"
	if again, _ := m.Lookup("b.jpg"); again.Outputs[0] != "b-1.webp" {
		t.Error("mutating a looked-up entry changed the manifest")
	}

	replaced := entry("b.jpg", "b-9.webp")
	m.Record(replaced)
	if got, _ := m.Lookup("b.jpg"); !reflect.DeepEqual(got, replaced) {
		t.Errorf("after replace, Lookup = %+v, want %+v", got, replaced)
	}
	if got := rels(m.Entries()); !reflect.DeepEqual(got, []string{"a.jpg", "b.jpg"}) {
		t.Errorf("Entries rels = %q", got)
	}
	m.Forget("a.jpg")
	m.Forget("never.jpg")
	if got := rels(m.Entries()); !reflect.DeepEqual(got, []string{"b.jpg"}) {
		t.Errorf("after Forget, Entries rels = %q", got)
	}
}

func TestRecordEmptyRelPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Record with empty Rel did not panic")
		}
	}()
	(&Manifest{}).Record(Entry{})
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := manifestOf(sampleEntries()...)
	if err := m.Save(dirOf(t, dir), Shard{}); err != nil {
		t.Fatal(err)
	}
	got := mustLoad(t, dir).Entries()
	if want := m.Entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
	if names := dirNames(t, dir); !reflect.DeepEqual(names, []string{".thumbs-manifest.json"}) {
		t.Errorf("dir holds %q, want only the manifest (no temp file)", names)
	}
	info, err := os.Stat(filepath.Join(dir, ".thumbs-manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o644 {
		t.Errorf("manifest mode = %v, want 0644 so other machines can read it", perm)
	}
}

func TestSaveDeterministic(t *testing.T) {
	es := sampleEntries()
	forward := manifestOf(es...)
	backward := &Manifest{}
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		// Same outputs, another order.
		rev := make([]string, len(e.Outputs))
		for j, o := range e.Outputs {
			rev[len(rev)-1-j] = o
		}
		e.Outputs = rev
		backward.Record(e)
	}
	// A replaced entry leaves no trace.
	backward.Record(entry("b.png", "old.webp"))
	backward.Record(es[1])

	var files [][]byte
	for _, m := range []*Manifest{forward, backward} {
		dir := t.TempDir()
		if err := m.Save(dirOf(t, dir), Shard{}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, FileName(Shard{})))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, data)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Errorf("same entries saved differently:\n%s\n---\n%s", files[0], files[1])
	}
}

func TestSaveFormatGolden(t *testing.T) {
	dir := t.TempDir()
	m := manifestOf(Entry{
		Rel: "trips/a.jpg", Src: "photos/trips/a.jpg", Size: 1234, ModTime: 1700000000000000001,
		Hash: "abc", Options: "o", Version: "v1", Outputs: []string{"trips/a-512.webp", "trips/a-256.webp"},
	})
	if err := m.Save(dirOf(t, dir), Shard{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, ".thumbs-manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "format": 1,
  "entries": [
    {
      "rel": "trips/a.jpg",
      "src": "photos/trips/a.jpg",
      "size": 1234,
      "mtime_ns": 1700000000000000001,
      "sha256": "abc",
      "options": "o",
      "version": "v1",
      "outputs": [
        "trips/a-256.webp",
        "trips/a-512.webp"
      ]
    }
  ]
}
`
	if string(got) != want {
		t.Errorf("manifest file:\n%s\nwant:\n%s", got, want)
	}

	// An empty manifest still has an entries array.
	if err := (&Manifest{}).Save(dirOf(t, dir), Shard{}); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(filepath.Join(dir, ".thumbs-manifest.json"))
	if want := "{\n  \"format\": 1,\n  \"entries\": []\n}\n"; string(got) != want {
		t.Errorf("empty manifest file = %q, want %q", got, want)
	}
}

func TestShardedSavesMerge(t *testing.T) {
	dir := t.TempDir()
	all := manifestOf()
	for _, rel := range genRels(300) {
		all.Record(entry(rel, strings.TrimSuffix(rel, ".jpg")+"-256.webp"))
	}
	const n = 4
	// Each shard runs on its own machine: it knows only its own entries.
	var wg sync.WaitGroup
	for k := 1; k <= n; k++ {
		wg.Go(func() {
			s := Shard{k, n}
			mine := &Manifest{}
			for _, e := range all.Entries() {
				if s.Contains(e.Rel) {
					mine.Record(e)
				}
			}
			if err := mine.Save(dirOf(t, dir), s); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	want := []string{".thumbs-manifest-1-of-4.json", ".thumbs-manifest-2-of-4.json", ".thumbs-manifest-3-of-4.json", ".thumbs-manifest-4-of-4.json"}
	if names := dirNames(t, dir); !reflect.DeepEqual(names, want) {
		t.Errorf("dir holds %q, want %q", names, want)
	}
	for k := 1; k <= n; k++ {
		one, err := readFile(dirOf(t, dir), FileName(Shard{k, n}))
		if err != nil {
			t.Fatal(err)
		}
		if len(one) == 0 {
			t.Errorf("shard %d/%d saved no entries", k, n)
		}
		for _, e := range one {
			if !(Shard{k, n}).Contains(e.Rel) {
				t.Errorf("shard %d/%d file holds %q of another shard", k, n, e.Rel)
			}
		}
	}
	if got := mustLoad(t, dir).Entries(); !reflect.DeepEqual(got, all.Entries()) {
		t.Errorf("merged Load has %d entries, want the %d saved by all shards", len(got), len(all.Entries()))
	}

	// A sharded Save of a manifest holding everything writes only its part.
	if err := mustLoad(t, dir).Save(dirOf(t, dir), Shard{2, n}); err != nil {
		t.Fatal(err)
	}
	if got := mustLoad(t, dir).Entries(); !reflect.DeepEqual(got, all.Entries()) {
		t.Error("re-saving shard 2 from the merged manifest changed what Load sees")
	}

	// An unsharded Save records everything and removes the shard files.
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := mustLoad(t, dir).Save(dirOf(t, dir), Shard{}); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); !reflect.DeepEqual(names, []string{".thumbs-manifest.json", "keep.txt"}) {
		t.Errorf("after unsharded Save, dir holds %q", names)
	}
	if got := mustLoad(t, dir).Entries(); !reflect.DeepEqual(got, all.Entries()) {
		t.Error("unsharded Save lost entries")
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	old, newer := entry("a.jpg"), entry("a.jpg")
	old.Version, newer.Version = "old", "new"
	s2, s3 := owner("a.jpg", 2), owner("a.jpg", 3)

	// The unsharded file is older truth than a shard file, whatever the times.
	if err := manifestOf(newer).Save(dirOf(t, dir), s2); err != nil {
		t.Fatal(err)
	}
	if err := manifestOf(old, entry("only-unsharded.jpg")).Save(dirOf(t, dir), Shard{}); err != nil {
		t.Fatal(err)
	}
	if err := manifestOf(newer).Save(dirOf(t, dir), s2); err != nil {
		t.Fatal(err)
	}
	setMtime(t, filepath.Join(dir, FileName(s2)), time.Unix(1000, 0))
	m := mustLoad(t, dir)
	if e, _ := m.Lookup("a.jpg"); e.Version != "new" {
		t.Errorf("shard file did not win over unsharded file: version %q", e.Version)
	}
	if _, ok := m.Lookup("only-unsharded.jpg"); !ok {
		t.Error("entry only in the unsharded file was not loaded")
	}

	// Among shard files (here of an old and a new split), the newest wins.
	if err := manifestOf(old).Save(dirOf(t, dir), s3); err != nil {
		t.Fatal(err)
	}
	setMtime(t, filepath.Join(dir, FileName(s3)), time.Unix(2000, 0))
	if e, _ := mustLoad(t, dir).Lookup("a.jpg"); e.Version != "old" {
		t.Errorf("newer shard file did not win: version %q", e.Version)
	}
	setMtime(t, filepath.Join(dir, FileName(s3)), time.Unix(500, 0))
	if e, _ := mustLoad(t, dir).Lookup("a.jpg"); e.Version != "new" {
		t.Errorf("newer shard file did not win: version %q", e.Version)
	}
}

// owner returns the shard of n that contains rel.
func owner(rel string, n int) Shard {
	for k := 1; k <= n; k++ {
		if (Shard{k, n}).Contains(rel) {
			return Shard{k, n}
		}
	}
	panic("no shard contains " + rel)
}

func setMtime(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestLoadEmpty(t *testing.T) {
	for name, dir := range map[string]string{
		"missing dir": filepath.Join(t.TempDir(), "nope"),
		"empty dir":   t.TempDir(),
	} {
		m, err := Load(dirOf(t, dir))
		if err != nil || len(m.Entries()) != 0 {
			t.Errorf("%s: Load = %v entries, %v; want empty, nil", name, len(m.Entries()), err)
		}
	}

	// Other files, including Save's leftover temporary files, are ignored.
	dir := t.TempDir()
	for _, name := range []string{"a-256.webp", ".thumbs-manifest-99.tmp", ".thumbs-manifest-0-of-2.json", "notes.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if m, err := Load(dirOf(t, dir)); err != nil || len(m.Entries()) != 0 {
		t.Errorf("dir with other files: Load = %v, %v; want empty, nil", m, err)
	}
}

func TestLoadErrors(t *testing.T) {
	valid := `{"format":1,"entries":[{"rel":"a.jpg","outputs":["a-256.webp"]}]}`
	tests := []struct {
		name    string
		file    string
		content string
		wantErr string
	}{
		{"not JSON", ".thumbs-manifest.json", "{not json", "corrupt"},
		{"truncated", ".thumbs-manifest-2-of-3.json", valid[:30], "corrupt"},
		{"trailing garbage", ".thumbs-manifest.json", valid + "x", "corrupt"},
		{"empty file", ".thumbs-manifest.json", "", "corrupt"},
		{"wrong type", ".thumbs-manifest.json", `{"format":1,"entries":{"rel":"a"}}`, "corrupt"},
		{"no format", ".thumbs-manifest.json", `{"entries":[]}`, "unsupported format 0"},
		{"future format", ".thumbs-manifest-1-of-2.json", `{"format":2,"entries":[]}`, "unsupported format 2"},
		{"empty rel", ".thumbs-manifest.json", `{"format":1,"entries":[{"rel":""}]}`, "no rel"},
		{"duplicate rel", ".thumbs-manifest.json", `{"format":1,"entries":[{"rel":"a"},{"rel":"a"}]}`, `"a" recorded twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// A valid file next to the bad one must not hide the error.
			if err := os.WriteFile(filepath.Join(dir, ".thumbs-manifest-3-of-3.json"), []byte(valid), 0o644); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dirOf(t, dir))
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Load = %v; want an error naming %s and containing %q", err, path, tt.wantErr)
			}
		})
	}
}

func TestLoadRefusesHugeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".thumbs-manifest.json")
	if err := os.WriteFile(path, []byte(`{"format":1,"entries":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk space used, and Load must not read it.
	if err := os.Truncate(path, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dirOf(t, dir))
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "limit") {
		t.Errorf("Load of a %d-byte manifest = %v; want an error naming the file and the limit", MaxFileSize+1, err)
	}
}

func TestLoadRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".thumbs-manifest-1-of-2.json")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dirOf(t, dir)); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Load with a directory named like a manifest = %v; want an error naming it", err)
	}
}

// TestSaveFailureRemovesTemp makes the rename fail (the target is a non-empty
// directory) so that it also works as root, where permissions do not.
func TestSaveFailureRemovesTemp(t *testing.T) {
	for _, s := range []Shard{{}, {2, 3}} {
		dir := t.TempDir()
		target := filepath.Join(dir, FileName(s))
		if err := os.MkdirAll(filepath.Join(target, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(dir, FileName(Shard{1, 3}))
		if err := os.WriteFile(other, []byte(`{"format":1,"entries":[]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		err := manifestOf(sampleEntries()...).Save(dirOf(t, dir), s)
		if err == nil {
			t.Fatalf("Save(%v) over a directory succeeded", s)
		}
		for _, name := range dirNames(t, dir) {
			if strings.HasPrefix(name, outdir.TempPrefix) {
				t.Errorf("Save(%v) failed but left temporary file %s", s, name)
			}
		}
		if _, err := os.Stat(other); err != nil {
			t.Errorf("failed Save(%v) removed another shard's file: %v", s, err)
		}
	}
}

func TestSaveInvalidShard(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []Shard{{0, 2}, {3, 2}, {1, 0}} {
		if err := manifestOf(entry("a.jpg")).Save(dirOf(t, dir), s); err == nil {
			t.Errorf("Save with invalid shard %#v succeeded", s)
		}
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("invalid saves wrote %q", names)
	}
}

func TestConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	d := dirOf(t, dir)
	m := &Manifest{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				rel := fmt.Sprintf("g%d/%d.jpg", g, i)
				m.Record(entry(rel, "x.webp"))
				m.Lookup(rel)
				m.Check(rel, 1, 1, "", "", d)
				if i%50 == 0 {
					m.Entries()
					if err := m.Save(dirOf(t, dir), Shard{g%2 + 1, 2}); err != nil {
						t.Error(err)
					}
				}
				if i%3 == 0 {
					m.Forget(rel)
				}
			}
		})
	}
	wg.Wait()
	if got, want := len(m.Entries()), 8*(200-67); got != want {
		t.Errorf("%d entries after concurrent use, want %d", got, want)
	}
}

func TestHash(t *testing.T) {
	const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := Hash(nil); got != emptySHA {
		t.Errorf("Hash(nil) = %s", got)
	}
	if got, want := Hash([]byte("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("Hash(abc) = %s, want %s", got, want)
	}
	data := bytes.Repeat([]byte("thumbs"), 100000)
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := HashFile(path); err != nil || got != Hash(data) {
		t.Errorf("HashFile = %s, %v; want %s", got, err, Hash(data))
	}
	if _, err := HashFile(path + ".missing"); err == nil {
		t.Error("HashFile of a missing file succeeded")
	}

	e := Entry{Hash: Hash(data)}
	if !e.SameContent(Hash(data)) || e.SameContent(emptySHA) {
		t.Error("SameContent compares wrongly")
	}
	if (Entry{}).SameContent("") {
		t.Error("an entry without a hash has the same content as anything")
	}
}
