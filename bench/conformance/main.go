// Command conformance turns the work files of bench/conformance.sh into its
// report: a Markdown summary (per corpus: files tried, read by thumbs, read
// by both peers, failed where both peers read, close enough to the
// reference; the failure classes; the worst files) and a TSV with one row
// per file.
//
// Usage:
//
//	conformance -work DIR -md REPORT.md -tsv FILES.tsv [-size N] [-commit C]
//
// DIR holds what conformance.sh wrote there:
//
//	files.tsv        id, corpus, file (relative to the corpus), after a header
//	thumbs-*.jsonl   thumbs --json output, one file per corpus; each src is
//	                 a staged link whose base name is the file's id
//	peers.tsv        id, vips_ok, magick_ok (0 or 1), vips_error, magick_error
//	psnr.tsv         bench/psnr -ref -each output: reference, thumbnail,
//	                 Y dB, RGB dB (or "error: ..."); a thumbnail under
//	                 DIR/vips/ is vipsthumbnail's, any other is thumbs'
//
// A file thumbs reads is good when its RGB PSNR against the reference is at
// least 30 dB or at most 3 dB below vipsthumbnail's.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Thresholds of a good thumbnail, in dB of RGB PSNR.
const (
	goodDB   = 30
	marginDB = 3
)

// File is everything measured about one file of a corpus.
type File struct {
	ID, Corpus, Name string
	ThumbsStatus     string // ok, failed, duplicate, or "none" when thumbs gave no result
	ThumbsError      string // thumbs' message without the file name
	VipsOK, MagickOK bool
	VipsError        string
	MagickError      string
	ThumbsDB         float64 // RGB PSNR; NaN when not measured
	VipsDB           float64
}

// ThumbsRead reports whether thumbs made a thumbnail of f.
func (f *File) ThumbsRead() bool { return f.ThumbsStatus == "ok" }

// PeersRead reports whether both vipsthumbnail and ImageMagick read f.
func (f *File) PeersRead() bool { return f.VipsOK && f.MagickOK }

// Good reports whether thumbs' thumbnail of f is close enough to the
// reference: at least goodDB, or no more than marginDB below vips'.
func (f *File) Good() bool {
	if !f.ThumbsRead() || math.IsNaN(f.ThumbsDB) {
		return false
	}
	return f.ThumbsDB >= goodDB || (!math.IsNaN(f.VipsDB) && f.ThumbsDB >= f.VipsDB-marginDB)
}

// Ext is f's extension in lower case, without the dot.
func (f *File) Ext() string {
	e := strings.ToLower(strings.TrimPrefix(filepath.Ext(f.Name), "."))
	if e == "jpeg" {
		return "jpg"
	}
	if e == "tiff" {
		return "tif"
	}
	return e
}

func main() {
	work := flag.String("work", "", "work directory of conformance.sh")
	mdPath := flag.String("md", "", "write the Markdown report here")
	tsvPath := flag.String("tsv", "", "write one row per file here")
	size := flag.Int("size", 128, "box size the thumbnails were made for (for the report)")
	commit := flag.String("commit", "", "thumbs commit measured (for the report)")
	flag.Parse()
	if *work == "" || *mdPath == "" || *tsvPath == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	files, err := load(*work)
	if err != nil {
		fatalf("%v", err)
	}
	if err := writeFile(*tsvPath, func(w io.Writer) error { return writeTSV(w, files) }); err != nil {
		fatalf("%v", err)
	}
	err = writeFile(*mdPath, func(w io.Writer) error {
		return writeReport(w, files, *size, *commit, time.Now().UTC())
	})
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "conformance: "+format+"\n", a...)
	os.Exit(1)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// load reads the work files of dir into one File per line of files.tsv,
