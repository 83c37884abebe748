// Package release says which release of thumbs is running. A release build
// stamps its version into the binary at link time; any other build is
// versioned by what the go command recorded about the main module.
//
// The package's tests also check the files that make and ship releases:
// .goreleaser.yaml, the Dockerfile, and the GitHub Action (action.yml and
// its scripts in action/).
package release

import "runtime/debug"

// stamp is the release version, such as "v1.2.3", that a release build sets
// at link time:
//
//	-ldflags "-X github.com/thumbs-dev/thumbs/internal/release.stamp=v1.2.3"
//
// It is empty in every other build.
var stamp string

// Version returns thumbs' version: the stamped release version when there is
// one; otherwise the main module's version as the go command recorded it
// (vX.Y.Z for "go install ...@vX.Y.Z", a pseudo-version naming the commit
// for a build from a git checkout, with +dirty for uncommitted changes); or
// "(devel)" when the build recorded none.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	return choose(stamp, info, ok)
}

// choose is Version with its inputs given.
func choose(stamp string, info *debug.BuildInfo, ok bool) string {
	switch {
	case stamp != "":
		return stamp
	case ok && info.Main.Version != "":
		return info.Main.Version
	default:
		return "(devel)"
	}
}
