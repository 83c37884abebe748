package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGood(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name         string
		status       string
		thumbs, vips float64
		want         bool
	}{
		{"at 30 dB", "ok", 30, nan, true},
		{"under 30, vips not measured", "ok", 29.9, nan, false},
		{"3 dB under vips", "ok", 20, 23, true},
		{"more than 3 dB under vips", "ok", 20, 23.1, false},
		{"not measured", "ok", nan, 40, false},
		{"failed", "failed", nan, 40, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &File{ThumbsStatus: tt.status, ThumbsDB: tt.thumbs, VipsDB: tt.vips}
			if got := f.Good(); got != tt.want {
				t.Errorf("Good() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestErrorClass(t *testing.T) {
	tests := map[string]string{
		"100000x100000 is 10000000000 pixels, over the limit of 100000000 (--max-pixels)": "NxN is N pixels, over the limit of N (--max-pixels)",
		"gif: unknown block type: 0x0a":                       "gif: unknown block type: N",
		"png: unsupported feature: bit depth 8, color type 1": "png: unsupported feature: bit depth N, color type N",
		"": "(no message)",
	}
	for msg, want := range tests {
		if got := errorClass(msg); got != want {
			t.Errorf("errorClass(%q) = %q, want %q", msg, got, want)
		}
	}
}

// TestReport builds a work directory as conformance.sh leaves it and
// checks the counts of the report and the rows of the TSV.
func TestReport(t *testing.T) {
	dir := t.TempDir()
	stage := filepath.Join(dir, "stage", "c")
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("files.tsv", "id\tcorpus\tfile\n000001\tc\ta.png\n000002\tc\tsub/b.gif\n000003\tc\tc.bmp\n000004\tc\td.png\n")
	write("thumbs-c.jsonl", strings.Join([]string{
		`{"src":"` + stage + `/000001.png","status":"ok","outputs":[]}`,
		`{"src":"` + stage + `/000002.gif","status":"ok","outputs":[]}`,
		`{"src":"` + stage + `/000003.bmp","status":"failed","outputs":[],"error":"` + stage + `/000003.bmp: bmp: unsupported BMP image"}`,
		`{"summary":{"ok":2,"failed":1}}`,
	}, "\n")+"\n")
	write("peers.tsv", "id\tvips_ok\tmagick_ok\tvips_error\tmagick_error\n000001\t1\t1\t\t\n000002\t1\t1\t\t\n000003\t1\t1\t\t\n000004\t0\t0\tboom\tbang\n")
	ref, vips, thumbs := filepath.Join(dir, "ref"), filepath.Join(dir, "vips"), filepath.Join(dir, "thumbs", "c")
	write("psnr.tsv", strings.Join([]string{
		ref + "/000001.png\t" + thumbs + "/000001.png\t40.00\t35.00",
		ref + "/000001.png\t" + vips + "/000001.png\t40.00\t36.00",
		ref + "/000002.png\t" + thumbs + "/000002.png\t20.00\t18.00",
		ref + "/000002.png\t" + vips + "/000002.png\t40.00\t45.00",
		ref + "/000003.png\t" + vips + "/000003.png\terror: no such file",
	}, "\n")+"\n")

	files, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var md, tsv bytes.Buffer
	if err := writeReport(&md, files, 128, "abc123", time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := writeTSV(&tsv, files); err != nil {
		t.Fatal(err)
	}
	// 4 tried, 2 read by thumbs, 3 read by both peers, 1 failed where both
	// read, 1 good (a.png: 35 dB; b.gif is 27 dB under vips).
	for _, want := range []string{
		"| c | 4 | 2 | 3 | 1 | 1 (33.3%) | 0 |",
		"thumbs reads **66.7%**",
		"| 1 | 1 | bmp: unsupported BMP image | bmp 1 | c/c.bmp |",
		"| sub/b.gif | ok | 18.00 | 45.00 |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, md.String())
		}
	}
	rows := strings.Split(strings.TrimSpace(tsv.String()), "\n")
	if len(rows) != 5 {
		t.Fatalf("%d TSV lines, want a header and 4 rows", len(rows))
	}
	if want := "c\tc.bmp\tfailed\tbmp: unsupported BMP image\t1\t1\t\t\t0\t\t"; rows[3] != want {
		t.Errorf("row 3 = %q, want %q", rows[3], want)
	}
	if want := "c\td.png\tnone\t\t0\t0\t\t\t0\tboom\tbang"; rows[4] != want {
		t.Errorf("row 4 = %q, want %q", rows[4], want)
	}
}
