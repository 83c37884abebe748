package main

// Robustness tests: thumbs run as a real process over directories that mix
// good images with every kind of bad input it may meet in the wild.
//
// What root can and cannot simulate. These tests usually run as root, and
// root ignores file permissions: a file of mode 000 is readable and a
// directory without x permission can be walked, so neither simulates an
// unreadable source. The only unreadable regular file used here is
// /proc/sys/vm/compact_memory, which the kernel makes write-only even for
// root (given explicitly, since its name has no image extension). An
// unreadable file or directory found by a directory walk cannot be simulated
// without mount privileges and is not tested.
//
// Peak memory of a child process. Linux folds the peak RSS of the memory the
// child shared with its parent before exec into the child's ru_maxrss, and
// os/exec starts children with vfork (CLONE_VM): ru_maxrss of a direct child
// of this test process is at least this process's own peak RSS. rbRun with
// measureRSS therefore starts thumbs through a wrapper, this same test binary
// started with THUMBS_RSS_WRAP=1, which is small when it starts its own
// child and reports that child's ru_maxrss.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	xwebp "golang.org/x/image/webp"

	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

func init() {
	// The RSS wrapper: run the real command as a child of this small
	// process and write the child's peak RSS (KiB) to THUMBS_RSS_FILE.
	if os.Getenv("THUMBS_RSS_WRAP") != "1" {
		return
	}
	os.Unsetenv("THUMBS_RSS_WRAP")
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "rss wrapper: cannot start thumbs")
		os.Exit(99)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	os.WriteFile(os.Getenv("THUMBS_RSS_FILE"), []byte(strconv.FormatInt(rss, 10)), 0o644)
	os.Exit(cmd.ProcessState.ExitCode())
}

// rbRow is one JSON object of thumbs --json: a result row or the summary.
type rbRow struct {
	Src      string   `json:"src"`
	Status   string   `json:"status"`
	Error    string   `json:"error"`
	Warnings []string `json:"warnings"`
	Outputs  []struct {
		Path          string `json:"path"`
		Width, Height int
	} `json:"outputs"`
	Summary *struct {
		OK      int `json:"ok"`
		Failed  int `json:"failed"`
		Skipped int `json:"skipped"`
	} `json:"summary"`
}

// rbResult is what one run of thumbs did.
type rbResult struct {
	code           int // exit status, -1 when killed by a signal
	stdout, stderr string
	elapsed        time.Duration
	maxRSSKiB      int64 // peak RSS of thumbs, when measured
	rows           []rbRow
	summary        *rbRow
}

type rbOpts struct {
	dir        string // working directory
	stdin      []byte
	measureRSS bool
	timeout    time.Duration // only to catch hangs; 60 s when zero
}

// rbRun runs thumbs with args as a child process and returns what it did.
// A run that outlives the deadline is killed and fails the test.
func rbRun(t testing.TB, o rbOpts, args ...string) rbResult {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 60 * time.Second
	}
	cmd := thumbsCommand(args...)
	cmd.Dir = o.dir
	cmd.Stdin = bytes.NewReader(o.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	rssFile := ""
	if o.measureRSS {
		rssFile = filepath.Join(t.TempDir(), "rss")
		cmd.Env = append(cmd.Env, "THUMBS_RSS_WRAP=1", "THUMBS_RSS_FILE="+rssFile)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start thumbs: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(o.timeout):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("thumbs %q hung: killed after %v\nstderr:\n%s", args, o.timeout, rbTail(stderr.String()))
	}
	r := rbResult{
		code:    cmd.ProcessState.ExitCode(),
		stdout:  stdout.String(),
		stderr:  stderr.String(),
		elapsed: time.Since(start),
	}
	if o.measureRSS {
		b, err := os.ReadFile(rssFile)
		if err != nil {
			t.Fatalf("peak RSS not reported by the wrapper: %v\nstderr:\n%s", err, rbTail(r.stderr))
		}
		r.maxRSSKiB, _ = strconv.ParseInt(string(b), 10, 64)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	for dec.More() {
		var row rbRow
		if err := dec.Decode(&row); err != nil {
			if strings.Contains(strings.Join(args, " "), "--json") {
				t.Errorf("stdout is not JSON lines: %v\n%s", err, rbTail(r.stdout))
			}
			break
		}
		if row.Summary != nil {
			s := row
			r.summary = &s
			continue
		}
		r.rows = append(r.rows, row)
	}
	return r
}

func rbTail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

// rbCheckSane fails the test if the output of r shows a crash or out holds
// temporary files.
func rbCheckSane(t *testing.T, r rbResult, out string) {
	t.Helper()
	for _, s := range []string{r.stdout, r.stderr} {
		for _, bad := range []string{"panic", "goroutine ", "runtime error", "fatal error"} {
			if strings.Contains(s, bad) {
				t.Errorf("output mentions %q:\n%s", bad, rbTail(s))
			}
		}
	}
	if temps := rbTemps(t, out); len(temps) > 0 {
		t.Errorf("temporary files left in %s: %q", out, temps)
	}
}

// rbTemps lists the thumbs temporary files under dir.
func rbTemps(t testing.TB, dir string) []string {
	t.Helper()
	var temps []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".thumbs-tmp-") {
			temps = append(temps, p)
		}
		return nil
	})
	return temps
}

