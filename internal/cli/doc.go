// Package cli is thumbs' command line: the cobra command tree, its flags
// turned into the options of a run, and the exit status of each outcome.
//
// NewRootCmd builds the tree around two run functions, so that a test can
// parse a command line into Options without running anything; Run executes
// a command line with the real run functions and returns the exit status.
package cli
