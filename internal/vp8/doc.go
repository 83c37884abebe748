// Package vp8 decodes the key frames of VP8, the bitstream of lossy WebP
// (RFC 6386), into 4:2:0 YCbCr planes, handing them out a few rows at a
// time as each macroblock row is finished.
package vp8
