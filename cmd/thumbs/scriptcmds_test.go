package main

// Custom testscript commands used by the scripts in testdata/script.
// Each command fails the script (ts.Fatalf) when its assertion does not
// hold, and supports "!" to assert the opposite where that makes sense, so
// that testdata/script/cmds.txtar can show every assertion is able to fail.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/thumbs-dev/thumbs/internal/decode"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// scriptCmds returns the custom commands of the scripts.
func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"mkimage":    cmdMkimage,
		"imgsize":    cmdImgsize,
		"quadrants":  cmdQuadrants,
		"jsonlines":  cmdJSONLines,
		"smaller":    cmdSmaller,
		"files":      cmdFiles,
		"shardsplit": cmdShardSplit,
		"chtime":     cmdChtime,
		"mkfifo":     cmdMkfifo,
		"writebytes": cmdWritebytes,
		"lines":      cmdLines,
		"pixel":      cmdPixel,
	}
}

// newFlags returns a FlagSet for a command that reports its errors through ts.
func newFlags(ts *testscript.TestScript, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(ts *testscript.TestScript, fs *flag.FlagSet, args []string, usage string, nargs int) []string {
	if err := fs.Parse(args); err != nil {
		ts.Fatalf("usage: %s: %v", usage, err)
	}
	if fs.NArg() != nargs {
		ts.Fatalf("usage: %s", usage)
	}
	return fs.Args()
}

func atoi(ts *testscript.TestScript, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		ts.Fatalf("%q is not a number", s)
	}
	return n
}

// mkimage [-orient N [-be]] [-alpha] [-gray] [-photo] [-q Q] FORMAT W H FILE
//
// writes a W×H (upright size) test picture: testimage.Quadrants by default,
// testimage.Photo with -photo, testimage.Translucent with -alpha, a gray
// version with -gray. FORMAT is jpeg, png or webp. With -orient N (jpeg
// only) the file stores testimage.Stored(picture, N) with EXIF orientation
// N (in big-endian EXIF with -be), so that it displays upright as W×H. FILE may hold Go escapes (\n), to
// make files with odd names.
func cmdMkimage(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "mkimage [-orient N [-be]] [-alpha] [-gray] [-photo] [-q Q] FORMAT W H FILE"
	if neg {
		ts.Fatalf("unsupported: ! mkimage")
	}
	fs := newFlags(ts, "mkimage")
	orient := fs.Int("orient", 0, "")
	alpha := fs.Bool("alpha", false, "")
	gray := fs.Bool("gray", false, "")
	photo := fs.Bool("photo", false, "")
	quality := fs.Int("q", 90, "")
	bigEndian := fs.Bool("be", false, "")
	a := parseFlags(ts, fs, args, usage, 4)
	format, w, h, file := a[0], atoi(ts, a[1]), atoi(ts, a[2]), ts.MkAbs(unescape(ts, a[3]))

	var img image.Image = testimage.Quadrants(w, h)
	switch {
	case *photo:
		img = testimage.Photo(w, h)
	case *alpha:
		img = testimage.Translucent(w, h)
	}
	if *gray {
		g := image.NewGray(img.Bounds())
		draw.Draw(g, g.Rect, img, image.Point{}, draw.Src)
		img = g
	}
	var data []byte
	switch format {
	case "jpeg":
		if *orient != 0 {
			img = testimage.Stored(img, *orient)
		}
		data = testimage.JPEG(img, *quality, *orient, *bigEndian)
	case "png":
		var buf bytes.Buffer
		ts.Check(png.Encode(&buf, img))
		data = buf.Bytes()
	case "webp":
		var buf bytes.Buffer
		ts.Check(encode.Encode(&buf, img, encode.Options{Format: encode.WebP, Quality: *quality}))
		data = buf.Bytes()
	default:
		ts.Fatalf("mkimage: unknown format %q", format)
	}
	if *orient != 0 && format != "jpeg" {
		ts.Fatalf("mkimage: -orient is for jpeg only")
	}
	ts.Check(os.MkdirAll(filepath.Dir(file), 0o755))
	ts.Check(os.WriteFile(file, data, 0o644))
}

