// Command image assembles the thumbs container image from static thumbs
// binaries, with no Docker daemon, no registry and no base image:
//
//	go run ./internal/tools/image -version v1.2.3 -revision COMMIT -epoch SECONDS \
//		-dir dist/thumbs-image -tar dist/thumbs-image.tar \
//		linux/amd64=bin/image/linux_amd64/thumbs linux/arm64=bin/image/linux_arm64/thumbs
//
// The image is built FROM scratch: one layer holding /thumbs, /etc/passwd
// and /etc/group naming the user nonroot (65532), and /work owned by it; the
// config runs /thumbs as 65532:65532 in /work and carries the
// org.opencontainers.image labels. -dir writes an OCI image layout whose
// index.json names one image index, with a manifest per platform (what
// "crane push DIR REF" pushes); -tar writes the same layout as one tar file,
// with a docker-style manifest.json for the image of -load-platform, so that
// "docker load" takes it. Every timestamp is -epoch, so the same binaries
// and flags give the same bytes.
//
// Each binary must be a static ELF for its platform's architecture; any
// other is refused before anything is written. It is a program of its own,
// run by "make image", so that the thumbs binary does not carry it.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run builds the image as the command line asks and returns the exit
// status: 0, 1 when the image cannot be built, 2 for a usage error.
func run(args []string, stderr io.Writer) int {
	flags := flag.NewFlagSet("image", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var spec Spec
	var epoch int64
	var dir, tarPath, loadPlatform string
	flags.StringVar(&spec.Version, "version", "", "the release version, such as v1.2.3: the stamp of the binaries and the image's version label and tag")
	flags.StringVar(&spec.Revision, "revision", "", "the commit the binaries were built from")
	flags.Int64Var(&epoch, "epoch", 0, "the time of every file and of the image, in seconds since 1970 (the commit time)")
	flags.StringVar(&dir, "dir", "", "write the OCI image layout into this directory, replacing it")
	flags.StringVar(&tarPath, "tar", "", "write the OCI image layout as this tar file, with a docker-style manifest.json")
	flags.StringVar(&loadPlatform, "load-platform", "", "the platform whose image the tar file's manifest.json names, for docker load (default: this machine's, if built, else the first)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: image -version V -revision R -epoch S [-dir DIR] [-tar FILE] OS/ARCH=BINARY...")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "image: "+format+"\n", a...)
		return 2
	}
	if spec.Version == "" || spec.Revision == "" {
		return usage("-version and -revision are required")
	}
	if dir == "" && tarPath == "" {
		return usage("nothing to write: give -dir, -tar or both")
	}
	if flags.NArg() == 0 {
		return usage("no binaries: give OS/ARCH=BINARY for each platform")
	}
	spec.Created = time.Unix(epoch, 0).UTC()
	for _, arg := range flags.Args() {
		platform, path, ok := strings.Cut(arg, "=")
		if !ok {
			return usage("%q is not OS/ARCH=BINARY", arg)
		}
		p, err := parsePlatform(platform)
		if err != nil {
			return usage("%v", err)
		}
		spec.Binaries = append(spec.Binaries, Binary{Platform: p, Path: path})
	}
	load := spec.Binaries[0].Platform
	if loadPlatform == "" {
		for _, bin := range spec.Binaries {
			if bin.Platform == (Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}) {
				load = bin.Platform
			}
		}
	} else {
		var err error
		if load, err = parsePlatform(loadPlatform); err != nil {
			return usage("-load-platform: %v", err)
		}
	}

	layout, err := Build(spec)
	if err != nil {
		fmt.Fprintf(stderr, "image: %v\n", err)
		return 1
	}
	if dir != "" {
		if err := layout.WriteDir(dir); err != nil {
			fmt.Fprintf(stderr, "image: %v\n", err)
			return 1
		}
	}
	if tarPath != "" {
		if err := layout.WriteTar(tarPath, load); err != nil {
			fmt.Fprintf(stderr, "image: %v\n", err)
			return 1
		}
	}
	return 0
}
