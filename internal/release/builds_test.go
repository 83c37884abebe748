package release

import (
	"os"
	"strings"
	"testing"
)

// TestReleaseBuildsStamp checks that the release builds pass the -X flag
// that sets stamp, so that a release binary names its release.
func TestReleaseBuildsStamp(t *testing.T) {
	for _, file := range []string{"../../.goreleaser.yaml", "../../Dockerfile"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), stampFlag) {
			t.Errorf("%s does not pass %q", file, stampFlag)
		}
	}
}
