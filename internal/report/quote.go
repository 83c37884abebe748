package report

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Quote returns name as it is safe to show on a terminal: unchanged when
// every character of it is printable, otherwise in double quotes with Go's
// escapes (strconv.Quote): "a\nb.jpg", "\x1b[31m.jpg", "bad\xff.jpg". A name
// that itself starts with a double quote is quoted too, so that it cannot
// pass for a quoted one.
func Quote(name string) string {
	if printable(name) && !strings.HasPrefix(name, `"`) {
		return name
	}
	return strconv.Quote(name)
}

// Escape returns s with each character that is not printable, and each
// byte that is not UTF-8, replaced by its Go escape (\n, \x1b, \u202e,
// \xff), so that s shows as one line and cannot control a terminal. A
// backslash is left as it is.
func Escape(s string) string {
	if printable(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !strconv.IsPrint(r) {
			q := strconv.Quote(s[i : i+size])
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// printable reports whether s is valid UTF-8 of printable characters only
// (letters, marks, numbers, punctuation, symbols and the ASCII space): no
// control characters (C0, DEL, C1), no format characters such as the
// bidirectional overrides.
func printable(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// failure returns the message of a failure of src, err, fit to show on a
// terminal: src quoted as Quote does when the message starts with it, and
// the rest escaped.
func failure(src string, err error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, src+": "); ok && src != "" {
		return Quote(src) + ": " + Escape(rest)
	}
	return Escape(msg)
}