// rbRowFor returns the rows whose src is path (as JSON can carry it: any
// invalid UTF-8 byte becomes U+FFFD).
func rbRowsFor(r rbResult, path string) []rbRow {
	want := rbJSONString(path)
	var rows []rbRow
	for _, row := range r.rows {
		if row.Src == want {
			rows = append(rows, row)
		}
	}
	return rows
}

// rbJSONString returns s as encoding/json carries it: each byte of invalid
// UTF-8 becomes U+FFFD.
func rbJSONString(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// rbStderrLines returns the lines of stderr that start with prefix.
func rbStderrLines(r rbResult, prefix string) []string {
	var lines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, prefix) {
			lines = append(lines, l)
		}
	}
	return lines
}

// rbCheckFailed checks that path is named by exactly one failed JSON row
// and one stderr line "thumbs: <path>: <cause>" with the same cause, and
// returns the cause.
func rbCheckFailed(t *testing.T, r rbResult, path string) string {
	t.Helper()
	rows := rbRowsFor(r, path)
	if len(rows) != 1 {
		t.Errorf("%q: want 1 JSON row, got %d: %+v", path, len(rows), rows)
		return ""
	}
	row := rows[0]
	jpath := rbJSONString(path)
	if row.Status != "failed" || !strings.HasPrefix(row.Error, jpath+": ") || len(row.Error) == len(jpath)+2 {
		t.Errorf("%q: want a failed row whose error is %q + cause, got %+v", path, jpath+": ", row)
		return ""
	}
	cause := strings.TrimPrefix(row.Error, jpath+": ")
	lines := rbStderrLines(r, "thumbs: "+path+": ")
	if len(lines) != 1 || lines[0] != "thumbs: "+path+": "+cause {
		t.Errorf("%q: want one stderr line %q, got %q", path, "thumbs: "+path+": "+cause, lines)
	}
	return cause
}

// rbCheckThumb checks that file is a complete image of w×h.
func rbCheckThumb(t *testing.T, file string, w, h int) {
	t.Helper()
	img, err := rbDecodeFile(file)
	if err != nil {
		t.Errorf("thumbnail %q: %v", file, err)
		return
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("thumbnail %q is %dx%d, want %dx%d", file, b.Dx(), b.Dy(), w, h)
	}
}

// rbDecodeFile decodes a JPEG, PNG or WebP file completely.
func rbDecodeFile(file string) (image.Image, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".jpg", ".jpeg":
		return jpeg.Decode(bytes.NewReader(data))
	case ".png":
		return png.Decode(bytes.NewReader(data))
	case ".webp":
		return xwebp.Decode(bytes.NewReader(data))
	}
	return nil, fmt.Errorf("unexpected thumbnail extension")
}

// Encoders of good images.

func rbJPEG(w, h int) []byte { return testimage.JPEG(testimage.Photo(w, h), 85, 0, false) }

