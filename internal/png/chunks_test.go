package png

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

func TestWithoutChunksKeepsGoodStreamsAsTheyAre(t *testing.T) {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	plain := b.Bytes()
	bad := BadAncillary(plain)
	if len(bad) != 0 {
		t.Fatalf("BadAncillary of a sound PNG = %v, want none", bad)
	}
	if got := WithoutChunks(plain, bad); &got[0] != &plain[0] || len(got) != len(plain) {
		t.Error("WithoutChunks copied a stream it had nothing to drop from")
	}
}
