package decode

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gen2brain/avif"
)

// TestAVIFUnsupportedMatrix checks that an AVIF whose nclx property names
// matrix coefficients libavif cannot convert fails with their name, and
// that one it can convert still decodes.
func TestAVIFUnsupportedMatrix(t *testing.T) {
	var b bytes.Buffer
	if err := avif.Encode(&b, photo(32, 24), avif.Options{Quality: 90, Speed: 10}); err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(b.Bytes(), []byte("nclx"))
	if at < 0 {
		t.Fatal("the encoder wrote no nclx property")
	}
	withMatrix := func(m byte) []byte {
		f := bytes.Clone(b.Bytes())
		f[at+8], f[at+9] = 0, m
		return f
	}
	tests := []struct {
		matrix  byte
		wantErr string
	}{
		{6, ""},
		{10, "matrix coefficients 10 (BT.2020 constant luminance) are not supported"},
		{14, "matrix coefficients 14 (ICtCp) are not supported"},
	}
	for _, tt := range tests {
		data := withMatrix(tt.matrix)
		h, err := ReadHeader(data)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Decode(context.Background(), data, h, 1)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("matrix %d: %v", tt.matrix, err)
		case tt.wantErr != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.wantErr)):
			t.Errorf("matrix %d: error %v, want one ending %q", tt.matrix, err, tt.wantErr)
		}
	}
}