func rbEncode(t testing.TB, format string, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "jpg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	case "png":
		err = png.Encode(&buf, img)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	case "tif":
		err = tiff.Encode(&buf, img, &tiff.Options{Compression: tiff.Deflate})
	case "bmp":
		err = bmp.Encode(&buf, img)
	case "webp":
		err = encode.Encode(&buf, img, encode.Options{Format: encode.WebP, Quality: 80})
	default:
		t.Fatalf("no encoder for %s", format)
	}
	if err != nil {
		t.Fatalf("encode %s: %v", format, err)
	}
	return buf.Bytes()
}

var rbFormats = []string{"jpg", "png", "gif", "webp", "tif", "bmp"}

// rbSalvaged are the formats whose files, cut off after some pixels, are
// made from what they hold, with a warning, instead of failing.
var rbSalvaged = map[string]bool{"jpg": true, "bmp": true}

func rbWrite(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// rbThumbName returns the default output path, under out, of the source
// whose output-relative path is rel, for an opaque image.
func rbThumbName(out, rel string) string {
	return filepath.Join(out, strings.TrimSuffix(rel, filepath.Ext(rel))+".jpg")
}

// rbFlip returns data with a few bits flipped at fixed places: the same
// input always gives the same output.
func rbFlip(data []byte, at ...int) []byte {
	out := bytes.Clone(data)
	for i, p := range at {
		p = p % len(out)
		out[p] ^= 1 << (i % 8)
	}
	return out
}

// TestRobustBadInputs runs thumbs --keep-going over a tree that mixes good
// images, some under awkward names, with every kind of bad input, given by
// a directory walk, as arguments and on stdin.
func TestRobustBadInputs(t *testing.T) {
	root := t.TempDir()
	out := "OUT"

	type good struct {
		path string // as thumbs names it, relative to root
		rel  string // its output-relative path
		w, h int    // the thumbnail's size in a 64 box
	}
	var goods []good
	addGood := func(path, rel string, data []byte, w, h int) {
		rbWrite(t, filepath.Join(root, path), data)
		goods = append(goods, good{path, rel, w, h})
	}
	jpg := rbJPEG(320, 240) // → 64x48
	photo := testimage.Photo(200, 100)
	pngData := rbEncode(t, "png", photo) // → 64x32
	addGood("in/good1.jpg", "good1.jpg", jpg, 64, 48)
	addGood("in/good2.png", "good2.png", pngData, 64, 32)
	addGood("in/with space.jpg", "with space.jpg", jpg, 64, 48)
	addGood("in/new\nline.jpg", "new\nline.jpg", jpg, 64, 48)
	addGood("in/latin1-\xe9\xff.png", "latin1-\xe9\xff.png", pngData, 64, 32)
	addGood("in/sub dir/ünï\tcode.JPEG", "sub dir/ünï\tcode.JPEG", jpg, 64, 48)
	addGood("in/dir.jpg/inside.png", "dir.jpg/inside.png", pngData, 64, 32)
	for _, f := range []string{"gif", "webp", "tif", "bmp"} {
		addGood("in/good-"+f+"."+f, "good-"+f+"."+f, rbEncode(t, f, photo), 64, 32)
	}
	// A directory named like an image, given explicitly: it is walked.
	addGood("arg.jpg/inner.png", "inner.png", pngData, 64, 32)
	// On stdin, NUL-separated.
	addGood("list/good.jpg", "list/good.jpg", jpg, 64, 48)
	addGood("list/new\nline \xfe.png", "list/new\nline \xfe.png", pngData, 64, 32)

	var bads []string // paths thumbs must fail, as it names them
	addBad := func(path string, data []byte) {
		rbWrite(t, filepath.Join(root, path), data)
		bads = append(bads, path)
	}
	addBad("in/empty.jpg", nil)
	addBad("in/text.jpg", []byte("this is not an image, just text\n"))
	addBad("in/text with space.png", []byte("not a png either\n"))
	addBad("in/zeros.webp", make([]byte, 4096))
	var maybes []string  // bit-flipped: may decode to garbage, may fail, never crash
	var damaged []string // cut off after some pixels: made from them, with a warning
	for _, f := range rbFormats {
		data := rbEncode(t, f, photo)
		if rbSalvaged[f] {
			for name, part := range map[string][]byte{"half": data[:len(data)/2], "last": data[:len(data)-len(data)/8]} {
				path := "in/trunc-" + name + "-" + f + "." + f
				rbWrite(t, filepath.Join(root, path), part)
				damaged = append(damaged, path)
			}
		} else {
			addBad("in/trunc-half-"+f+"."+f, data[:len(data)/2])
			addBad("in/trunc-last-"+f+"."+f, data[:len(data)-len(data)/8])
		}
		addBad("in/trunc-16-"+f+"."+f, data[:16])
		for i, at := range [][]int{
			{len(data) / 3, len(data)/3 + 97, len(data)/3 + 301},
			{6, 7, 8, 9, 16, 17, 18, 19, 20, 21, 22, 23},
			{len(data) / 2},
		} {
			p := fmt.Sprintf("in/flip%d-%s.%s", i, f, f)
			rbWrite(t, filepath.Join(root, p), rbFlip(data, at...))
			maybes = append(maybes, p)
		}
	}
	mustSymlink := func(target, link string) {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
		bads = append(bads, link)
	}
	mustSymlink("nowhere.jpg", "in/dangling.jpg")
	mustSymlink("loop.jpg", "in/loop.jpg")
	mustSymlink("loop-b.png", "in/loop-a.png")
	mustSymlink("loop-a.png", "in/loop-b.png")
	mustFifo := func(p string) {
		if err := syscall.Mkfifo(filepath.Join(root, p), 0o644); err != nil {
			t.Fatal(err)
		}
		bads = append(bads, p)
	}
	mustFifo("in/fifo.jpg")
	if err := os.MkdirAll(filepath.Join(root, "list"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustFifo("list/fifo.png")
	// Given explicitly: a device, a missing file, a file even root cannot
	// read, and a FIFO.
	bads = append(bads, "/dev/null", "missing.jpg", "/proc/sys/vm/compact_memory")
	mustFifo("explicit-fifo.jpg")
	// On stdin only.
	bads = append(bads, "list/missing.png")

	stdin := strings.Join([]string{"list/good.jpg", "list/new\nline \xfe.png", "list/fifo.png", "list/missing.png", ""}, "\x00")
	args := []string{"--keep-going", "--json", "--progress", "never", "-s", "64", "-j", "2", "-0", "-o", out,
		"in", "arg.jpg/", "/dev/null", "missing.jpg", "/proc/sys/vm/compact_memory", "explicit-fifo.jpg", "-"}
	r := rbRun(t, rbOpts{dir: root, stdin: []byte(stdin)}, args...)
	outDir := filepath.Join(root, out)

	if r.code != 1 {
		t.Errorf("exit status %d, want 1\nstderr:\n%s", r.code, rbTail(r.stderr))
	}
	rbCheckSane(t, r, outDir)
	if r.summary == nil {
		t.Fatalf("no JSON summary\nstdout:\n%s", rbTail(r.stdout))
	}

	for _, g := range goods {
		rows := rbRowsFor(r, g.path)
		if len(rows) != 1 || rows[0].Status != "ok" {
			t.Errorf("good %q: want one ok row, got %+v", g.path, rows)
		}
		rbCheckThumb(t, rbThumbName(outDir, g.rel), g.w, g.h)
	}
	failed := 0
	for _, b := range bads {
		cause := rbCheckFailed(t, r, b)
		t.Logf("bad %-36q → %s", b, cause)
		failed++
	}
	for _, d := range damaged {
		rows := rbRowsFor(r, d)
		if len(rows) != 1 || rows[0].Status != "ok" || len(rows[0].Warnings) == 0 || len(rows[0].Outputs) != 1 {
			t.Errorf("damaged %q: want one ok row with a warning and an output, got %+v", d, rows)
			continue
		}
		t.Logf("damaged %-32q → ok, warning: %s", d, rows[0].Warnings[0])
	}
	for _, m := range maybes {
		rows := rbRowsFor(r, m)
		if len(rows) != 1 {
			t.Errorf("%q: want 1 JSON row, got %+v", m, rows)
			continue
		}
		switch rows[0].Status {
		case "failed":
			cause := rbCheckFailed(t, r, m)
			t.Logf("flipped %-32q → failed: %s", m, cause)
			failed++
		case "ok":
			if len(rows[0].Outputs) != 1 {
				t.Errorf("%q: ok with %d outputs", m, len(rows[0].Outputs))
				continue
			}
			o := rows[0].Outputs[0]
			img, err := rbDecodeFile(filepath.Join(root, o.Path))
			if err != nil {
				t.Errorf("%q: its thumbnail %s does not decode: %v", m, o.Path, err)
				continue
			}
			b := img.Bounds()
			if b.Dx() != o.Width || b.Dy() != o.Height || b.Dx() > 64 || b.Dy() > 64 || b.Dx() < 1 || b.Dy() < 1 {
				t.Errorf("%q: thumbnail %s is %v, reported %dx%d, box 64x64", m, o.Path, b, o.Width, o.Height)
			}
			t.Logf("flipped %-32q → ok %dx%d", m, b.Dx(), b.Dy())
		default:
			t.Errorf("%q: status %q", m, rows[0].Status)
		}
	}
	if s := r.summary.Summary; s.OK != len(goods)+len(damaged)+len(maybes)-(failed-len(bads)) || s.Failed != failed {
		t.Errorf("summary %+v, want %d ok and %d failed", s, len(goods)+len(damaged)+len(maybes)-(failed-len(bads)), failed)
	}
	if n := len(r.rows); n != len(goods)+len(bads)+len(damaged)+len(maybes) {
		t.Errorf("%d JSON rows, want %d (one per input)", n, len(goods)+len(bads)+len(damaged)+len(maybes))
	}
	// Every stderr line is a failure or the summary.
	for _, l := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
		if !strings.HasPrefix(l, "thumbs: ") {
			t.Errorf("stray stderr line %q", l)
		}
	}
	if !strings.Contains(r.stderr, fmt.Sprintf("thumbs: %d ok, %d failed", r.summary.Summary.OK, failed)) {
		t.Errorf("stderr lacks the summary line:\n%s", rbTail(r.stderr))
	}
	// Sources are never written to.
	if data, err := os.ReadFile(filepath.Join(root, "in/good1.jpg")); err != nil || !bytes.Equal(data, jpg) {
		t.Errorf("source in/good1.jpg changed (err %v)", err)
	}
}

// TestRobustTruncatedEachFormat checks the cause thumbs gives for a
// truncated file of each format, one file per run, without --keep-going.
func TestRobustTruncatedEachFormat(t *testing.T) {
	root := t.TempDir()
	photo := testimage.Photo(120, 90)
	var args []string
	for _, f := range rbFormats {
		data := rbEncode(t, f, photo)
		p := "t." + f
		rbWrite(t, filepath.Join(root, p), data[:len(data)*2/3])
		args = append(args, p)
	}
	for _, p := range args {
		r := rbRun(t, rbOpts{dir: root}, "--json", "--progress", "never", "-o", "OUT", p)
		rbCheckSane(t, r, filepath.Join(root, "OUT"))
		if rbSalvaged[strings.TrimPrefix(filepath.Ext(p), ".")] {
			if rows := rbRowsFor(r, p); r.code != 0 || len(rows) != 1 || len(rows[0].Warnings) == 0 {
				t.Errorf("%s: exit status %d, rows %+v; want it made, with a warning", p, r.code, rows)
			}
			continue
		}
		if r.code != 1 {
			t.Errorf("%s: exit status %d, want 1", p, r.code)
		}
		cause := rbCheckFailed(t, r, p)
		t.Logf("truncated %s → %s", p, cause)
	}
}

// rbPNGChunk returns a PNG chunk.
func rbPNGChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// rbBombs returns tiny files whose headers claim huge images.
func rbBombs(t testing.TB) map[string][]byte {
	bombs := make(map[string][]byte)

	// PNG: 100000x100000 RGB, with a few bytes of zlib data.
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	p := []byte("\x89PNG\r\n\x1a\n")
	p = append(p, rbPNGChunk("IHDR", ihdr)...)
	p = append(p, rbPNGChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01})...)
	p = append(p, rbPNGChunk("IEND", nil)...)
	bombs["bomb.png"] = p

	// GIF: a 1x1 image whose logical screen and frame claim 65535x65535.
	var buf bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.Black, color.White})
	if err := gif.Encode(&buf, pal, nil); err != nil {
		t.Fatal(err)
	}
	g := buf.Bytes()
	binary.LittleEndian.PutUint16(g[6:], 65535)
	binary.LittleEndian.PutUint16(g[8:], 65535)
	if i := bytes.IndexByte(g[13:], 0x2C); i >= 0 { // the image descriptor
		d := g[13+i:]
		binary.LittleEndian.PutUint16(d[5:], 65535)
		binary.LittleEndian.PutUint16(d[7:], 65535)
	} else {
		t.Fatal("no image descriptor in the GIF")
	}
	bombs["bomb.gif"] = g

	// JPEG: a baseline JPEG whose SOF claims 65535x65535.
	j := rbJPEG(16, 16)
	for i := 2; i+9 < len(j); i++ {
		if j[i] == 0xFF && j[i+1] == 0xC0 {
			binary.BigEndian.PutUint16(j[i+5:], 65535)
			binary.BigEndian.PutUint16(j[i+7:], 65535)
			break
		}
	}
	bombs["bomb.jpg"] = j

	// WebP: an extended (VP8X) file claiming 16384x16384 with no image data.
	w := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00")
	w = append(w, 0xff, 0x3f, 0x00, 0xff, 0x3f, 0x00)
	w = append(w, "VP8L\x05\x00\x00\x00\x2f\x00\x00\x00\x00\x00"...)
	binary.LittleEndian.PutUint32(w[4:], uint32(len(w)-8))
	bombs["bomb.webp"] = w
	return bombs
}

