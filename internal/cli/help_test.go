package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// execute runs a command line with the real run functions and returns
// its exit status, stdout and stderr.
func execute(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpDefaults(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		want     []string // regular expressions each line of help must match somewhere
		wantNone []string
	}{
		{
			args: []string{"--help"},
			want: []string{
				`(?m)^  -s, --size SIZE .*\(default 256\)$`,
				`(?m)^  -j, --jobs N .*\(default 0: as many as the CPUs this process may use, container limits included\)$`,
				`(?m)^  -o, --out DIR +output DIR, created if missing \(default "thumbs"\)$`,
				`(?m)^  -f, --format FORMAT .*\(default auto\)$`,
				`(?m)^      --background COLOR .*\(default white\)$`,
				`(?m)^      --stdout `,
			},
			wantNone: []string{`\[256\]`, `\(default [0-9]+\)\n.*--keep`, `-j, --jobs N.*\(default [1-9]`},
		},
		{
			args: []string{"help", "resize"},
			want: []string{`(?m)^  -s, --size SIZE .*\(default 256\)$`, `(?m)^      --progress WHEN`},
		},
		{
			args:     []string{"check", "--help"},
			want:     []string{`(?m)^  -o, --out DIR +output DIR whose thumbnails are checked \(never created or written\)`},
			wantNone: []string{`created if missing`, `--progress`, `--stdout`, `--prune`},
		},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := execute(tt.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			for _, re := range tt.want {
				if !regexp.MustCompile(re).MatchString(stdout) {
					t.Errorf("help does not match %s:\n%s", re, stdout)
				}
			}
			for _, re := range tt.wantNone {
				if regexp.MustCompile(re).MatchString(stdout) {
					t.Errorf("help matches %s:\n%s", re, stdout)
				}
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	for _, tt := range []struct {
		args      []string
		want      []string // completions, each with its description if any
		directive string
	}{
		{[]string{"resize", "--fit", ""}, []string{"contain\tscale to fit inside the box", "cover\tfill the box, cropping the overflow"}, ":4"},
		{[]string{"--fit", ""}, []string{"contain\tscale to fit inside the box", "cover\tfill the box, cropping the overflow"}, ":4"},
		{[]string{"check", "--crop", ""}, []string{"center\tkeep the middle", "smart\tkeep the most detailed region"}, ":4"},
		{[]string{"-f", ""}, []string{"auto\tJPEG, or PNG for images with transparency", "jpeg", "png", "webp", "avif"}, ":4"},
		{[]string{"resize", "--progress", ""}, []string{"auto\twhen stderr is a terminal", "always", "never"}, ":4"},
		{[]string{"--background", "rebecca"}, []string{"rebeccapurple"}, ":4"},
		{[]string{"-o", ""}, nil, ":16"},
		// The short form completes file names as well as commands.
		{[]string{"res"}, []string{"resize\tMake thumbnails (the default command)"}, ":0"},
		{[]string{"resize", ""}, nil, ":0"},
		{[]string{"help", "ch"}, []string{"check\tList sources whose thumbnails are missing or stale; exit 1 if any"}, ":4"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, _ := execute(append([]string{"__complete"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			gotDirective := lines[len(lines)-1]
			got := lines[:len(lines)-1]
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") || gotDirective != tt.directive {
				t.Errorf("completions\n%s\nwant\n%s\n%s", stdout, strings.Join(tt.want, "\n"), tt.directive)
			}
		})
	}
}
