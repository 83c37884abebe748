package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/manifest"
	"github.com/thumbs-dev/thumbs/internal/outdir"
	"github.com/thumbs-dev/thumbs/internal/runner"
	"github.com/thumbs-dev/thumbs/internal/source"
	"github.com/thumbs-dev/thumbs/internal/testimage"
	"github.com/thumbs-dev/thumbs/internal/thumbnail"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOutputName(t *testing.T) {
	for _, tt := range []struct {
		template, rel, want string
	}{
		{NameOne, "a/b/c.jpg", "a/b/c.jpg"},
		{NameOne, "c.png", "c.jpg"},
		{NameMany, "x/c.tiff", "x/c-320x.jpg"},
		{"{size}/{dir}/{name}_{w}x{h}.{ext}", "p/q.webp", "320x/p/q_320x200.jpg"},
		{"../../{name}.{ext}", "p/q.jpg", "q.jpg"},
		{"/abs/{name}.{ext}", "q.jpg", "abs/q.jpg"},
	} {
		got, err := outputName(tt.template, tt.rel, "320x", 320, 200, "jpg")
		if err != nil || got != tt.want {
			t.Errorf("outputName(%q, %q) = %q, %v; want %q", tt.template, tt.rel, got, err, tt.want)
		}
	}
}

func TestCheckTemplate(t *testing.T) {
	for _, tt := range []struct {
		template string
		sizes    int
		ok       bool
	}{
		{NameOne, 1, true}, {NameMany, 1, true}, {NameMany, 3, true}, {"{w}/{name}.{ext}", 1, true},
		{"{dir}/{nam}.{ext}", 1, false}, {"{dir}/fixed.jpg", 1, false}, {"{name}}", 1, false},
		// Several sizes under one name would overwrite each other.
		{NameOne, 2, false}, {"{w}x{h}/{name}.{ext}", 2, false},
	} {
		if err := CheckTemplate(tt.template, tt.sizes); (err == nil) != tt.ok {
			t.Errorf("CheckTemplate(%q, %d) = %v, want ok %v", tt.template, tt.sizes, err, tt.ok)
		}
	}
}

// collection writes a few generated photos, PNGs and a copy of one photo
// under a new directory and returns it.
func collection(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		photo := testimage.JPEG(testimage.Photo(300+40*i, 200+10*i), 85, 1+i%8, i%2 == 0)
		write(fmt.Sprintf("set%d/photo%d.jpg", i%3, i), photo)
		if i == 0 {
			write("copies/same-as-photo0.jpg", photo)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, testimage.Translucent(320, 240))
	write("logo.png", b.Bytes())
	return dir
}

func options(t *testing.T, out string, jobs int) Options {
	t.Helper()
	var boxes []thumbnail.Box
	for _, s := range []string{"64", "100x"} {
		b, err := thumbnail.ParseBox(s)
		if err != nil {
			t.Fatal(err)
		}
		boxes = append(boxes, b)
	}
	return Options{
		Out:   out,
		Thumb: thumbnail.Options{Boxes: boxes, Fit: thumbnail.Contain, Format: thumbnail.Auto, Quality: 80},
		Jobs:  jobs,
	}
}

// files returns the content of every file under dir by slash-separated
// relative path, manifest files excepted.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	got := make(map[string][]byte)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if d.IsDir() || manifest.IsRecordName(d.Name()) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = data
		return nil
	})
	return got
}

// mtimes returns the modification time of every file under dir, manifests
// included, by relative path.
func mtimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	got := make(map[string]time.Time)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			got[p] = info.ModTime()
		}
		return nil
	})
	return got
}

func sameFiles(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, want %d", what, len(got), len(want))
	}
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
}

// counter is an Observer that counts results by status.
type counter map[runner.Status]int

func (counter) Queued()                    {}
func (c counter) Finished(r runner.Result) { c[r.Status]++ }

