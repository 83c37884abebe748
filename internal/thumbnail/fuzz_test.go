package thumbnail_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	xwebp "golang.org/x/image/webp"

	"github.com/thumbs-dev/thumbs/internal/decode"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
	"github.com/thumbs-dev/thumbs/internal/thumbnail"
)

// fzMaxPixels is the pixel limit of every Make in FuzzMake.
const fzMaxPixels = 4_000_000

// fzOptions turns the fuzzed parameters into options: one or two small
// boxes (a zero side is free), the fit, upscaling and the output format.
func fzOptions(w, h uint8, flags uint8) thumbnail.Options {
	b := thumbnail.Box{W: int(w % 64), H: int(h % 64)}
	if b.W == 0 && b.H == 0 {
		b.W = 1
	}
	b.Label = b.String()
	o := thumbnail.Options{
		Boxes:      []thumbnail.Box{b},
		Fit:        thumbnail.Contain,
		Crop:       thumbnail.CropCenter,
		Quality:    1 + int(w)%100,
		Background: color.NRGBA{255, 255, 255, 255},
		MaxPixels:  fzMaxPixels,
		Upscale:    flags&2 != 0,
		Strip:      flags&4 != 0,
		// Formats 4-7 are Auto; they also keep the profile.
		KeepProfile: flags>>5 >= 4,
	}
	if flags&1 != 0 {
		o.Fit = thumbnail.Cover
	}
	if flags&8 != 0 {
		o.Crop = thumbnail.CropSmart
	}
	if flags&16 != 0 {
		o.Boxes = append(o.Boxes, thumbnail.Box{W: 7, H: 5, Label: "7x5"})
	}
	switch flags >> 5 {
	case 1:
		o.Format = encode.JPEG
	case 2:
		o.Format = encode.PNG
	case 3:
		o.Format = encode.WebP
	default:
		o.Format = thumbnail.Auto
	}
	return o
}

