package release

import (
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestChoose(t *testing.T) {
	module := func(v string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/thumbs-dev/thumbs", Version: v}}
	}
	tests := []struct {
		name  string
		stamp string
		info  *debug.BuildInfo
		ok    bool
		want  string
	}{
		{"stamp wins over the module version", "v1.2.3", module("v0.0.0-20261127020250-38f41b75d3b6+dirty"), true, "v1.2.3"},
		{"stamp without build info", "v1.2.3", nil, false, "v1.2.3"},
		{"go install of a tag", "", module("v1.2.3"), true, "v1.2.3"},
		{"checkout pseudo-version", "", module("v0.0.0-20261127020250-38f41b75d3b6"), true, "v0.0.0-20261127020250-38f41b75d3b6"},
		{"no module version", "", module(""), true, "(devel)"},
		{"no build info", "", nil, false, "(devel)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := choose(tt.stamp, tt.info, tt.ok); got != tt.want {
				t.Errorf("choose(%q, ...) = %q, want %q", tt.stamp, got, tt.want)
			}
		})
	}
}

// stampFlag is the -X flag that .goreleaser.yaml and the Dockerfile pass,
// up to the version.
const stampFlag = "-X github.com/thumbs-dev/thumbs/internal/release.stamp="

// TestStampIsSetAtLinkTime links a program that prints Version with the
// release build's -X flag: it fails if the variable is renamed or made
// impossible for the linker to set.
func TestStampIsSetAtLinkTime(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to link a stamped program: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "printversion")
	build := exec.Command(gobin, "build", "-o", bin, "-ldflags", stampFlag+"v9.8.7-test", "./testdata/printversion")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("running the stamped program: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "v9.8.7-test" {
		t.Errorf("stamped program prints version %q, want v9.8.7-test", got)
	}
}
