package heif

import (
	"bytes"
	"compress/gzip"
	"io"
	_ "unsafe" // for go:linkname

	// The modules below are the embedded files of these packages.
	_ "github.com/gen2brain/avif"
	_ "github.com/gen2brain/heic"
)

// heicWasm is the gzipped WebAssembly build of libheif 1.18.2 and libde265
// 1.0.15 in github.com/gen2brain/heic v0.4.5 (its lib/heif.c is the
// exported decode function). The stride rule in heicPlanes holds for this
// build; TestModuleVersions fails when the blob changes.
//
//go:linkname heicWasm github.com/gen2brain/heic.heifWasm
var heicWasm []byte

// avifWasm is the gzipped WebAssembly build of libavif and libaom in
// github.com/gen2brain/avif v0.4.4 (its lib/decode.c is the exported
// decode function).
//
//go:linkname avifWasm github.com/gen2brain/avif.decodeWasm
var avifWasm []byte

// gunzip returns the decompressed bytes of a gzipped module.
func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
