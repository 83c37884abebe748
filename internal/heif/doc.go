// Package heif decodes HEIC and AVIF pictures with the WebAssembly builds
// of libheif and libavif that github.com/gen2brain/heic and
// github.com/gen2brain/avif embed, compiled once per process (and kept
// compiled on disk across processes) and run in a bounded pool of reused
// instances.
package heif