// TestRobustDecompressionBomb runs thumbs alone on each tiny file whose
// header claims billions of pixels: the default --max-pixels must refuse it
// at once, without allocating the image.
func TestRobustDecompressionBomb(t *testing.T) {
	root := t.TempDir()
	for name, data := range rbBombs(t) {
		t.Run(name, func(t *testing.T) {
			rbWrite(t, filepath.Join(root, name), data)
			r := rbRun(t, rbOpts{dir: root, measureRSS: true}, "--json", "--progress", "never", "-o", "OUT-"+name, name)
			t.Logf("%s (%d bytes): exit %d in %v, peak RSS %.1f MiB: %s",
				name, len(data), r.code, r.elapsed.Round(time.Millisecond), float64(r.maxRSSKiB)/1024, strings.TrimSpace(strings.Split(r.stderr, "\n")[0]))
			if r.code != 1 {
				t.Errorf("exit status %d, want 1\nstderr:\n%s", r.code, r.stderr)
			}
			rbCheckSane(t, r, filepath.Join(root, "OUT-"+name))
			cause := rbCheckFailed(t, r, name)
			if !strings.Contains(cause, "pixels") || !strings.Contains(cause, "limit") {
				t.Errorf("cause %q does not mention pixels and the limit", cause)
			}
			if r.maxRSSKiB <= 0 || r.maxRSSKiB > 64<<10 {
				t.Errorf("peak RSS %d KiB, want under 64 MiB", r.maxRSSKiB)
			}
			// Process start-up included; the race detector makes it slow.
			if r.elapsed > 10*time.Second {
				t.Errorf("took %v to refuse a %d-byte file", r.elapsed, len(data))
			}
		})
	}
}