func TestDeterministicWhateverJobsAndShards(t *testing.T) {
	src := collection(t)
	one := t.TempDir()
	o := options(t, one, 1)
	o.Finder = source.Finder{Out: one}
	if _, err := Resize(context.Background(), []string{src}, o); err != nil {
		t.Fatal(err)
	}
	want := files(t, one)
	if len(want) != 2*8 {
		t.Fatalf("single run made %d files, want 16", len(want))
	}

	many := t.TempDir()
	o = options(t, many, 8)
	o.Finder = source.Finder{Out: many}
	if _, err := Resize(context.Background(), []string{src}, o); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, "--jobs 8 against --jobs 1", files(t, many), want)
	if r1, r8 := recorded(t, one), recorded(t, many); r1 != r8 {
		t.Errorf("records differ between --jobs 1 and --jobs 8:\n%s\n%s", r1, r8)
	}

	// Three shards into one shared directory: no overlap, no gap.
	shared := t.TempDir()
	total := 0
	for k := 1; k <= 3; k++ {
		o := options(t, shared, 2)
		o.Finder = source.Finder{Out: shared}
		o.Shard = manifest.Shard{K: k, N: 3}
		c := counter{}
		o.Observer = c
		if _, err := Resize(context.Background(), []string{src}, o); err != nil {
			t.Fatal(err)
		}
		total += c[runner.OK]
		if _, err := os.Stat(filepath.Join(shared, manifest.FileName(o.Shard))); err != nil {
			t.Errorf("shard %d wrote no manifest of its own: %v", k, err)
		}
	}
	if total != 8 {
		t.Errorf("the shards made %d sources in all, want 8", total)
	}
	sameFiles(t, "union of 3 shards against one run", files(t, shared), want)
}

func TestIdenticalContentWrittenUnderEachName(t *testing.T) {
	src := collection(t)
	out := t.TempDir()
	o := options(t, out, 4)
	o.Finder = source.Finder{Out: out}
	if _, err := Resize(context.Background(), []string{src}, o); err != nil {
		t.Fatal(err)
	}
	got := files(t, out)
	a, b := got["set0/photo0-64.jpg"], got["copies/same-as-photo0-64.jpg"]
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("copies of one photo: outputs of %d and %d bytes, want the same non-empty bytes", len(a), len(b))
	}
}

func TestRerunSkipsAndRebuildsWhatChanged(t *testing.T) {
	src := collection(t)
	out := t.TempDir()
	run := func(o Options) counter {
		t.Helper()
		c := counter{}
		o.Observer = c
		o.Finder = source.Finder{Out: out}
		if _, err := Resize(context.Background(), []string{src}, o); err != nil {
			t.Fatal(err)
		}
		return c
	}
	o := options(t, out, 2)
	if c := run(o); c[runner.OK] != 8 {
		t.Fatalf("first run: %v, want 8 ok", c)
	}
	before, beforeTimes := files(t, out), mtimes(t, out)
	if c := run(o); c[runner.Skipped] != 8 || c[runner.OK] != 0 {
		t.Errorf("re-run: %v, want 8 skipped", c)
	}
	sameFiles(t, "after a re-run", files(t, out), before)
	if after := mtimes(t, out); !maps.Equal(after, beforeTimes) {
		t.Errorf("a re-run with nothing to do wrote files: before %v, after %v", beforeTimes, after)
	}

	// A new modification time with the same content is still current.
	photo := filepath.Join(src, "set1", "photo1.jpg")
	info, err := os.Stat(photo)
	if err != nil {
		t.Fatal(err)
	}
	later := info.ModTime().Add(time.Second)
	if err := os.Chtimes(photo, later, later); err != nil {
		t.Fatal(err)
	}
	if c := run(o); c[runner.Skipped] != 8 {
		t.Errorf("after touching a source: %v, want 8 skipped", c)
	}
	// New content is rebuilt, alone.
	os.WriteFile(photo, testimage.JPEG(testimage.Quadrants(200, 100), 85, 0, false), 0o644)
	if c := run(o); c[runner.OK] != 1 || c[runner.Skipped] != 7 {
		t.Errorf("after changing a source: %v, want 1 ok and 7 skipped", c)
	}
	// Other options rebuild everything and remove outputs no longer made.
	o.Thumb.Boxes = o.Thumb.Boxes[:1]
	if c := run(o); c[runner.OK] != 8 {
		t.Errorf("after changing the sizes: %v, want 8 ok", c)
	}
	for name := range files(t, out) {
		if strings.Contains(name, "-100x") {
			t.Errorf("%s is left over from the old sizes", name)
		}
	}
	// Check agrees.
	check := options(t, out, 2)
	check.Thumb.Boxes = o.Thumb.Boxes
	check.Finder = source.Finder{Out: out}
	if sum, err := Check(context.Background(), []string{src}, check); err != nil || sum.Failed != 0 {
		t.Errorf("check after a complete run: %d stale, err %v", sum.Failed, err)
	}
	os.Remove(filepath.Join(out, "logo.png"))
	if sum, err := Check(context.Background(), []string{src}, check); !errors.Is(err, runner.ErrFailed) || sum.Failed != 1 {
		t.Errorf("check with a missing output: %d stale, err %v; want 1 stale", sum.Failed, err)
	}
}

