// Command scalegen writes N tiny, distinct PNG images under a directory,
// a thousand to a folder, for the scale benchmark (bench/scale.sh).
//
// Usage: scalegen N DIR
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: scalegen N DIR")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "scalegen: N must be a positive number")
		os.Exit(2)
	}
	if err := write(n, os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "scalegen:", err)
		os.Exit(1)
	}
}

// write makes images 0..n-1: image i is 8×8, its pixels a function of i,
// so that every file has its own content.
func write(n int, dir string) error {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	for i := range n {
		folder := filepath.Join(dir, fmt.Sprintf("d%04d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(folder, 0o755); err != nil {
				return err
			}
		}
		for p := range 64 {
			v := uint32(i)*2654435761 + uint32(p)*40503
			img.Set(p%8, p/8, color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), 255})
		}
		buf.Reset()
		if err := enc.Encode(&buf, img); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(folder, fmt.Sprintf("img%07d.png", i)), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
