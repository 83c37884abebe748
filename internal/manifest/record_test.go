package manifest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/thumbs-dev/thumbs/internal/outdir"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// openDir opens dir as an output directory, creating it.
func openDir(t testing.TB, dir string) *outdir.Dir {
	t.Helper()
	d, err := outdir.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func openRecord(t *testing.T, d *outdir.Dir, o Options) *Record {
	t.Helper()
	r, err := Open(context.Background(), d, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// made writes the outputs of a source into d's directory, with the given
// contents, and returns them as recorded.
func made(t *testing.T, d *outdir.Dir, contents map[string]string) []Output {
	t.Helper()
	var outs []Output
	for name, content := range contents {
		if err := d.WriteFile(name, []byte(content), false); err != nil {
			t.Fatal(err)
		}
		info, err := d.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, Output{Name: name, Size: info.Size(), ModTime: info.ModTime().UnixNano(), Sum: OutputSum([]byte(content))})
	}
	return outs
}

func TestEntryEncodingRoundTrips(t *testing.T) {
	for _, e := range []Entry{
		{Rel: "a.jpg"},
		{Rel: "dir/\xff\xfe name\n.jpg", Src: "/photos/dir/\xff\xfe name\n.jpg", Size: 1 << 40, ModTime: -5, Hash: Hash([]byte("x")), Options: "rendering=1 sizes=256",
			Outputs: []Output{{Name: "dir/\xff\xfe name\n.jpg", Size: 1234, ModTime: 1700000000123456789, Sum: OutputSum([]byte("t"))}, {Name: "b", Size: -1}}},
		{Rel: strings.Repeat("n", 255), Src: strings.Repeat("s", 4096)},
	} {
		got, err := decodeEntry(e.Rel, e.encode())
		if err != nil {
			t.Fatalf("decode %q: %v", e.Rel, err)
		}
		if e.Outputs == nil {
			e.Outputs = []Output{}
		}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("round trip\n got %+v\nwant %+v", got, e)
		}
	}
	good := Entry{Rel: "a", Src: "s", Outputs: []Output{{Name: "o"}}}.encode()
	for n := range len(good) {
		if _, err := decodeEntry("a", good[:n]); err == nil {
			t.Errorf("decode of the first %d of %d bytes succeeded", n, len(good))
		}
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	d := openDir(t, dir)
	r := openRecord(t, d, Options{})
	defer r.Close()
	outs := made(t, d, map[string]string{"trips/a-256.webp": "small", "trips/a-512.webp": "large"})
	e := Entry{Rel: "trips/a.jpg", Src: "p/trips/a.jpg", Size: 100, ModTime: 7, Hash: Hash([]byte("a")), Options: "s=256,512", Outputs: outs}
	if err := r.Put(e); err != nil {
		t.Fatal(err)
	}
	escaping := Entry{Rel: "evil.jpg", Size: 1, ModTime: 1, Options: "s=256", Outputs: []Output{{Name: "../evil.webp"}}}
	if err := r.Put(escaping); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(filepath.Dir(dir), "evil.webp"), nil, 0o644)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		rel         string
		size, mtime int64
		options     string
		change      func()
		want        Verdict
		moved       bool
	}{
		{"all equal", e.Rel, 100, 7, e.Options, nil, Fresh, false},
		{"no entry", "trips/new.jpg", 100, 7, e.Options, nil, Stale, false},
		{"options changed", e.Rel, 100, 7, "s=128", nil, Stale, false},
		{"size changed", e.Rel, 101, 7, e.Options, nil, Stale, false},
		{"mtime only", e.Rel, 100, 8, e.Options, nil, NeedHash, false},
		{"output outside", escaping.Rel, 1, 1, "s=256", nil, Stale, false},
		// A restored cache: same content, another time.
		{"output touched", e.Rel, 100, 7, e.Options, func() {
			os.Chtimes(filepath.Join(dir, "trips/a-256.webp"), time.Now(), time.Now().Add(time.Hour))
		}, Fresh, true},
		// What a killed run leaves: the output replaced, the record not.
		{"output replaced, same size", e.Rel, 100, 7, e.Options, func() {
			os.WriteFile(filepath.Join(dir, "trips/a-512.webp"), []byte("LARGE"), 0o644)
		}, Stale, false},
		{"output replaced, other size", e.Rel, 100, 7, e.Options, func() {
			os.WriteFile(filepath.Join(dir, "trips/a-512.webp"), []byte("larger"), 0o644)
		}, Stale, false},
		{"output missing", e.Rel, 100, 7, e.Options, func() { os.Remove(filepath.Join(dir, "trips/a-512.webp")) }, Stale, false},
	}
	for _, tt := range tests {
		if tt.change != nil {
			tt.change()
		}
		st, err := r.Check(tt.rel, tt.size, tt.mtime, tt.options)
		if err != nil {
			t.Fatal(err)
		}
		if st.Verdict != tt.want || st.Moved != tt.moved {
			t.Errorf("%s: Check = %v moved %v (%s), want %v moved %v", tt.name, st.Verdict, st.Moved, st.Why, tt.want, tt.moved)
		}
		if st.Verdict == Stale && st.Why == "" {
			t.Errorf("%s: stale without a reason", tt.name)
		}
	}
}

