package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

// action is the part of action.yml that the tests read.
type action struct {
	Inputs map[string]struct {
		Default *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Uses  string            `yaml:"uses"`
			Run   string            `yaml:"run"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// TestActionMetadata checks what actionlint does not, since it lints
// workflows, not action metadata: every input and step output that
// action.yml refers to exists, every input is used, scripts take inputs
// through the environment (an input spliced into a script could run as
// code), and each action used is pinned to a major version.
func TestActionMetadata(t *testing.T) {
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	for _, m := range regexp.MustCompile(`inputs\.([A-Za-z0-9_-]+)`).FindAllStringSubmatch(string(data), -1) {
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("action.yml refers to inputs.%s, which it does not declare", m[1])
		}
	}
	for name := range a.Inputs {
		if !strings.Contains(string(data), "inputs."+name+" ") && !strings.Contains(string(data), "inputs."+name+"\n") {
			t.Errorf("input %s is declared but never used", name)
		}
	}
	ids := map[string]bool{}
	for _, s := range a.Runs.Steps {
		if s.ID != "" {
			ids[s.ID] = true
		}
	}
	for _, m := range regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs`).FindAllStringSubmatch(string(data), -1) {
		if !ids[m[1]] {
			t.Errorf("action.yml refers to steps.%s, and no step has that id", m[1])
		}
	}
	pinned := regexp.MustCompile(`^[\w.-]+/[\w./-]+@v\d+$`)
	for i, s := range a.Runs.Steps {
		switch {
		case s.Uses != "" && !pinned.MatchString(s.Uses):
			t.Errorf("step %d uses %q, not pinned to a major version", i+1, s.Uses)
		case s.Run != "" && strings.Contains(s.Run, "${{"):
			t.Errorf("step %d splices an expression into its script; pass it through env", i+1)
		case s.Run != "" && s.Shell != "bash":
			t.Errorf("step %d runs with shell %q, want bash", i+1, s.Shell)
		}
		for _, script := range regexp.MustCompile(`action/[\w.-]+\.sh`).FindAllString(s.Run, -1) {
			if _, err := os.Stat("../../" + script); err != nil {
				t.Errorf("step %d runs %s: %v", i+1, script, err)
			}
		}
	}
	for name, o := range a.Outputs {
		if !strings.Contains(o.Value, "steps.") {
			t.Errorf("output %s has no step output for its value: %q", name, o.Value)
		}
	}
}

// release is a fake GitHub releases page of thumbs, serving assets of one
// version.
type release struct {
	version   string            // v1.2.3; empty: no release at all
	assets    map[string][]byte // by file name
	requested []string          // paths asked for, in order
	mu        sync.Mutex
}

func (r *release) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requested = append(r.requested, req.URL.Path)
	r.mu.Unlock()
	switch {
	case req.URL.Path == "/releases/latest" && r.version == "":
		http.Redirect(w, req, "/releases", http.StatusFound)
	case req.URL.Path == "/releases/latest":
		http.Redirect(w, req, "/releases/tag/"+r.version, http.StatusFound)
	case req.URL.Path == "/releases" || req.URL.Path == "/releases/tag/"+r.version:
		fmt.Fprintln(w, "<html></html>")
	default:
		name, ok := strings.CutPrefix(req.URL.Path, "/releases/download/"+r.version+"/")
		data, found := r.assets[name]
		if r.version == "" || !ok || !found {
			http.NotFound(w, req)
			return
		}
		w.Write(data)
	}
}

// fakeThumbs returns a shell script that prints a thumbs version line.
func fakeThumbs(version string) string {
	return "#!/bin/sh\necho 'thumbs " + version + " (go1.26.8 linux/amd64)'\n"
}

