package jpeg

import (
	"testing"
)

// FuzzDecode checks that Decode never panics and, by compareStd, that it
// accepts what image/jpeg accepts, with the same dimensions. (It may accept
// more: see TestCorrupted for where it and image/jpeg are held to agree.) Seeds: small
// generated files of each layout, the fixtures, and testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, tc := range testCases(f) {
		if len(tc.data) < 4000 {
			f.Add(tc.data)
		}
	}
	for _, name := range fixtures(f) {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := compareStd(data, false); msg != "" {
			t.Error(msg)
		}
	})
}
