package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/thumbs-dev/thumbs/internal/release"
)

// version returns thumbs' version (see release.Version).
func version() string {
	return release.Version()
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