// tarGz returns a gzipped tar holding the files, executable.
func tarGz(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range slices.Sorted(mapsKeys(files)) {
		body := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// checksums returns a sha256sum listing of the assets.
func checksums(assets map[string][]byte) []byte {
	var b bytes.Buffer
	for name, data := range assets {
		fmt.Fprintf(&b, "%x  %s\n", sha256.Sum256(data), name)
	}
	return b.Bytes()
}

// goodRelease returns release v1.2.3 with linux/amd64 and darwin/arm64
// archives and its checksums file.
func goodRelease(t *testing.T) *release {
	assets := map[string][]byte{
		"thumbs_1.2.3_linux_amd64.tar.gz":  tarGz(t, map[string]string{"thumbs": fakeThumbs("v1.2.3"), "README.md": "thumbs\n"}),
		"thumbs_1.2.3_darwin_arm64.tar.gz": tarGz(t, map[string]string{"thumbs": fakeThumbs("v1.2.3"), "README.md": "thumbs\n"}),
	}
	assets["thumbs_1.2.3_checksums.txt"] = checksums(assets)
	return &release{version: "v1.2.3", assets: assets}
}

// fakeGo writes into dir a go command that records its arguments in
// dir/go.args and, for "go install", puts a thumbs reporting the version
// after the @ into GOBIN.
func fakeGo(t *testing.T, dir string) {
	script := `#!/bin/sh
printf '%s\n' "$@" > "$(dirname "$0")/go.args"
for last; do :; done
printf '#!/bin/sh\necho "thumbs %s (go1.26.8 linux/amd64)"\n' "${last##*@}" > "$GOBIN/thumbs"
chmod +x "$GOBIN/thumbs"
`
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestInstallScript(t *testing.T) {
	tampered := goodRelease(t)
	tampered.assets["thumbs_1.2.3_linux_amd64.tar.gz"] = tarGz(t, map[string]string{"thumbs": fakeThumbs("v6.6.6")})
	unlisted := goodRelease(t)
	unlisted.assets["thumbs_1.2.3_checksums.txt"] = checksums(map[string][]byte{"thumbs_1.2.3_darwin_arm64.tar.gz": unlisted.assets["thumbs_1.2.3_darwin_arm64.tar.gz"]})

	tests := []struct {
		name              string
		release           *release
		version, ref      string
		actionPath        string
		os, arch          string
		wantVersion       string // in GITHUB_OUTPUT; empty: the script fails
		wantOutput        string // in the script's output
		wantGo            string // go's arguments, one a line; empty: go is not run
		wantArchive       string // fetched; empty: none
		wantNoneRequested bool
	}{
		{name: "release binary", release: goodRelease(t), version: "v1.2.3", os: "Linux", arch: "X64",
			wantVersion: "v1.2.3", wantOutput: "thumbs_1.2.3_linux_amd64.tar.gz: OK", wantArchive: "thumbs_1.2.3_linux_amd64.tar.gz"},
		{name: "darwin arm64", release: goodRelease(t), version: "v1.2.3", os: "macOS", arch: "ARM64",
			wantVersion: "v1.2.3", wantArchive: "thumbs_1.2.3_darwin_arm64.tar.gz"},
		{name: "the action's tag", release: goodRelease(t), ref: "v1.2.3", os: "Linux", arch: "X64",
			wantVersion: "v1.2.3", wantArchive: "thumbs_1.2.3_linux_amd64.tar.gz"},
		{name: "the action's directory names its tag", release: goodRelease(t), actionPath: "/home/runner/work/_actions/thumbs-dev/thumbs/v1.2.3", os: "Linux", arch: "X64",
			wantVersion: "v1.2.3", wantArchive: "thumbs_1.2.3_linux_amd64.tar.gz"},
		{name: "a Windows action directory", release: goodRelease(t), actionPath: `D:\a\_actions\thumbs-dev\thumbs\main`, os: "Linux", arch: "X64", wantNoneRequested: true,
			wantVersion: "main", wantGo: "install\n-tags\nnodynamic\n-trimpath\ngithub.com/thumbs-dev/thumbs/cmd/thumbs@main\n"},
		{name: "a local action: latest", release: goodRelease(t), actionPath: "/home/runner/work/photos/photos", os: "Linux", arch: "X64",
			wantVersion: "v1.2.3", wantArchive: "thumbs_1.2.3_linux_amd64.tar.gz"},
		{name: "input wins over the action's ref", release: goodRelease(t), version: "v1.2.3", ref: "main", os: "Linux", arch: "X64",
			wantVersion: "v1.2.3", wantArchive: "thumbs_1.2.3_linux_amd64.tar.gz"},
		{name: "latest release", release: goodRelease(t), version: "latest", os: "Linux", arch: "X64",
			wantVersion: "v1.2.3", wantArchive: "thumbs_1.2.3_linux_amd64.tar.gz"},
		{name: "no version, no ref: latest", release: goodRelease(t), os: "Linux", arch: "X64",
			wantVersion: "v1.2.3", wantArchive: "thumbs_1.2.3_linux_amd64.tar.gz"},
		{name: "tampered archive", release: tampered, version: "v1.2.3", os: "Linux", arch: "X64",
			wantOutput: "FAILED"},
		{name: "archive missing from the checksums", release: unlisted, version: "v1.2.3", os: "Linux", arch: "X64",
			wantOutput: "has no checksum for thumbs_1.2.3_linux_amd64.tar.gz"},
		{name: "no asset for the platform", release: goodRelease(t), version: "v1.2.3", os: "Linux", arch: "ARM64",
			wantVersion: "v1.2.3", wantOutput: "building thumbs with go install",
			wantGo: "install\n-tags\nnodynamic\n-trimpath\ngithub.com/thumbs-dev/thumbs/cmd/thumbs@v1.2.3\n"},
		{name: "no such release", release: goodRelease(t), version: "v1.2.4", os: "Linux", arch: "X64",
			wantVersion: "v1.2.4", wantGo: "install\n-tags\nnodynamic\n-trimpath\ngithub.com/thumbs-dev/thumbs/cmd/thumbs@v1.2.4\n"},
		{name: "no release yet", release: &release{}, os: "Linux", arch: "X64",
			wantVersion: "latest", wantGo: "install\n-tags\nnodynamic\n-trimpath\ngithub.com/thumbs-dev/thumbs/cmd/thumbs@latest\n"},
		{name: "branch ref", release: goodRelease(t), ref: "main", os: "Linux", arch: "X64", wantNoneRequested: true,
			wantVersion: "main", wantGo: "install\n-tags\nnodynamic\n-trimpath\ngithub.com/thumbs-dev/thumbs/cmd/thumbs@main\n"},
		{name: "unknown architecture", release: goodRelease(t), version: "v1.2.3", os: "Linux", arch: "X86", wantNoneRequested: true,
			wantVersion: "v1.2.3", wantGo: "install\n-tags\nnodynamic\n-trimpath\ngithub.com/thumbs-dev/thumbs/cmd/thumbs@v1.2.3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.release)
			defer srv.Close()
			tmp := t.TempDir()
			fakeBin := filepath.Join(tmp, "fakebin")
			runnerTemp := filepath.Join(tmp, "runner")
			for _, d := range []string{fakeBin, runnerTemp} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			fakeGo(t, fakeBin)
			githubPath, githubOutput := filepath.Join(tmp, "path"), filepath.Join(tmp, "output")
			cmd := exec.Command("bash", "../../action/install.sh")
			cmd.Env = append(os.Environ(),
				"PATH="+fakeBin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"THUMBS_RELEASES_URL="+srv.URL+"/releases",
				"THUMBS_VERSION="+tt.version, "THUMBS_ACTION_REF="+tt.ref, "GITHUB_ACTION_PATH="+tt.actionPath,
				"RUNNER_OS="+tt.os, "RUNNER_ARCH="+tt.arch, "RUNNER_TEMP="+runnerTemp,
				"GITHUB_PATH="+githubPath, "GITHUB_OUTPUT="+githubOutput)
			out, err := cmd.CombinedOutput()
			if tt.wantVersion == "" {
				if err == nil {
					t.Fatalf("install.sh succeeded, want a failure\n%s", out)
				}
				if _, err := os.Stat(filepath.Join(runnerTemp, "thumbs-bin", "thumbs")); err == nil {
					t.Errorf("install.sh failed but left a thumbs binary")
				}
			} else {
				if err != nil {
					t.Fatalf("install.sh: %v\n%s", err, out)
				}
				if got := readFile(t, githubOutput); got != "version="+tt.wantVersion+"\n" {
					t.Errorf("GITHUB_OUTPUT = %q, want version=%s", got, tt.wantVersion)
				}
				if got, want := readFile(t, githubPath), filepath.Join(runnerTemp, "thumbs-bin")+"\n"; got != want {
					t.Errorf("GITHUB_PATH = %q, want %q", got, want)
				}
			}
			if !strings.Contains(string(out), tt.wantOutput) {
				t.Errorf("output lacks %q:\n%s", tt.wantOutput, out)
			}
			goArgs, _ := os.ReadFile(filepath.Join(fakeBin, "go.args"))
			if string(goArgs) != tt.wantGo {
				t.Errorf("go ran with\n%s\nwant\n%s", goArgs, tt.wantGo)
			}
			tt.release.mu.Lock()
			requested := tt.release.requested
			tt.release.mu.Unlock()
			if tt.wantArchive != "" && !slices.Contains(requested, "/releases/download/v1.2.3/"+tt.wantArchive) {
				t.Errorf("%s was not fetched; requests: %q", tt.wantArchive, requested)
			}
			if tt.wantNoneRequested && len(requested) > 0 {
				t.Errorf("the releases were asked for %q, want nothing", requested)
			}
		})
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestRunScript runs action/run.sh with a thumbs that lists its arguments,
// one a line, and checks the command line that the inputs make.
func TestRunScript(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		wantArgs []string // nil: run.sh fails with status 2 without running thumbs
	}{
		{"paths only", map[string]string{"THUMBS_PATHS": "photos"},
			[]string{"resize", "--", "photos"}},
		{"every input", map[string]string{
			"THUMBS_PATHS": "photos\nmore photos\n", "THUMBS_OUT": "site/img", "THUMBS_SIZES": "320,640",
			"THUMBS_FORMAT": "webp", "THUMBS_QUALITY": "80", "THUMBS_SHARD": "2/4", "THUMBS_ARGS": "--prune  --json\n--fit cover",
		}, []string{"resize", "-o", "site/img", "-s", "320,640", "-f", "webp", "-q", "80", "--shard", "2/4",
			"--prune", "--json", "--fit", "cover", "--", "photos", "more photos"}},
		{"check", map[string]string{"THUMBS_PATHS": "photos", "THUMBS_CHECK": "true", "THUMBS_OUT": "thumbs"},
			[]string{"check", "-o", "thumbs", "--", "photos"}},
		{"check is only true", map[string]string{"THUMBS_PATHS": "photos", "THUMBS_CHECK": "false"},
			[]string{"resize", "--", "photos"}},
		{"inputs are never code", map[string]string{
			"THUMBS_PATHS": "$(touch pwned)\n-rf\nCR\r\n", "THUMBS_ARGS": "--name {dir}/{name}.{ext} * `touch pwned`", "THUMBS_OUT": "x; touch pwned",
		}, []string{"resize", "-o", "x; touch pwned", "--name", "{dir}/{name}.{ext}", "*", "`touch", "pwned`", "--", "$(touch pwned)", "-rf", "CR"}},
		{"no paths", map[string]string{"THUMBS_PATHS": "\n\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			argsFile := filepath.Join(tmp, "args")
			thumbs := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + argsFile + "\n"
			if err := os.WriteFile(filepath.Join(tmp, "thumbs"), []byte(thumbs), 0o755); err != nil {
				t.Fatal(err)
			}
			script, err := filepath.Abs("../../action/run.sh")
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", script)
			cmd.Dir = tmp
			cmd.Env = append(os.Environ(), "PATH="+tmp+string(os.PathListSeparator)+os.Getenv("PATH"))
			for k, v := range tt.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			if _, statErr := os.Stat(filepath.Join(tmp, "pwned")); statErr == nil {
				t.Errorf("an input ran as a command")
			}
			if tt.wantArgs == nil {
				if cmd.ProcessState.ExitCode() != 2 {
					t.Errorf("run.sh exit status %d, want 2\n%s", cmd.ProcessState.ExitCode(), out)
				}
				if _, err := os.Stat(argsFile); err == nil {
					t.Errorf("thumbs ran")
				}
				return
			}
			if err != nil {
				t.Fatalf("run.sh: %v\n%s", err, out)
			}
			got := strings.Split(strings.TrimSuffix(readFile(t, argsFile), "\n"), "\n")
			if !slices.Equal(got, tt.wantArgs) {
				t.Errorf("thumbs ran with %q, want %q", got, tt.wantArgs)
			}
		})
	}
}