// TestRobustOutputIsSource checks that thumbs never writes over a source,
// whichever way the output directory resolves to a source's directory.
func TestRobustOutputIsSource(t *testing.T) {
	root := t.TempDir()
	jpg := rbJPEG(320, 240)
	pngData := rbEncode(t, "png", testimage.Photo(200, 100))
	rbWrite(t, filepath.Join(root, "x.jpg"), jpg)
	rbWrite(t, filepath.Join(root, "src/a.jpg"), jpg)
	rbWrite(t, filepath.Join(root, "src/b.png"), pngData)
	unchanged := func(t *testing.T) {
		t.Helper()
		for name, want := range map[string][]byte{"x.jpg": jpg, "src/a.jpg": jpg, "src/b.png": pngData} {
			if got, err := os.ReadFile(filepath.Join(root, name)); err != nil || !bytes.Equal(got, want) {
				t.Errorf("source %s changed (err %v)", name, err)
			}
		}
	}

	t.Run("out=. with a file in .", func(t *testing.T) {
		r := rbRun(t, rbOpts{dir: root}, "--json", "--progress", "never", "-o", ".", "x.jpg")
		if r.code != 1 {
			t.Errorf("exit status %d, want 1", r.code)
		}
		rbCheckSane(t, r, root)
		t.Logf("-o . x.jpg → %s", rbCheckFailed(t, r, "x.jpg"))
		unchanged(t)
	})
	t.Run("out=src with a file in src", func(t *testing.T) {
		r := rbRun(t, rbOpts{dir: root}, "--json", "--progress", "never", "-o", "src", "src/a.jpg")
		if r.code != 1 {
			t.Errorf("exit status %d, want 1", r.code)
		}
		rbCheckSane(t, r, filepath.Join(root, "src"))
		t.Logf("-o src src/a.jpg → %s", rbCheckFailed(t, r, "src/a.jpg"))
		unchanged(t)
	})
	// The output directory is the directory given: thumbs must say it
	// cannot do what was asked, not succeed having done nothing.
	for _, c := range []struct{ out, arg string }{{"src", "src"}, {"src", "src/"}, {".", "."}, {"./src/", "src"}} {
		t.Run(fmt.Sprintf("out=%s with dir %s", c.out, c.arg), func(t *testing.T) {
			r := rbRun(t, rbOpts{dir: root}, "--keep-going", "--progress", "never", "-o", c.out, c.arg)
			t.Logf("-o %s %s → exit %d, stderr %q", c.out, c.arg, r.code, r.stderr)
			rbCheckSane(t, r, filepath.Join(root, c.out))
			if r.code != 1 && r.code != 2 {
				t.Errorf("exit status %d, want 1 or 2: the output directory is the source directory, nothing was made", r.code)
			}
			if !strings.Contains(r.stderr, "thumbs: ") || !strings.Contains(r.stderr, strings.TrimSuffix(strings.TrimPrefix(c.arg, "./"), "/")) {
				t.Errorf("stderr names no error about %s:\n%s", c.arg, r.stderr)
			}
			unchanged(t)
		})
	}
	// An output directory inside the source directory is never walked:
	// a second run makes no thumbnails of thumbnails.
	t.Run("out inside the source directory", func(t *testing.T) {
		for run := 1; run <= 2; run++ {
			r := rbRun(t, rbOpts{dir: root}, "--json", "--progress", "never", "-o", "src/th", "src")
			rbCheckSane(t, r, filepath.Join(root, "src/th"))
			if r.code != 0 || len(r.rows) != 2 {
				t.Errorf("run %d: exit %d with %d rows, want 0 with 2 (a.jpg, b.png)\n%s\n%s", run, r.code, len(r.rows), r.stdout, r.stderr)
			}
			for _, row := range r.rows {
				if strings.Contains(row.Src, "/th/") {
					t.Errorf("run %d: the output directory was walked: %+v", run, row)
				}
			}
		}
		rbCheckThumb(t, filepath.Join(root, "src/th/a.jpg"), 256, 192)
		rbCheckThumb(t, filepath.Join(root, "src/th/b.jpg"), 200, 100)
		unchanged(t)
	})
	// Symbolic link to the source directory as output.
	if err := os.Symlink("src", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	t.Run("out=link to src with files of src", func(t *testing.T) {
		r := rbRun(t, rbOpts{dir: root}, "--keep-going", "--json", "--progress", "never", "-f", "png", "-o", "link", "src/a.jpg", "src/b.png")
		if r.code != 1 {
			t.Errorf("exit status %d, want 1", r.code)
		}
		rbCheckSane(t, r, filepath.Join(root, "src"))
		// Both sources lie inside the output directory, seen through the
		// link: neither is read, so nothing is written beside them.
		for _, src := range []string{"src/a.jpg", "src/b.png"} {
			if cause := rbCheckFailed(t, r, src); !strings.Contains(cause, "inside the output directory") {
				t.Errorf("%s: %s; want a refusal of a source inside the output directory", src, cause)
			}
		}
		unchanged(t)
		if _, err := os.Stat(filepath.Join(root, "src/a.png")); err == nil {
			t.Error("a thumbnail was written among the sources")
		}
	})
}

// TestRobustCollision checks that two sources whose thumbnails take the
// same names are reported, never silently overwriting one another.
func TestRobustCollision(t *testing.T) {
	root := t.TempDir()
	rbWrite(t, filepath.Join(root, "in/x.jpg"), rbJPEG(320, 240))                              // → 64x48
	rbWrite(t, filepath.Join(root, "in/x.png"), rbEncode(t, "png", testimage.Photo(200, 100))) // → 64x32
	rbWrite(t, filepath.Join(root, "in/X.gif"), rbEncode(t, "gif", testimage.Photo(100, 100))) // another name on Linux
	for run := 1; run <= 2; run++ {
		r := rbRun(t, rbOpts{dir: root}, "--keep-going", "--json", "--progress", "never", "-s", "64", "-j", "2", "-o", "OUT", "in")
		if r.code != 1 {
			t.Errorf("run %d: exit status %d, want 1\nstderr:\n%s", run, r.code, r.stderr)
		}
		rbCheckSane(t, r, filepath.Join(root, "OUT"))
		cause := rbCheckFailed(t, r, "in/x.png")
		if !strings.Contains(cause, "OUT/x.*") {
			t.Errorf("run %d: collision cause %q does not name the outputs OUT/x.* it would take", run, cause)
		}
		t.Logf("run %d: in/x.png → %s", run, cause)
		if rows := rbRowsFor(r, "in/x.jpg"); len(rows) != 1 || (rows[0].Status != "ok" && rows[0].Status != "skipped") {
			t.Errorf("run %d: in/x.jpg: %+v", run, rows)
		}
		rbCheckThumb(t, filepath.Join(root, "OUT/x.jpg"), 64, 48)
		rbCheckThumb(t, filepath.Join(root, "OUT/X.jpg"), 64, 64)
	}
}

// TestRobustUnwritableOutput checks that an output directory that cannot be
// made or written gives a clear error and exit status 1.
func TestRobustUnwritableOutput(t *testing.T) {
	root := t.TempDir()
	rbWrite(t, filepath.Join(root, "a.jpg"), rbJPEG(64, 48))
	rbWrite(t, filepath.Join(root, "regular"), []byte("a file, not a directory"))
	for _, c := range []struct{ name, out string }{
		{"regular file", "regular"},
		{"under a regular file", "regular/sub"},
		{"under /proc", "/proc/thumbs-robust-test/out"},
		{"under /sys", "/sys/thumbs-robust-test"},
		{"/dev/null", "/dev/null"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rbRun(t, rbOpts{dir: root}, "--keep-going", "--progress", "never", "-o", c.out, "a.jpg")
			msg := strings.TrimSpace(r.stderr)
			t.Logf("-o %s → exit %d: %q", c.out, r.code, msg)
			if r.code != 1 {
				t.Errorf("exit status %d, want 1", r.code)
			}
			rbCheckSane(t, r, root)
			// The first line names the output directory, or the part of
			// its path that could not be made.
			first := strings.Split(msg, "\n")[0]
			named := false
			for d := c.out; d != "/" && d != "."; d = filepath.Dir(d) {
				named = named || strings.Contains(first, d)
			}
			if !strings.HasPrefix(first, "thumbs: ") || !named {
				t.Errorf("first stderr line %q does not name %s", first, c.out)
			}
		})
	}
}
