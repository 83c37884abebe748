package thumbnail

import (
	"bytes"
	"context"
	"image/png"
	"sync"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// benchSources are the benchmark inputs, generated once: a 4000x3000
// photo-like JPEG (quality 90) and the same picture as PNG.
var benchSources = sync.OnceValues(func() (jpg, pn []byte) {
	pic := testimage.Photo(4000, 3000)
	jpg = testimage.JPEG(pic, 90, 0, false)
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, pic); err != nil {
		panic(err)
	}
	return jpg, b.Bytes()
})

// BenchmarkMake reports the time to make one thumbnail of a 4000x3000
// source, as <source>-<box> or <source>-<box>-<output format>.
func BenchmarkMake(b *testing.B) {
	jpg, pn := benchSources()
	for _, c := range []struct {
		name   string
		data   []byte
		box    string
		format encode.Format
	}{
		{"jpeg-256", jpg, "256", Auto},
		{"jpeg-1280", jpg, "1280", Auto},
		{"png-256", pn, "256", Auto},
		{"jpeg-256-jpeg", jpg, "256", encode.JPEG},
		{"jpeg-256-png", jpg, "256", encode.PNG},
		{"jpeg-256-webp", jpg, "256", encode.WebP},
	} {
		b.Run(c.name, func(b *testing.B) {
			o := Options{Boxes: []Box{mustBox(b, c.box)}, Format: c.format}
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			var out int
			for b.Loop() {
				th, err := Make(context.Background(), c.data, o)
				if err != nil {
					b.Fatal(err)
				}
				out = len(th[0].Data)
			}
			b.ReportMetric(float64(out), "out-bytes")
		})
	}
}