// in that order.
func load(dir string) ([]*File, error) {
	var files []*File
	byID := map[string]*File{}
	err := readTSV(filepath.Join(dir, "files.tsv"), 3, func(c []string) error {
		f := &File{ID: c[0], Corpus: c[1], Name: c[2], ThumbsStatus: "none",
			ThumbsDB: math.NaN(), VipsDB: math.NaN()}
		files = append(files, f)
		byID[f.ID] = f
		return nil
	})
	if err != nil {
		return nil, err
	}

	jsonls, err := filepath.Glob(filepath.Join(dir, "thumbs-*.jsonl"))
	if err != nil {
		return nil, err
	}
	for _, p := range jsonls {
		if err := readThumbs(p, byID); err != nil {
			return nil, err
		}
	}

	err = readTSV(filepath.Join(dir, "peers.tsv"), 5, func(c []string) error {
		f := byID[c[0]]
		if f == nil {
			return fmt.Errorf("unknown id %q", c[0])
		}
		f.VipsOK, f.MagickOK = c[1] == "1", c[2] == "1"
		f.VipsError, f.MagickError = c[3], c[4]
		return nil
	})
	if err != nil {
		return nil, err
	}

	vipsDir := filepath.Join(dir, "vips") + string(filepath.Separator)
	err = readTSV(filepath.Join(dir, "psnr.tsv"), 3, func(c []string) error {
		out := c[1]
		id := strings.TrimSuffix(filepath.Base(out), filepath.Ext(out))
		f := byID[id]
		if f == nil {
			return fmt.Errorf("thumbnail %s: unknown id %q", out, id)
		}
		db := math.NaN()
		if len(c) >= 4 && !strings.HasPrefix(c[2], "error:") {
			v, err := strconv.ParseFloat(c[3], 64)
			if err != nil {
				return fmt.Errorf("thumbnail %s: RGB PSNR %q: %w", out, c[3], err)
			}
			db = v
		}
		if strings.HasPrefix(out, vipsDir) {
			f.VipsDB = db
		} else {
			f.ThumbsDB = db
		}
		return nil
	})
	return files, err
}