func TestNeverOverwritesASource(t *testing.T) {
	dir := t.TempDir()
	photo := filepath.Join(dir, "a.jpg")
	data := testimage.JPEG(testimage.Photo(300, 200), 85, 0, false)
	os.WriteFile(photo, data, 0o644)
	o := options(t, dir, 1)
	o.Thumb.Boxes = o.Thumb.Boxes[:1]
	o.Name = "{name}.{ext}"
	o.Finder = source.Finder{Out: dir}
	c := counter{}
	o.Observer = c
	_, err := Resize(context.Background(), []string{photo}, o)
	if err == nil || !strings.Contains(err.Error(), "inside the output directory") {
		t.Errorf("writing over the source: err %v, want a refusal naming the source image", err)
	}
	if got, _ := os.ReadFile(photo); !bytes.Equal(got, data) {
		t.Error("the source was changed")
	}
}

func TestCollidingOutputsAreReported(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.jpg"), testimage.JPEG(testimage.Photo(300, 200), 85, 0, false), 0o644)
	var b bytes.Buffer
	png.Encode(&b, testimage.Photo(200, 300))
	os.WriteFile(filepath.Join(dir, "x.png"), b.Bytes(), 0o644)
	out := t.TempDir()
	o := options(t, out, 2)
	o.KeepGoing = true
	o.Finder = source.Finder{Out: out}
	var failures []string
	o.Observer = observerFunc(func(r runner.Result) {
		if r.Err != nil {
			failures = append(failures, r.Err.Error())
		}
	})
	Resize(context.Background(), []string{dir}, o)
	if len(failures) != 1 || !strings.Contains(failures[0], "x.png") || !strings.Contains(failures[0], "x-{size}.*") {
		t.Errorf("failures %q, want one naming x.png and the names x-{size}.* it would take", failures)
	}
}

type observerFunc func(runner.Result)

func (observerFunc) Queued()                    {}
func (f observerFunc) Finished(r runner.Result) { f(r) }

// TestNoSourcesCreatesNothing: a run that finds no source image returns
// ErrNoSources and leaves no output directory it made.
func TestNoSourcesCreatesNothing(t *testing.T) {
	empty := t.TempDir()
	out := filepath.Join(t.TempDir(), "new", "out")
	o := options(t, out, 2)
	o.Finder = source.Finder{Out: out}
	if _, err := Resize(context.Background(), []string{empty}, o); !errors.Is(err, ErrNoSources) {
		t.Errorf("Resize of an empty folder = %v, want ErrNoSources", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the output directory was left behind: %v", err)
	}
	if _, err := Check(context.Background(), []string{empty}, o); !errors.Is(err, ErrNoSources) {
		t.Errorf("Check of an empty folder = %v, want ErrNoSources", err)
	}
}

// recorded returns what the record in out holds, less the outputs'
// modification times, which differ from run to run.
func recorded(t *testing.T, out string) string {
	t.Helper()
	d, err := outdir.Open(out, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rec, err := manifest.Open(context.Background(), d, manifest.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	var b strings.Builder
	err = rec.Entries(func(e manifest.Entry) bool {
		for i := range e.Outputs {
			e.Outputs[i].ModTime = 0
		}
		e.Src = strings.TrimPrefix(e.Src, out)
		fmt.Fprintf(&b, "%+v\n", e)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestWarnings: a source made with a warning (here a colour profile that
// cannot be read) is made and says so; with FailOnWarning it fails and
// leaves no output.
func TestWarnings(t *testing.T) {
	src := t.TempDir()
	var b bytes.Buffer
	if err := encode.Encode(&b, testimage.Photo(120, 80), encode.Options{Format: encode.PNG, ICC: []byte("not an ICC profile, just bytes")}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "tagged.png"), b.Bytes(), 0o644)
	for _, failOn := range []bool{false, true} {
		out := t.TempDir()
		o := options(t, out, 1)
		o.Thumb.Boxes = o.Thumb.Boxes[:1]
		o.Finder = source.Finder{Out: out}
		o.KeepGoing = true
		o.FailOnWarning = failOn
		var got []runner.Result
		o.Observer = observerFunc(func(r runner.Result) { got = append(got, r) })
		Resize(context.Background(), []string{src}, o)
		if len(got) != 1 || len(got[0].Warnings) != 1 || !strings.Contains(got[0].Warnings[0], "profile") {
			t.Fatalf("failOn %v: results %+v, want one with a warning about the profile", failOn, got)
		}
		_, err := os.Stat(filepath.Join(out, "tagged.jpg"))
		if failOn && (got[0].Status != runner.Failed || err == nil) {
			t.Errorf("with FailOnWarning: status %v, output exists %v; want failed, none", got[0].Status, err == nil)
		}
		if !failOn && (got[0].Status != runner.OK || err != nil) {
			t.Errorf("without FailOnWarning: status %v, output %v; want made", got[0].Status, err)
		}
	}
}
