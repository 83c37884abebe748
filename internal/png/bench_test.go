package png

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/testimage"
)

// BenchmarkDecodeShrunk decodes a 4000x3000 photo-like PNG, RGB and RGBA,
// box-shrunk by 7 (as for a 256 px box), next to image/png's full decode;
// or, when $THUMBS_PNG is set, that PNG file. MB/s is of the decoded
// pixels (3 or 4 bytes each; 3 for the file).
func BenchmarkDecodeShrunk(b *testing.B) {
	var cases []struct {
		name  string
		bytes int
		data  []byte
	}
	if name := os.Getenv("THUMBS_PNG"); name == "" {
		cases = append(cases, struct {
			name  string
			bytes int
			data  []byte
		}{"rgb", 3 * 4000 * 3000, encode(b, testimage.Photo(4000, 3000))}, struct {
			name  string
			bytes int
			data  []byte
		}{"rgba", 4 * 4000 * 3000, encode(b, testimage.Translucent(4000, 3000))})
	} else {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		cases = append(cases, struct {
			name  string
			bytes int
			data  []byte
		}{"file", 3 * cfg.Width * cfg.Height, data})
	}
	for _, c := range cases {
		data := c.data
		b.Run(c.name+"/stream", func(b *testing.B) {
			b.SetBytes(int64(c.bytes))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeShrunk(context.Background(), data, 7); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/image-png", func(b *testing.B) {
			b.SetBytes(int64(c.bytes))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := png.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// encode returns img as a PNG stream written by image/png.
func encode(b *testing.B, img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