// decodeFile decodes an image file the way thumbs does, and returns its
// header and pixels.
func decodeFile(ts *testscript.TestScript, file string) (decode.Header, image.Image) {
	data, err := os.ReadFile(ts.MkAbs(file))
	ts.Check(err)
	h, err := decode.ReadHeader(data)
	if err != nil {
		ts.Fatalf("%s: %v", file, err)
	}
	img, err := decode.Decode(context.Background(), data, h, 1)
	if err != nil {
		ts.Fatalf("%s: %v", file, err)
	}
	if b := img.Bounds(); b.Dx() != h.Width || b.Dy() != h.Height {
		ts.Fatalf("%s: header says %dx%d, pixels are %dx%d", file, h.Width, h.Height, b.Dx(), b.Dy())
	}
	return h, img
}

// imgsize [-format F] FILE W H
//
// asserts that FILE (which may hold Go escapes) decodes to a W×H image (of
// format F: jpeg, png, webp).
// With !, asserts that it decodes to some other size.
func cmdImgsize(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "imgsize [-format F] FILE W H"
	fs := newFlags(ts, "imgsize")
	format := fs.String("format", "", "")
	a := parseFlags(ts, fs, args, usage, 3)
	w, h := atoi(ts, a[1]), atoi(ts, a[2])
	hdr, img := decodeFile(ts, unescape(ts, a[0]))
	b := img.Bounds()
	if *format != "" && string(hdr.Format) != *format {
		ts.Fatalf("%s: format %s, want %s", a[0], hdr.Format, *format)
	}
	same := b.Dx() == w && b.Dy() == h
	switch {
	case same && neg:
		ts.Fatalf("%s: is %dx%d, want another size", a[0], w, h)
	case !same && !neg:
		ts.Fatalf("%s: is %dx%d, want %dx%d", a[0], b.Dx(), b.Dy(), w, h)
	}
}

// quadrants [-tol N] [-raw] FILE
//
// asserts that FILE, a thumbnail of a Quadrants picture, shows the four
// quadrants upright: the pixel at the centre of each quadrant matches
// testimage.TopLeft, TopRight, BottomLeft and BottomRight with each channel
// within N (default 40, for JPEG), and the file asks for no further
// orientation (EXIF orientation 1 or none; -raw leaves that out and checks
// the stored pixels only). With !, asserts that something is out of place.
func cmdQuadrants(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "quadrants [-tol N] [-raw] FILE"
	fs := newFlags(ts, "quadrants")
	tol := fs.Int("tol", 40, "")
	raw := fs.Bool("raw", false, "")
	a := parseFlags(ts, fs, args, usage, 1)
	hdr, img := decodeFile(ts, unescape(ts, a[0]))
	var bad []string
	if hdr.Orientation != 1 && !*raw {
		bad = append(bad, fmt.Sprintf("EXIF orientation %d asks viewers to rotate the stored pixels", hdr.Orientation))
	}
	b := img.Bounds()
	want := []struct {
		name string
		x, y int
		c    color.NRGBA
	}{
		{"top left", b.Min.X + b.Dx()/4, b.Min.Y + b.Dy()/4, testimage.TopLeft},
		{"top right", b.Min.X + 3*b.Dx()/4, b.Min.Y + b.Dy()/4, testimage.TopRight},
		{"bottom left", b.Min.X + b.Dx()/4, b.Min.Y + 3*b.Dy()/4, testimage.BottomLeft},
		{"bottom right", b.Min.X + 3*b.Dx()/4, b.Min.Y + 3*b.Dy()/4, testimage.BottomRight},
	}
	for _, q := range want {
		got := color.NRGBAModel.Convert(img.At(q.x, q.y)).(color.NRGBA)
		d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
		if d(got.R, q.c.R) > *tol || d(got.G, q.c.G) > *tol || d(got.B, q.c.B) > *tol || d(got.A, q.c.A) > *tol {
			bad = append(bad, fmt.Sprintf("%s at (%d,%d) is %v, want %v±%d", q.name, q.x, q.y, got, q.c, *tol))
		}
	}
	switch {
	case len(bad) > 0 && !neg:
		ts.Fatalf("%s: quadrants out of place:\n\t%s", a[0], strings.Join(bad, "\n\t"))
	case len(bad) == 0 && neg:
		ts.Fatalf("%s: all quadrants in place", a[0])
	}
}

