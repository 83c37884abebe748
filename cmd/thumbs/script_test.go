package main

import (
	"runtime"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestScripts runs the end-to-end scripts in testdata/script: each runs the
// real thumbs command line (this test binary acting as thumbs, see
// TestMain) on pictures the custom commands of scriptcmds_test.go make.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		Cmds:                scriptCmds(),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		// Report every failed assertion of a script, not only the first:
		// a script may assert several known bugs.
		ContinueOnError: true,
		Setup: func(e *testscript.Env) error {
			// For the version script: the Go version thumbs reports.
			e.Setenv("GOVERSION", runtime.Version())
			return nil
		},
	})
}
