// Command thumbs makes thumbnails of many images at once.
package main

import (
	"os"

	"github.com/thumbs-dev/thumbs/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