// fzSeeds returns tiny images of each format thumbs reads.
func fzSeeds(tb testing.TB) [][]byte {
	photo := testimage.Photo(9, 6)
	pal := image.NewPaletted(image.Rect(0, 0, 5, 4), color.Palette{color.Transparent, color.White, color.NRGBA{200, 10, 10, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	var seeds [][]byte
	enc := func(f func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		if err := f(&buf); err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
	}
	seeds = append(seeds, testimage.JPEG(photo, 80, 6, false))
	seeds = append(seeds, testimage.JPEG(image.NewGray(image.Rect(0, 0, 3, 17)), 50, 0, false))
	enc(func(b *bytes.Buffer) error { return png.Encode(b, photo) })
	enc(func(b *bytes.Buffer) error { return png.Encode(b, testimage.Translucent(6, 4)) })
	enc(func(b *bytes.Buffer) error { return png.Encode(b, pal) })
	enc(func(b *bytes.Buffer) error { return gif.Encode(b, pal, nil) })
	enc(func(b *bytes.Buffer) error { return tiff.Encode(b, photo, nil) })
	enc(func(b *bytes.Buffer) error { return tiff.Encode(b, photo, &tiff.Options{Compression: tiff.Deflate}) })
	enc(func(b *bytes.Buffer) error { return bmp.Encode(b, photo) })
	enc(func(b *bytes.Buffer) error {
		return encode.Encode(b, photo, encode.Options{Format: encode.WebP, Quality: 50})
	})
	// Sources with profiles to convert: Adobe RGB, and CMYK.
	adobe, err := os.ReadFile("../icc/testdata/compatibleWithAdobeRGB1998.icc")
	if err != nil {
		tb.Fatal(err)
	}
	enc(func(b *bytes.Buffer) error {
		return encode.Encode(b, photo, encode.Options{Format: encode.PNG, ICC: adobe})
	})
	cmyk, err := os.ReadFile("../decode/testdata/cmyk.jpg")
	if err != nil {
		tb.Fatal(err)
	}
	profile, err := os.ReadFile("../icc/testdata/mab-cmyk.icc")
	if err != nil {
		tb.Fatal(err)
	}
	app2 := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE2}, uint16(2+14+len(profile)))
	app2 = append(append(app2, "ICC_PROFILE\x00\x01\x01"...), profile...)
	seeds = append(seeds, append(append([]byte{0xFF, 0xD8}, app2...), cmyk[2:]...))
	return seeds
}

// fzDecode decodes a thumbnail completely with a decoder of its format.
func fzDecode(t thumbnail.Thumb) (image.Image, error) {
	r := bytes.NewReader(t.Data)
	switch t.Format {
	case encode.JPEG:
		return jpeg.Decode(r)
	case encode.PNG:
		return png.Decode(r)
	case encode.WebP:
		return xwebp.Decode(r)
	}
	return nil, fmt.Errorf("unknown thumbnail format %q", t.Format)
}

// FuzzMake feeds arbitrary bytes to Make with small boxes: it returns
// thumbnails or an error and never panics, and every thumbnail decodes to
// the size it reports, fits its box, is no larger than the image unless
// upscaling, and has the format asked for.
func FuzzMake(f *testing.F) {
	for i, s := range fzSeeds(f) {
		f.Add(s, uint8(16), uint8(16), uint8(0))
		f.Add(s, uint8(i*7), uint8(3), uint8(i*37))
		f.Add(s, uint8(5), uint8(0), uint8(0xFF-uint8(i)))
	}
	f.Fuzz(func(t *testing.T, data []byte, w, h, flags uint8) {
		o := fzOptions(w, h, flags)
		thumbs, err := thumbnail.Make(context.Background(), data, o)
		if err != nil {
			if thumbs != nil {
				t.Errorf("Make returned %d thumbnails with error %v", len(thumbs), err)
			}
			return
		}
		if len(thumbs) != len(o.Boxes) {
			t.Fatalf("%d thumbnails for %d boxes", len(thumbs), len(o.Boxes))
		}
		// Make succeeded: the header is readable and within the limit.
		hdr, herr := decode.ReadHeader(data)
		if herr != nil {
			t.Fatalf("Make succeeded on data whose header does not read: %v", herr)
		}
		if px := int64(hdr.Width) * int64(hdr.Height); px > fzMaxPixels {
			t.Fatalf("Make accepted a %dx%d image, over MaxPixels %d", hdr.Width, hdr.Height, fzMaxPixels)
		}
		srcW, srcH := hdr.Width, hdr.Height
		if hdr.Orientation >= 5 {
			srcW, srcH = srcH, srcW
		}
		for i, th := range thumbs {
			b := o.Boxes[i]
			if th.Box != b {
				t.Errorf("thumbnail %d is for box %+v, want %+v", i, th.Box, b)
			}
			if th.Width < 1 || th.Height < 1 {
				t.Errorf("thumbnail %d reports %dx%d", i, th.Width, th.Height)
			}
			if (b.W != 0 && th.Width > b.W) || (b.H != 0 && th.Height > b.H) {
				t.Errorf("thumbnail %d is %dx%d, larger than box %v", i, th.Width, th.Height, b)
			}
			if !o.Upscale && (th.Width > srcW || th.Height > srcH) {
				t.Errorf("thumbnail %d is %dx%d, larger than the %dx%d image, without Upscale", i, th.Width, th.Height, srcW, srcH)
			}
			if o.Format != thumbnail.Auto && th.Format != o.Format {
				t.Errorf("thumbnail %d is %s, want %s", i, th.Format, o.Format)
			}
			img, err := fzDecode(th)
			if err != nil {
				t.Errorf("thumbnail %d (%s, %d bytes) does not decode: %v", i, th.Format, len(th.Data), err)
				continue
			}
			if r := img.Bounds(); r.Dx() != th.Width || r.Dy() != th.Height {
				t.Errorf("thumbnail %d decodes to %dx%d, reports %dx%d", i, r.Dx(), r.Dy(), th.Width, th.Height)
			}
		}
	})
}