// readTSV calls row with the fields of each line of the file at path after
// the first (a header), at least minFields of them; a file with no header
// line (an empty psnr.tsv) has no rows.
func readTSV(path string, minFields int, row func([]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	header := filepath.Base(path) != "psnr.tsv" // psnr -each prints no header
	for line := 1; sc.Scan(); line++ {
		if header && line == 1 || sc.Text() == "" {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) < minFields {
			return fmt.Errorf("%s:%d: %d fields, want at least %d", path, line, len(c), minFields)
		}
		if err := row(c); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// thumbsRow is the part of a thumbs --json line the report needs.
type thumbsRow struct {
	Src    string `json:"src"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

func readThumbs(path string, byID map[string]*File) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, `{"src"`) {
			continue // the summary, or a line cut short by a timeout
		}
		var r thumbsRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		id := strings.TrimSuffix(filepath.Base(r.Src), filepath.Ext(r.Src))
		f := byID[id]
		if f == nil {
			return fmt.Errorf("%s:%d: unknown id %q", path, i+1, id)
		}
		f.ThumbsStatus = r.Status
		f.ThumbsError = strings.TrimPrefix(r.Error, r.Src+": ")
	}
	return nil
}

func writeTSV(w io.Writer, files []*File) error {
	fmt.Fprintf(w, "corpus\tfile\tthumbs_status\tthumbs_error\tvips_ok\tmagick_ok\tthumbs_psnr_rgb\tvips_psnr_rgb\tgood\tvips_error\tmagick_error\n")
	for _, f := range files {
		_, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%d\t%s\t%s\n", f.Corpus, f.Name,
			f.ThumbsStatus, clean(f.ThumbsError), b2i(f.VipsOK), b2i(f.MagickOK),
			db(f.ThumbsDB), db(f.VipsDB), b2i(f.Good()), clean(f.VipsError), clean(f.MagickError))
		if err != nil {
			return err
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func db(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// clean puts s on one line without tabs.
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Tally counts one corpus, or all of them.
type Tally struct {
	Tried, ThumbsRead, PeersRead, FailedWherePeersRead, Good, ThumbsOnly int
}

func (t *Tally) add(f *File) {
	t.Tried++
	if f.ThumbsRead() {
		t.ThumbsRead++
	}
	if f.PeersRead() {
		t.PeersRead++
		if !f.ThumbsRead() {
			t.FailedWherePeersRead++
		}
		if f.Good() {
			t.Good++
		}
	}
	if f.ThumbsRead() && !f.PeersRead() {
		t.ThumbsOnly++
	}
}

func percent(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

var (
	digits = regexp.MustCompile(`[0-9]+`)
	hexes  = regexp.MustCompile(`\b0x[0-9a-fA-F]+\b`)
)

// errorClass is msg with its numbers replaced by N, so that messages that
// differ only in a size or an offset are counted together.
func errorClass(msg string) string {
	if msg == "" {
		return "(no message)"
	}
	return digits.ReplaceAllString(hexes.ReplaceAllString(clean(msg), "N"), "N")
}

func writeReport(w io.Writer, files []*File, size int, commit string, now time.Time) error {
	var corpora []string
	tallies := map[string]*Tally{}
	var total Tally
	for _, f := range files {
		t := tallies[f.Corpus]
		if t == nil {
			t = &Tally{}
			tallies[f.Corpus] = t
			corpora = append(corpora, f.Corpus)
		}
		t.add(f)
		total.add(f)
	}

	fmt.Fprintf(w, "# thumbs conformance\n\n")
	fmt.Fprintf(w, "%s", now.Format("2006-01-02 15:04 UTC"))
	if commit != "" {
		fmt.Fprintf(w, ", thumbs %s", commit)
	}
	fmt.Fprintf(w, "; thumbnails in a %d px box, PNG. *Both peers read*: vipsthumbnail and ImageMagick each made an image. "+
		"*Good*: thumbs' RGB PSNR against ImageMagick's Lanczos reference (flattened onto white) is ≥ %d dB or within %d dB of vipsthumbnail's.\n\n",
		size, goodDB, marginDB)
	fmt.Fprintf(w, "| corpus | tried | read by thumbs | read by both peers | **thumbs failed where both peers read** | **good, of both peers read** | thumbs read, a peer did not |\n")
	fmt.Fprintf(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	row := func(name string, t *Tally) {
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d (%s) | %d |\n", name, t.Tried, t.ThumbsRead, t.PeersRead,
			t.FailedWherePeersRead, t.Good, percent(t.Good, t.PeersRead), t.ThumbsOnly)
	}
	for _, c := range corpora {
		row(c, tallies[c])
	}
	row("**all**", &total)
	fmt.Fprintf(w, "\nOf the %d files both peers read, thumbs reads **%s** (target ≥ 98%%) and is good on **%s** (target ≥ 95%%).\n",
		total.PeersRead, percent(total.PeersRead-total.FailedWherePeersRead, total.PeersRead), percent(total.Good, total.PeersRead))

	writeErrorClasses(w, files)
	writeByType(w, files)
	writeWorst(w, files, corpora)
	return nil
}

// writeErrorClasses lists thumbs' failures grouped by message.
func writeErrorClasses(w io.Writer, files []*File) {
	type class struct {
		peers, all int
		example    string
		exts       map[string]int
	}
	classes := map[string]*class{}
	for _, f := range files {
		if f.ThumbsRead() {
			continue
		}
		msg := f.ThumbsError
		if f.ThumbsStatus == "none" {
			msg = "no result (thumbs timed out or crashed)"
		}
		k := errorClass(msg)
		c := classes[k]
		if c == nil {
			c = &class{example: f.Corpus + "/" + f.Name, exts: map[string]int{}}
			classes[k] = c
		}
		c.all++
		c.exts[f.Ext()]++
		if f.PeersRead() {
			c.peers++
		}
	}
	keys := make([]string, 0, len(classes))
	for k := range classes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := classes[keys[i]], classes[keys[j]]
		if a.peers != b.peers {
			return a.peers > b.peers
		}
		if a.all != b.all {
			return a.all > b.all
		}
		return keys[i] < keys[j]
	})
	fmt.Fprintf(w, "\n## thumbs' failures by message\n\nNumbers in messages are replaced by N.\n\n")
	fmt.Fprintf(w, "| where both peers read | all | message | types | example |\n| ---: | ---: | --- | --- | --- |\n")
	for _, k := range keys {
		c := classes[k]
		fmt.Fprintf(w, "| %d | %d | %s | %s | %s |\n", c.peers, c.all, mdCell(k), countList(c.exts), mdCell(c.example))
	}
}

// writeByType counts per file extension.
func writeByType(w io.Writer, files []*File) {
	tallies := map[string]*Tally{}
	for _, f := range files {
		t := tallies[f.Ext()]
		if t == nil {
			t = &Tally{}
			tallies[f.Ext()] = t
		}
		t.add(f)
	}
	exts := make([]string, 0, len(tallies))
	for e := range tallies {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	fmt.Fprintf(w, "\n## By file type\n\n| type | tried | read by thumbs | read by both peers | thumbs failed where both peers read | good, of both peers read |\n| --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, e := range exts {
		t := tallies[e]
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d (%s) |\n", e, t.Tried, t.ThumbsRead, t.PeersRead,
			t.FailedWherePeersRead, t.Good, percent(t.Good, t.PeersRead))
	}
}

// worstPerCorpus is how many files writeWorst names per corpus.
const worstPerCorpus = 8

// writeWorst names, per corpus, the files both peers read where thumbs
// fails or falls short: failures first, then the largest PSNR shortfall.
func writeWorst(w io.Writer, files []*File, corpora []string) {
	fmt.Fprintf(w, "\n## Worst files\n\nPer corpus, files both peers read where thumbs failed or is not good; failures first, then by thumbs' dB below vipsthumbnail's.\n")
	for _, c := range corpora {
		var bad []*File
		for _, f := range files {
			if f.Corpus == c && f.PeersRead() && !f.Good() {
				bad = append(bad, f)
			}
		}
		if len(bad) == 0 {
			continue
		}
		sort.SliceStable(bad, func(i, j int) bool {
			a, b := bad[i], bad[j]
			if a.ThumbsRead() != b.ThumbsRead() {
				return !a.ThumbsRead()
			}
			return shortfall(a) > shortfall(b)
		})
		fmt.Fprintf(w, "\n### %s (%d)\n\n| file | thumbs | thumbs dB | vips dB |\n| --- | --- | ---: | ---: |\n", c, len(bad))
		for i, f := range bad {
			if i == worstPerCorpus {
				fmt.Fprintf(w, "| … %d more in the TSV | | | |\n", len(bad)-i)
				break
			}
			status := f.ThumbsStatus
			if f.ThumbsError != "" {
				status += ": " + f.ThumbsError
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdCell(f.Name), mdCell(truncate(status, 120)), db(f.ThumbsDB), db(f.VipsDB))
		}
	}
}

// shortfall is how many dB thumbs is below vips on f (below goodDB when
// vips was not measured); unmeasured thumbs counts as the worst.
func shortfall(f *File) float64 {
	if math.IsNaN(f.ThumbsDB) {
		return math.Inf(1)
	}
	if math.IsNaN(f.VipsDB) {
		return goodDB - f.ThumbsDB
	}
	return f.VipsDB - f.ThumbsDB
}

func countList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// mdCell makes s safe inside a Markdown table cell.
func mdCell(s string) string {
	return strings.ReplaceAll(clean(s), "|", `\|`)
}
