// Command printversion prints release.Version, for the link-time stamp test.
package main

import (
	"fmt"

	"github.com/thumbs-dev/thumbs/internal/release"
)

func main() {
	fmt.Println(release.Version())
}
