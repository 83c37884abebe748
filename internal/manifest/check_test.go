package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFiles creates the slash-separated files under dir.
func writeFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheck(t *testing.T) {
	out := t.TempDir()
	e := entry("trips/a.jpg", "trips/a-256.webp", "trips/a-512.webp")
	writeFiles(t, out, e.Outputs...)
	noOutputs := entry("empty.jpg")
	escaping := entry("evil.jpg", "../evil.webp")
	writeFiles(t, filepath.Dir(out), "evil.webp")
	m := manifestOf(e, noOutputs, escaping)
	// One output missing from disk.
	missing := entry("trips/b.jpg", "trips/b-256.webp", "trips/b-512.webp")
	writeFiles(t, out, "trips/b-256.webp")
	m.Record(missing)

	type args struct {
		rel              string
		size, mtime      int64
		options, version string
	}
	ok := args{e.Rel, e.Size, e.ModTime, e.Options, e.Version}
	tests := []struct {
		name string
		a    args
		want Verdict
	}{
		{"all equal", ok, Fresh},
		{"no entry", args{"trips/new.jpg", e.Size, e.ModTime, e.Options, e.Version}, Stale},
		{"options changed", args{e.Rel, e.Size, e.ModTime, "s=128", e.Version}, Stale},
		{"version changed", args{e.Rel, e.Size, e.ModTime, e.Options, "v9"}, Stale},
		{"size changed", args{e.Rel, e.Size + 1, e.ModTime, e.Options, e.Version}, Stale},
		{"mtime only", args{e.Rel, e.Size, e.ModTime + 1, e.Options, e.Version}, NeedHash},
		{"mtime and size", args{e.Rel, e.Size + 1, e.ModTime + 1, e.Options, e.Version}, Stale},
		{"output missing", args{missing.Rel, missing.Size, missing.ModTime, missing.Options, missing.Version}, Stale},
		{"output missing, mtime changed", args{missing.Rel, missing.Size, missing.ModTime + 1, missing.Options, missing.Version}, Stale},
		{"no outputs recorded", args{noOutputs.Rel, noOutputs.Size, noOutputs.ModTime, noOutputs.Options, noOutputs.Version}, Fresh},
		{"output outside outDir", args{escaping.Rel, escaping.Size, escaping.ModTime, escaping.Options, escaping.Version}, Stale},
	}
	for _, tt := range tests {
		v, got := m.Check(tt.a.rel, tt.a.size, tt.a.mtime, tt.a.options, tt.a.version, dirOf(t, out))
		if v != tt.want {
			t.Errorf("%s: Check = %v, want %v", tt.name, v, tt.want)
		}
		want, _ := m.Lookup(tt.a.rel)
		if got.Rel != want.Rel || got.Hash != want.Hash {
			t.Errorf("%s: Check returned entry %q, want %q", tt.name, got.Rel, want.Rel)
		}
	}

	// After the output is deleted, the fresh source becomes stale.
	if err := os.Remove(filepath.Join(out, "trips", "a-512.webp")); err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Check(ok.rel, ok.size, ok.mtime, ok.options, ok.version, dirOf(t, out)); v != Stale {
		t.Errorf("after deleting an output, Check = %v, want stale", v)
	}
}

func TestVerdictString(t *testing.T) {
	for v, want := range map[Verdict]string{Stale: "stale", NeedHash: "need-hash", Fresh: "fresh", 7: "Verdict(7)"} {
		if got := v.String(); got != want {
			t.Errorf("Verdict(%d).String() = %q, want %q", int(v), got, want)
		}
	}
	var zero Verdict
	if zero != Stale {
		t.Error("the zero Verdict is not Stale")
	}
}
