package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	for page, want := range map[string][]string{
		"thumbs.1":         {`.TH "THUMBS" "1"`, `\fB--size\fP=256`, `\fB--stdout\fP`, "thumbs makes thumbnails of many images at once"},
		"thumbs-resize.1":  {`\fB--fit\fP=contain`, `\fB--progress\fP=auto`},
		"thumbs-check.1":   {"never created or written"},
		"thumbs-version.1": {"Print the versions"},
	} {
		data, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Errorf("no page %s: %v", page, err)
			continue
		}
		for _, w := range want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s lacks %q", page, w)
			}
		}
	}
}
