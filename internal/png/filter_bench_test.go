package png

import "testing"

// BenchmarkUnfilter undoes each filter type on rows of 5640 RGB pixels.
func BenchmarkUnfilter(b *testing.B) {
	for f := byte(filterSub); f <= filterPaeth; f++ {
		b.Run([]string{"", "sub", "up", "average", "paeth"}[f], func(b *testing.B) {
			cur, prev := make([]byte, 3*5640), make([]byte, 3*5640)
			for i := range prev {
				prev[i], cur[i] = byte(i*7), byte(i*13)
			}
			b.SetBytes(int64(len(cur)))
			for b.Loop() {
				unfilter(f, cur, prev, 3)
			}
		})
	}
}
