package main

import (
	"os"
	"os/exec"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the real thumbs command: as "thumbs"
// inside testscript scripts, and for thumbsCommand when THUMBS_AS_MAIN is set.
func TestMain(m *testing.M) {
	if os.Getenv("THUMBS_AS_MAIN") == "1" {
		main()
	}
	testscript.Main(m, map[string]func(){
		"thumbs": main,
	})
}

// thumbsCommand returns a command that runs thumbs, this test binary acting
// as the real one, with args.
func thumbsCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "THUMBS_AS_MAIN=1")
	return cmd
}
