// Command man writes thumbs' manual pages, one per command, generated
// from the cobra command tree, into the directory given as its argument:
//
//	go run ./internal/tools/man man/
//
// It is a program of its own so that the thumbs binary does not carry the
// page generator.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra/doc"

	"github.com/thumbs-dev/thumbs/internal/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: man DIR")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "man: %v\n", err)
		os.Exit(1)
	}
}

// write writes the manual pages of every command into dir, made if
// missing.
func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cli.NewRootCmd(cli.Streams{In: os.Stdin, Out: io.Discard, ErrOut: io.Discard}, nil, nil)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{Title: "THUMBS", Section: "1", Source: "thumbs", Manual: "thumbs manual"}
	return doc.GenManTree(root, header, dir)
}
