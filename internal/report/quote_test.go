package report

import (
	"errors"
	"testing"
)

func TestQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"photos/a.jpg", "photos/a.jpg"},
		{"with space.jpg", "with space.jpg"},
		{"é/日本.jpg", "é/日本.jpg"},
		{`back\slash.jpg`, `back\slash.jpg`},
		{"a\nb.jpg", `"a\nb.jpg"`},
		{"\x1b[31mred.jpg", `"\x1b[31mred.jpg"`},
		{"tab\t.jpg", `"tab\t.jpg"`},
		{"del\x7f.jpg", `"del\x7f.jpg"`},
		{"c1\u009b.jpg", `"c1\u009b.jpg"`},
		{"bidi\u202egpj.exe", `"bidi\u202egpj.exe"`},
		{"bad\xff.jpg", `"bad\xff.jpg"`},
		{`"quoted".jpg`, `"\"quoted\".jpg"`},
		{"", ""},
	} {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEscape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain line: é", "plain line: é"},
		{"a\nb", `a\nb`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"\u202e", `\u202e`},
		{`keep \ and "`, `keep \ and "`},
	} {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestFailure(t *testing.T) {
	for _, tt := range []struct {
		src, msg, want string
	}{
		{"a.jpg", "a.jpg: unknown image format", "a.jpg: unknown image format"},
		{"a\nb.jpg", "a\nb.jpg: unknown image format", `"a\nb.jpg": unknown image format`},
		{"x\x1b[31m.jpg", "x\x1b[31m.jpg: its thumbnails would take the names of those of y\x1b[0m.jpg", `"x\x1b[31m.jpg": its thumbnails would take the names of those of y\x1b[0m.jpg`},
		{"a\nb.jpg", "read list: line\nbroken", `read list: line\nbroken`},
	} {
		if got := failure(tt.src, errors.New(tt.msg)); got != tt.want {
			t.Errorf("failure(%q, %q) = %s, want %s", tt.src, tt.msg, got, tt.want)
		}
	}
}
