package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version returns thumbs' version as recorded in the build: the module's
// version, which for a build from a git checkout is a pseudo-version naming
// the commit (with +dirty for uncommitted changes).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "(devel)"
	}
	return info.Main.Version
}

func versionLine() string {
	return fmt.Sprintf("thumbs %s (%s %s/%s)", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// versionReport lists thumbs' version, Go's and those of its modules.
func versionReport() string {
	var b strings.Builder
	b.WriteString(versionLine() + "\n")
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Replace != nil {
				m = m.Replace
			}
			fmt.Fprintf(&b, "  %s %s\n", m.Path, m.Version)
		}
	}
	return b.String()
}
