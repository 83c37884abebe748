package batch

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Default output name templates, for one size and for several.
const (
	NameOne  = "{dir}/{name}.{ext}"
	NameMany = "{dir}/{name}-{size}.{ext}"
)

var templateFields = []string{"{dir}", "{name}", "{size}", "{w}", "{h}", "{ext}"}

// CheckTemplate reports whether t is a usable output name template: it
// must name the file with {name} and may use only the known fields.
func CheckTemplate(t string) error {
	rest := t
	for _, f := range templateFields {
		rest = strings.ReplaceAll(rest, f, "")
	}
	if i := strings.IndexAny(rest, "{}"); i >= 0 {
		return fmt.Errorf("invalid name template %q: unknown field; use %s", t, strings.Join(templateFields, " "))
	}
	if !strings.Contains(t, "{name}") {
		return fmt.Errorf("invalid name template %q: it must contain {name}", t)
	}
	return nil
}

// outputName expands template t for the source named rel (slash-separated,
// relative to the output directory) and returns the output's path relative
// to the output directory. The result never leaves the output directory.
func outputName(t, rel, size string, w, h int, ext string) (string, error) {
	dir, base := path.Split(rel)
	name := strings.TrimSuffix(base, path.Ext(base))
	out := strings.NewReplacer(
		"{dir}", strings.TrimSuffix(dir, "/"),
		"{name}", name,
		"{size}", size,
		"{w}", strconv.Itoa(w),
		"{h}", strconv.Itoa(h),
		"{ext}", ext,
	).Replace(t)
	out = path.Clean("/" + out)[1:]
	if out == "" || strings.HasSuffix(out, "/") {
		return "", errors.New("output name template gives an empty file name")
	}
	return out, nil
}