// jsonResult and jsonSummary are the shapes of thumbs --json lines.
type jsonOutput struct {
	Path      *string `json:"path"`
	PathBytes []byte  `json:"path_bytes"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	Bytes     int64   `json:"bytes"`
}

type jsonResult struct {
	Src      *string       `json:"src"`
	SrcBytes []byte        `json:"src_bytes"`
	Status   *string       `json:"status"`
	Outputs  *[]jsonOutput `json:"outputs"`
	Error    *string       `json:"error"`
	Warnings []string      `json:"warnings"`
}

type jsonSummary struct {
	OK        *int     `json:"ok"`
	Failed    *int     `json:"failed"`
	Skipped   *int     `json:"skipped"`
	Duplicate *int     `json:"duplicate"`
	BytesIn   *int64   `json:"bytes_in"`
	BytesOut  *int64   `json:"bytes_out"`
	Seconds   *float64 `json:"seconds"`
	Pruned    []string `json:"pruned"`
	DryRun    bool     `json:"dry_run"`
}

// parseJSONLines checks the shape of thumbs --json output in file and
// returns its per-input results and its summary. It fails the script when
// an output cannot be read, and returns an error for
// any deviation in the shape, and returns that as an error.
func parseJSONLines(ts *testscript.TestScript, file string) (results []jsonResult, sum jsonSummary, err error) {
	defer func() {
		switch e := recover().(type) {
		case nil:
		case jsonError:
			err = e
		default:
			panic(e)
		}
	}()
	bad := func(format string, args ...any) { panic(jsonError{fmt.Errorf(format, args...)}) }
	text := ts.ReadFile(file)
	if text == "" {
		bad("%s: no JSON output", file)
	}
	if !strings.HasSuffix(text, "\n") {
		bad("%s: JSON output does not end with a newline", file)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	strict := func(n int, line string, v any) {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			bad("%s:%d: %v: %s", file, n, err, line)
		}
		if dec.More() {
			bad("%s:%d: more than one JSON value on the line: %s", file, n, line)
		}
	}
	var last struct {
		Summary *jsonSummary `json:"summary"`
	}
	strict(len(lines), lines[len(lines)-1], &last)
	s := last.Summary
	if s == nil || s.OK == nil || s.Failed == nil || s.Skipped == nil || s.Duplicate == nil ||
		s.BytesIn == nil || s.BytesOut == nil || s.Seconds == nil {
		bad("%s: last line is not a complete summary object: %s", file, lines[len(lines)-1])
	}
	for i, line := range lines[:len(lines)-1] {
		var r jsonResult
		strict(i+1, line, &r)
		results = append(results, r)
	}
	counts := map[string]int{}
	var bytesOut, inMin, inMax int64
	for i, r := range results {
		n := i + 1
		if r.Src == nil || r.Status == nil || r.Outputs == nil {
			bad("%s:%d: want src, status and outputs: %s", file, n, lines[i])
		}
		st := *r.Status
		counts[st]++
		switch st {
		case "ok", "failed", "skipped", "duplicate":
		default:
			bad("%s:%d: unknown status %q", file, n, st)
		}
		if (st == "failed") != (r.Error != nil && *r.Error != "") {
			bad("%s:%d: status %s with error %v: want an error exactly when failed", file, n, st, r.Error)
		}
		if st == "failed" && !strings.Contains(*r.Error, *r.Src) {
			bad("%s:%d: error %q does not name the source %q", file, n, *r.Error, *r.Src)
		}
		if st == "ok" && len(*r.Outputs) == 0 && !s.DryRun {
			bad("%s:%d: ok without outputs", file, n)
		}
		if (st == "failed" || st == "duplicate") && len(*r.Outputs) != 0 {
			bad("%s:%d: %s with outputs", file, n, st)
		}
		// Only the sources read count: those made or failed, not those
		// skipped or duplicate, and none in a dry run.
		if info, err := os.Stat(ts.MkAbs(*r.Src)); err == nil && info.Mode().IsRegular() && !s.DryRun {
			if st == "ok" {
				inMin += info.Size()
			}
			if st == "ok" || st == "failed" {
				inMax += info.Size()
			}
		}
		for _, o := range *r.Outputs {
			if o.Path == nil || *o.Path == "" {
				bad("%s:%d: output without a path", file, n)
			}
			if st != "ok" {
				continue
			}
			bytesOut += o.Bytes
			if o.Width <= 0 || o.Height <= 0 || o.Bytes <= 0 {
				bad("%s:%d: output %s lacks width, height or bytes", file, n, *o.Path)
			}
			if s.DryRun {
				continue
			}
			info, err := os.Stat(ts.MkAbs(*o.Path))
			if err != nil {
				bad("%s:%d: output: %v", file, n, err)
			}
			if info.Size() != o.Bytes {
				bad("%s:%d: output %s has %d bytes, JSON says %d", file, n, *o.Path, info.Size(), o.Bytes)
			}
			_, img := decodeFile(ts, *o.Path)
			if b := img.Bounds(); b.Dx() != o.Width || b.Dy() != o.Height {
				bad("%s:%d: output %s is %dx%d, JSON says %dx%d", file, n, *o.Path, b.Dx(), b.Dy(), o.Width, o.Height)
			}
		}
	}
	got := map[string]int{"ok": *s.OK, "failed": *s.Failed, "skipped": *s.Skipped, "duplicate": *s.Duplicate}
	for st, c := range got {
		if counts[st] != c {
			bad("%s: summary counts %d %s, lines show %d", file, c, st, counts[st])
		}
	}
	if *s.BytesOut != bytesOut {
		bad("%s: summary bytes_out %d, outputs of ok lines sum to %d", file, *s.BytesOut, bytesOut)
	}
	if *s.BytesIn < inMin || *s.BytesIn > inMax {
		bad("%s: summary bytes_in %d, want from %d to %d (the sizes of the sources)", file, *s.BytesIn, inMin, inMax)
	}
	if *s.Seconds < 0 {
		bad("%s: negative seconds", file)
	}
	return results, *s, nil
}

// jsonError carries a deviation found by parseJSONLines.
type jsonError struct{ error }

// jsonlines FILE [STATUS=N...] [pruned=N]
//
// checks that FILE (usually stdout) is thumbs --json output: one JSON object
// per line, each input as {src, status, outputs:[{path,width,height,bytes}],
// error (exactly when failed)} and a final {"summary":{...}} whose counts
// match the lines, whose bytes_out is the sum of the outputs' bytes and
// whose bytes_in lies within the sizes of the sources read (made or
// failed; none in a dry run). Outputs of ok lines
// must exist with the stated size and dimensions (in a dry run, with
// "dry_run":true in the summary, they may be left out).
// STATUS=N (ok, failed, skipped, duplicate, pruned) asserts the summary's
// counts. With !, asserts that some of this does not hold.
func cmdJSONLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: jsonlines FILE [STATUS=N...]")
	}
	_, s, err := parseJSONLines(ts, args[0])
	if err != nil {
		if !neg {
			ts.Fatalf("%v", err)
		}
		ts.Logf("as expected: %v", err)
		return
	}
	got := map[string]int{"ok": *s.OK, "failed": *s.Failed, "skipped": *s.Skipped, "duplicate": *s.Duplicate, "pruned": len(s.Pruned)}
	for _, a := range args[1:] {
		k, v, ok := strings.Cut(a, "=")
		if _, known := got[k]; !ok || !known {
			ts.Fatalf("jsonlines: bad count %q", a)
		}
		if got[k] != atoi(ts, v) {
			if neg {
				return
			}
			ts.Fatalf("%s: summary has %s=%d, want %s", args[0], k, got[k], a)
		}
	}
	if neg {
		ts.Fatalf("%s: valid JSON output with the counts asked for", args[0])
	}
}

// smaller A B asserts that file A has fewer bytes than file B.
func cmdSmaller(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: smaller A B")
	}
	a, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	b, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	if (a.Size() < b.Size()) == neg {
		ts.Fatalf("%s has %d bytes, %s has %d: want the first smaller (negated: %v)", args[0], a.Size(), args[1], b.Size(), neg)
	}
}

// files [-l] [-nomanifest] DIR
//
// prints on stdout the slash-separated paths, relative to DIR and sorted,
// of every file under DIR (hidden ones too; a symbolic link as "-> target",
// a named pipe with a "|" suffix). With -l each line also has the file's
// size and SHA-256. -nomanifest leaves out thumbs' manifest files.
func cmdFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! files")
	}
	fset := newFlags(ts, "files")
	long := fset.Bool("l", false, "")
	noManifest := fset.Bool("nomanifest", false, "")
	a := parseFlags(ts, fset, args, "files [-l] [-nomanifest] DIR", 1)
	root := ts.MkAbs(a[0])
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if *noManifest && strings.HasPrefix(d.Name(), ".thumbs-record") {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			rel += " -> " + target
		case d.Type()&fs.ModeNamedPipe != 0:
			rel += "|"
		case *long:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			rel += fmt.Sprintf(" %d %s", len(data), hex.EncodeToString(sum[:8]))
		}
		out = append(out, rel)
		return nil
	})
	ts.Check(err)
	slices.Sort(out)
	w := ts.Stdout()
	for _, l := range out {
		fmt.Fprintln(w, l)
	}
}

// shardsplit ALL SHARD...
//
// checks that the JSON outputs of shard runs (SHARD files) split the sources
// of the unsharded run (ALL): every source ok in ALL is ok in exactly one
// shard, no shard makes a source ALL does not, and every shard has work.
// With !, asserts that they do not.
func cmdShardSplit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: shardsplit ALL SHARD SHARD...")
	}
	err := shardSplit(ts, args[0], args[1:])
	switch {
	case err != nil && !neg:
		ts.Fatalf("%v", err)
	case err == nil && neg:
		ts.Fatalf("the shards split the sources of %s", args[0])
	case err != nil:
		ts.Logf("as expected: %v", err)
	}
}

func shardSplit(ts *testscript.TestScript, all string, shards []string) error {
	oks := func(file string) []string {
		results, _, err := parseJSONLines(ts, file)
		ts.Check(err)
		var srcs []string
		for _, r := range results {
			if *r.Status != "ok" {
				ts.Fatalf("%s: %s is %s; shardsplit wants every source ok", file, *r.Src, *r.Status)
			}
			srcs = append(srcs, *r.Src)
		}
		return srcs
	}
	owner := map[string]string{}
	for _, f := range shards {
		srcs := oks(f)
		if len(srcs) == 0 {
			return fmt.Errorf("%s: shard made nothing", f)
		}
		for _, s := range srcs {
			if o, ok := owner[s]; ok {
				return fmt.Errorf("%s made by two shards: %s and %s", s, o, f)
			}
			owner[s] = f
		}
	}
	for _, s := range oks(all) {
		if owner[s] == "" {
			return fmt.Errorf("%s: made by the unsharded run (%s) but by no shard", s, all)
		}
		delete(owner, s)
	}
	for s, f := range owner {
		return fmt.Errorf("%s: made by shard %s but not by the unsharded run", s, f)
	}
	return nil
}

// chtime FILE +DURATION|-DURATION|RFC3339
//
// sets the modification (and access) time of FILE, relative to its current
// modification time or absolutely, leaving the content alone.
func cmdChtime(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: chtime FILE +DURATION|-DURATION|RFC3339")
	}
	file := ts.MkAbs(args[0])
	info, err := os.Stat(file)
	ts.Check(err)
	var t time.Time
	if strings.HasPrefix(args[1], "+") || strings.HasPrefix(args[1], "-") {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		t = info.ModTime().Add(d)
	} else {
		t, err = time.Parse(time.RFC3339, args[1])
		ts.Check(err)
	}
	ts.Check(os.Chtimes(file, t, t))
}

// mkfifo FILE makes a named pipe.
func cmdMkfifo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkfifo FILE")
	}
	ts.Check(syscall.Mkfifo(ts.MkAbs(args[0]), 0o644))
}

// writebytes FILE TEXT
//
// writes TEXT, with Go escapes (\n, \x00, \t ...) interpreted, to FILE.
// FILE may itself hold escapes, to make files with odd names; its directory
// is made if missing.
func cmdWritebytes(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: writebytes FILE TEXT")
	}
	name := ts.MkAbs(unescape(ts, args[0]))
	ts.Check(os.MkdirAll(filepath.Dir(name), 0o755))
	ts.Check(os.WriteFile(name, []byte(unescape(ts, args[1])), 0o644))
}

// unescape interprets the Go escapes (\n, \x00, \t ...) in s.
func unescape(ts *testscript.TestScript, s string) string {
	u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
	if err != nil {
		ts.Fatalf("bad escapes in %q: %v", s, err)
	}
	return u
}

// lines FILE N asserts that FILE (stdout and stderr included) has exactly N
// lines.
func cmdLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: lines FILE N")
	}
	text := ts.ReadFile(args[0])
	n := strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		n++
	}
	if want := atoi(ts, args[1]); n != want {
		ts.Fatalf("%s has %d lines, want %d:\n%s", args[0], n, want, text)
	}
}

// pixel [-tol N] FILE X Y RRGGBBAA
//
// asserts that the pixel at (X, Y) of the decoded FILE has the colour
// RRGGBBAA (non-premultiplied, hex), each channel within N (default 40).
// A fully transparent pixel matches any colour of alpha 00.
func cmdPixel(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "pixel [-tol N] FILE X Y RRGGBBAA"
	fs := newFlags(ts, "pixel")
	tol := fs.Int("tol", 40, "")
	a := parseFlags(ts, fs, args, usage, 4)
	_, img := decodeFile(ts, unescape(ts, a[0]))
	x, y := atoi(ts, a[1]), atoi(ts, a[2])
	v, err := strconv.ParseUint(a[3], 16, 32)
	if err != nil || len(a[3]) != 8 {
		ts.Fatalf("usage: %s", usage)
	}
	want := color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}
	b := img.Bounds()
	got := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
	d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
	match := d(got.A, want.A) <= *tol
	if got.A != 0 || want.A != 0 {
		match = match && d(got.R, want.R) <= *tol && d(got.G, want.G) <= *tol && d(got.B, want.B) <= *tol
	}
	if match == neg {
		ts.Fatalf("%s: pixel (%d,%d) is %02x%02x%02x%02x, want %s%s within %d", a[0], x, y,
			got.R, got.G, got.B, got.A, map[bool]string{true: "other than ", false: ""}[neg], a[3], *tol)
	}
}