func TestPutFlushAndReopen(t *testing.T) {
	dir := t.TempDir()
	d := openDir(t, dir)
	r := openRecord(t, d, Options{})
	var want []string
	for i := range flushEntries + 10 { // one flush on the way, the rest at Close
		rel := fmt.Sprintf("%04d\xff.jpg", i)
		want = append(want, rel)
		if err := r.Put(Entry{Rel: rel, Size: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, holderFile.name(Shard{}))); err == nil {
		t.Error("Close left the holder note behind")
	}
	ro := openRecord(t, d, Options{ReadOnly: true})
	defer ro.Close()
	var got []string
	if err := ro.Entries(func(e Entry) bool { got = append(got, e.Rel); return true }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reopened record holds %d entries, want %d in order", len(got), len(want))
	}
	if err := ro.Put(Entry{Rel: "x"}); err == nil {
		t.Error("Put on a read-only record succeeded")
	}
}

func TestNilDirIsEmpty(t *testing.T) {
	r := openRecord(t, nil, Options{ReadOnly: true})
	defer r.Close()
	if _, ok, err := r.Lookup("a.jpg"); ok || err != nil {
		t.Errorf("Lookup in no directory = %v, %v", ok, err)
	}
	if st, err := r.Check("a.jpg", 1, 1, ""); err != nil || st.Verdict != Stale {
		t.Errorf("Check in no directory = %v, %v", st.Verdict, err)
	}
}

// TestSecondWriterWaits: a second writing run on the same directory waits,
// says whom it waits for, and goes on once the first is done; both keep
// their entries.
func TestSecondWriterWaits(t *testing.T) {
	d := openDir(t, t.TempDir())
	first := openRecord(t, d, Options{})
	first.Put(Entry{Rel: "first.jpg"})

	var mu sync.Mutex
	var told []string
	opened := make(chan *Record)
	go func() {
		r, err := Open(context.Background(), d, Options{Waiting: func(holder string) {
			mu.Lock()
			told = append(told, holder)
			mu.Unlock()
		}})
		if err != nil {
			t.Error(err)
		}
		opened <- r
	}()
	select {
	case <-opened:
		t.Fatal("the second writer opened the record while the first held it")
	case <-time.After(600 * time.Millisecond):
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := <-opened
	second.Put(Entry{Rel: "second.jpg"})
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(told) != 1 || !strings.Contains(told[0], fmt.Sprintf("process %d", os.Getpid())) {
		t.Errorf("waiting told %q, want once, naming this process", told)
	}
	mu.Unlock()
	r := openRecord(t, d, Options{ReadOnly: true})
	defer r.Close()
	for _, rel := range []string{"first.jpg", "second.jpg"} {
		if _, ok, _ := r.Lookup(rel); !ok {
			t.Errorf("%s was lost", rel)
		}
	}
}

func TestWaitGivesUpWithContext(t *testing.T) {
	d := openDir(t, t.TempDir())
	first := openRecord(t, d, Options{})
	defer first.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Open(ctx, d, Options{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Open while held = %v, want the context's error", err)
	}
}

// TestShards: shard runs write stores of their own, which read-only
// records read and an unsharded run takes in.
func TestShards(t *testing.T) {
	dir := t.TempDir()
	d := openDir(t, dir)
	rels := []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg"}
	for k := 1; k <= 3; k++ {
		s := Shard{k, 3}
		r := openRecord(t, d, Options{Shard: s})
		for _, rel := range rels {
			if s.Contains(rel) {
				r.Put(Entry{Rel: rel, Options: "shard"})
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, FileName(s))); err != nil {
			t.Errorf("shard %v has no store: %v", s, err)
		}
	}
	count := func(r *Record) int {
		n := 0
		r.Entries(func(Entry) bool { n++; return true })
		return n
	}
	ro := openRecord(t, d, Options{ReadOnly: true})
	if n := count(ro); n != len(rels) {
		t.Errorf("read-only record sees %d entries, want %d", n, len(rels))
	}
	ro.Close()
	all := openRecord(t, d, Options{})
	if n := count(all); n != len(rels) {
		t.Errorf("unsharded run sees %d entries, want %d", n, len(rels))
	}
	all.Close()
	for k := 1; k <= 3; k++ {
		if _, err := os.Stat(filepath.Join(dir, FileName(Shard{k, 3}))); err == nil {
			t.Errorf("the unsharded run left shard %d's store", k)
		}
	}
}

// TestLegacyManifestConverted: the JSON manifest of an older thumbs is
// read once into the store, its outputs known but stale, and then removed.
func TestLegacyManifestConverted(t *testing.T) {
	dir := t.TempDir()
	d := openDir(t, dir)
	legacy := `{"format":1,"entries":[
{"rel":"a.jpg","src":"p/a.jpg","size":3,"mtime_ns":4,"sha256":"` + Hash([]byte("a")) + `","options":"sizes=256","version":"v1","outputs":["a.jpg"]},
{"rel":"sub/b.jpg","src":"p/sub/b.jpg","size":5,"mtime_ns":6,"sha256":"","options":"sizes=256","version":"v1","outputs":["sub/b-1.jpg","sub/b-2.jpg"]}
]}
`
	os.WriteFile(filepath.Join(dir, ".thumbs-manifest.json"), []byte(legacy), 0o644)
	made(t, d, map[string]string{"a.jpg": "thumb"})
	r := openRecord(t, d, Options{})
	e, ok, err := r.Lookup("sub/b.jpg")
	if err != nil || !ok || e.Src != "p/sub/b.jpg" || !reflect.DeepEqual(e.OutputNames(), []string{"sub/b-1.jpg", "sub/b-2.jpg"}) {
		t.Errorf("converted entry %+v, %v, %v", e, ok, err)
	}
	if st, _ := r.Check("a.jpg", 3, 4, "sizes=256"); st.Verdict != Stale {
		t.Errorf("a converted entry is %v, want stale: its outputs were never measured", st.Verdict)
	}
	r.Close()
	if _, err := os.Stat(filepath.Join(dir, ".thumbs-manifest.json")); err == nil {
		t.Error("the JSON manifest is still there after conversion")
	}

	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, ".thumbs-manifest.json"), []byte(`{"format":1,"entries":[{"rel":""}]}`), 0o644)
	if _, err := Open(context.Background(), openDir(t, bad), Options{}); err == nil || !strings.Contains(err.Error(), ".thumbs-manifest.json") {
		t.Errorf("Open with a corrupt JSON manifest = %v, want an error naming it", err)
	}
	if _, err := os.Stat(filepath.Join(bad, ".thumbs-manifest.json")); err != nil {
		t.Error("a JSON manifest that could not be converted was removed")
	}
}

// TestStoreThroughLinkRefused: a store name planted as a link out of the
// output directory is not opened through.
func TestStoreThroughLinkRefused(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	d := openDir(t, dir)
	os.Symlink(filepath.Join(parent, "elsewhere.db"), filepath.Join(dir, FileName(Shard{})))
	if r, err := Open(context.Background(), d, Options{}); err == nil {
		r.Close()
		t.Error("Open through a link out of the directory succeeded")
	}
	if _, err := os.Stat(filepath.Join(parent, "elsewhere.db")); err == nil {
		t.Error("a store was created outside the output directory")
	}
}
