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

// CheckTemplate reports whether t is a usable output name template for
// the given number of sizes: it must name the file with {name}, may use
// only the known fields, and with several sizes must tell them apart with
// {size}.
func CheckTemplate(t string, sizes int) error {
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
	if sizes > 1 && !strings.Contains(t, "{size}") {
		return fmt.Errorf("invalid name template %q: with %d sizes it must contain {size}, or the sizes would overwrite each other", t, sizes)
	}
	return nil
}

// outputStem returns what template t makes of the source named rel with
// the fields that do not depend on the source ({size}, {w}, {h}) left as
// they are and the extension left out. Two sources whose stems are equal
// could make outputs of the same name.
func outputStem(t, rel string) string {
	dir, base := path.Split(rel)
	return expand(t, func(field string) (string, bool) {
		switch field {
		case "{dir}":
			return strings.TrimSuffix(dir, "/"), true
		case "{name}":
			return strings.TrimSuffix(base, path.Ext(base)), true
		case "{ext}":
			return "", true
		}
		return "", false
	})
}

// outputName expands template t for the source named rel (slash-separated,
// relative to the output directory) and returns the output's path relative
// to the output directory. The result never leaves the output directory.
func outputName(t, rel, size string, w, h int, ext string) (string, error) {
	dir, base := path.Split(rel)
	out := expand(t, func(field string) (string, bool) {
		switch field {
		case "{dir}":
			return strings.TrimSuffix(dir, "/"), true
		case "{name}":
			return strings.TrimSuffix(base, path.Ext(base)), true
		case "{size}":
			return size, true
		case "{w}":
			return strconv.Itoa(w), true
		case "{h}":
			return strconv.Itoa(h), true
		case "{ext}":
			return ext, true
		}
		return "", false
	})
	out = path.Clean("/" + out)[1:]
	if out == "" || strings.HasSuffix(out, "/") {
		return "", errors.New("output name template gives an empty file name")
	}
	return out, nil
}

// expand returns t with each field (as in "{name}") replaced by what value
// gives for it; fields value does not know stay as they are. It is called
// twice per source, so it makes one pass and no replacer.
func expand(t string, value func(field string) (string, bool)) string {
	var b strings.Builder
	b.Grow(len(t) + 64)
	for {
		i := strings.IndexByte(t, '{')
		j := strings.IndexByte(t[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(t)
			return b.String()
		}
		field := t[i : i+j+1]
		b.WriteString(t[:i])
		if v, ok := value(field); ok {
			b.WriteString(v)
		} else {
			b.WriteString(field)
		}
		t = t[i+j+1:]
	}
}
