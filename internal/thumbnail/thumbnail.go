package thumbnail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
	"strings"

	"github.com/disintegration/imaging"
	"github.com/thumbs-dev/thumbs/internal/decode"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/icc"
	"golang.org/x/sync/semaphore"
)

// RenderingVersion numbers the rendering code: decoders, resampler,
// encoders and their defaults. It goes up by one in the same change as
// anything that changes the bytes of an output, so that the run record
// remakes thumbnails made by an older rendering and keeps those of a new
// build that renders alike. TestRenderingVersion pins it to the hashes of
// golden thumbnails.
const RenderingVersion = 12

// Auto is the Format that picks JPEG for opaque images and PNG for images
// with transparency.
const Auto encode.Format = "auto"

// Options shape the thumbnails made of each image.
type Options struct {
	Boxes      []Box
	Fit        Fit
	Crop       Crop
	Upscale    bool          // allow enlarging images smaller than the box
	Format     encode.Format // Auto, or an encoder's format
	Quality    int           // 1-100, for JPEG and WebP
	Background color.NRGBA   // what transparency is flattened onto for JPEG
	Strip      bool          // embed no ICC profile, even with KeepProfile
	// KeepProfile embeds the source's RGB or gray ICC profile, of at most
	// MaxKeptProfile bytes, in the thumbnail and leaves its pixel values
	// as they are. By default the thumbnail is converted to sRGB instead
	// and carries no profile.
	KeepProfile bool
	MaxPixels   int64 // refuse images with more pixels; 0 means no limit
	// Memory, when not nil, bounds the pixel memory of all images being
	// made at once, in bytes: Make waits for its share before decoding.
	Memory *semaphore.Weighted
	// MemoryLimit is Memory's size: an image that needs more is refused.
	MemoryLimit int64
}

// Thumb is one encoded thumbnail.
type Thumb struct {
	Box           Box
	Width, Height int
	Format        encode.Format
	Data          []byte
	// Warnings say what went wrong without stopping the thumbnail: damage
	// the decoder worked around (a file cut short, a PNG chunk with a bad
	// CRC), a colour profile that could not be honoured as asked. Every
	// thumbnail of one image carries the same ones.
	Warnings []string
}

// resizeBytesPerPixel bounds the memory that resizing takes after
// decoding, per decoded pixel: the picture's planes (R, G and B, or alpha
// and premultiplied R, G and B in 16 bits: 8 bytes), its box-shrunk copy
// and the resampler's rows being smaller.
const resizeBytesPerPixel = 8

// Make decodes the image in data once and returns one thumbnail per box of
// o, in the order of o.Boxes. Its error says what is wrong with the image
// but not which file it came from. It is safe for concurrent use.
func Make(ctx context.Context, data []byte, o Options) ([]Thumb, error) {
	h, err := decode.ReadHeader(data)
	if err != nil {
		return nil, err
	}
	if h.Width <= 0 || h.Height <= 0 {
		return nil, fmt.Errorf("invalid dimensions %dx%d", h.Width, h.Height)
	}
	if pixels := int64(h.Width) * int64(h.Height); o.MaxPixels > 0 && pixels > o.MaxPixels {
		return nil, fmt.Errorf("%dx%d is %d pixels, over the limit of %d (--max-pixels)", h.Width, h.Height, pixels, o.MaxPixels)
	}
	w, ht := h.Width, h.Height
	if h.Orientation >= 5 {
		w, ht = ht, w
	}
	src, fromThumbnail := sourceHeader(h, w, ht, o)
	shrink := decodeShrink(src, w, ht, o)
	warnings := slices.Clone(h.Warnings) // damage the decoder worked around
	var pic picture
	var gray bool
	var colour colourPlan
	streamed := false
	// A PNG is decoded row by row into the box shrink, unless there is
	// nothing to shrink: then the whole picture is what the resampler
	// takes, and image/png holds it in less memory.
	if k := preShrink(image.Rect(0, 0, src.Width, src.Height), h.Orientation, w, ht, o); src.Streams() && k > 1 {
		planes, release, err := loadShrunk(ctx, data, src, k, o)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err == nil {
			defer release()
			pic, gray, streamed = fromPlanes(planes), planes.Gray, true
			kind := "RGB"
			if gray {
				kind = "gray"
			}
			colour = planColour(src.ICC, kind, o)
		}
		// Otherwise the whole-picture decoder below fails as it always
		// has, or decodes what the streaming decoder did not.
	}
	if !streamed {
		img, release, err := load(ctx, data, src, shrink, o)
		if err != nil && fromThumbnail && ctx.Err() == nil {
			src, shrink = h, decodeShrink(h, w, ht, o)
			img, release, err = load(ctx, data, src, shrink, o)
		}
		var damage *decode.Damage
		if errors.As(err, &damage) {
			warnings = append(warnings, "damaged, decoded in part: "+damage.Error())
			err = nil
		}
		if err != nil {
			return nil, err
		}
		defer release()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		colour = planColour(src.ICC, pixelKind(img), o)
		if cmyk, ok := img.(*image.CMYK); ok && colour.transform != nil {
			// The only conversion made before resizing, since CMYK has no
			// resampler of its own; a CMYK JPEG was already shrunk on load.
			if img, err = colour.transform.ApplyCMYK(cmyk); err != nil {
				return nil, err
			}
			colour.transform = nil
		}
		gray = isGray(img)
		pic = split(img, float64(h.Width)/float64(shrink), float64(h.Height)/float64(shrink))
		img = nil
		if k := preShrink(image.Rect(0, 0, pic.w, pic.h), h.Orientation, w, ht, o); k > 1 {
			pic = boxShrink(pic, k)
		}
	}

	thumbs := make([]Thumb, 0, len(o.Boxes))
	for _, b := range o.Boxes {
		t, err := makeOne(pic, h.Orientation, w, ht, b, gray, colour, o)
		if err != nil {
			return nil, err
		}
		t.Warnings = append(slices.Clone(warnings), colour.warnings...)
		thumbs = append(thumbs, t)
	}
	return thumbs, nil
}

// sourceHeader returns the header of what to decode for the boxes of o
// from an image of header h whose upright size is w×ht: a HEIC thumbnail
// item that covers the largest target (fromThumbnail is then true), or
// else h itself.
func sourceHeader(h decode.Header, w, ht int, o Options) (src decode.Header, fromThumbnail bool) {
	if h.Format != decode.HEIC {
		return h, false
	}
	var tw, th int
	for _, b := range o.Boxes {
		bw, bh := target(w, ht, b, o.Fit, o.Upscale)
		tw, th = max(tw, bw), max(th, bh)
	}
	if t, ok := h.Thumbnail(tw, th); ok {
		return t, true
	}
	return h, false
}

// load decodes data as the header h describes, once the memory budget of
// o has room for it. Unless err is set and is not a *decode.Damage, the
// caller must call release once it is done with img.
func load(ctx context.Context, data []byte, h decode.Header, shrink int, o Options) (img image.Image, release func(), err error) {
	release, err = reserve(ctx, h, memoryNeed(h, shrink), o)
	if err != nil {
		return nil, nil, err
	}
	img, err = decode.Decode(ctx, data, h, shrink)
	var damage *decode.Damage
	if err != nil && !errors.As(err, &damage) {
		release()
		return nil, nil, err
	}
	return img, release, err
}

// reserve waits until the memory budget of o has room for need bytes to
// decode the image of header h, takes them, and returns the function that
// gives them back. It refuses at once an image whose need is over the
// whole budget. Without a budget it reserves nothing.
func reserve(ctx context.Context, h decode.Header, need int64, o Options) (release func(), err error) {
	if o.Memory == nil {
		return func() {}, nil
	}
	if need > o.MemoryLimit {
		return nil, fmt.Errorf("%s %dx%d needs about %d MiB to decode, over the memory budget of %d MiB",
			h.Format, h.Width, h.Height, mib(need), mib(o.MemoryLimit))
	}
	if err := o.Memory.Acquire(ctx, need); err != nil {
		return nil, err
	}
	return func() { o.Memory.Release(need) }, nil
}

// loadShrunk decodes data, of a header h for which h.Streams is true,
// box-shrunk by k, once the memory budget of o has room for it. Unless err
// is set, the caller must call release once it is done with the planes.
func loadShrunk(ctx context.Context, data []byte, h decode.Header, k int, o Options) (p *decode.Planes, release func(), err error) {
	shrunk := int64(h.Width/k+1) * int64(h.Height/k+1)
	release, err = reserve(ctx, h, h.ShrunkCost(k)+shrunk*resizeBytesPerPixel, o)
	if err != nil {
		return nil, nil, err
	}
	p, err = decode.DecodeShrunk(ctx, data, h, k)
	if err != nil {
		release()
		return nil, nil, err
	}
	return p, release, nil
}

// fromPlanes returns the picture that p holds, sharing its planes.
func fromPlanes(p *decode.Planes) picture {
	return picture{
		w: p.Width, h: p.Height, extentX: p.ExtentX, extentY: p.ExtentY,
		colour: p.Colour, premultiplied: p.Premultiplied, alpha: p.Alpha,
	}
}

// memoryNeed returns the memory that making thumbnails of the image of
// header h decoded at 1/shrink takes at its peak: decoding (h.DecodeCost)
// then resizing.
func memoryNeed(h decode.Header, shrink int) int64 {
	decoded := int64(h.Width/shrink+1) * int64(h.Height/shrink+1)
	cost := h.DecodeCost(shrink)
	if cost > math.MaxInt64-decoded*resizeBytesPerPixel {
		return math.MaxInt64
	}
	return cost + decoded*resizeBytesPerPixel
}

// mib rounds n bytes up to whole MiB.
func mib(n int64) int64 { return (n + 1<<20 - 1) >> 20 }

// decodeShrink returns the factor by which to decode src, the header of
// an image whose upright size is w×ht or of its thumbnail item: that of
// loadShrink, but 1 for a HEIC that is not decoded tile by tile (a
// thumbnail item, or a primary item libheif decodes whole), which comes
// out at its full size.
func decodeShrink(src decode.Header, w, ht int, o Options) int {
	k := loadShrink(src.Format, w, ht, o)
	if src.Format == decode.HEIC && !src.DecodesTiles(k) {
		return 1
	}
	return k
}

// loadShrink returns the factor by which the decoder may shrink a w×h
// image while leaving at least a factor of two for the final resampling
// to every box, which keeps its quality: for JPEG the largest of 1, 2, 4
// and 8, for WebP and HEIC the largest even one (which a still lossy
// WebP and a HEIC grid decode straight to, see decode.Decode, and other
// WebPs and HEICs ignore), and 1 for other formats.
func loadShrink(f decode.Format, w, h int, o Options) int {
	switch f {
	case decode.JPEG:
		shrink := 8
		for _, b := range o.Boxes {
			tw, th := target(w, h, b, o.Fit, o.Upscale)
			for shrink > 1 && (w/shrink < 2*tw || h/shrink < 2*th) {
				shrink /= 2
			}
		}
		return shrink
	case decode.WebP, decode.HEIC:
		if k := preShrink(image.Rect(0, 0, w, h), 1, w, h, o) &^ 1; k > 1 {
			return k
		}
	}
	return 1
}

// preShrink returns the largest whole factor by which a decoded image of
// bounds r, stored with the given orientation, of a fullW×fullH original
// can be box-filtered while leaving at least a factor of two for the final
// resampling to every box.
func preShrink(r image.Rectangle, orientation, fullW, fullH int, o Options) int {
	w, h := r.Dx(), r.Dy()
	if orientation >= 5 {
		w, h = h, w
	}
	k := math.MaxInt
	for _, b := range o.Boxes {
		tw, th := target(fullW, fullH, b, o.Fit, o.Upscale)
		k = min(k, w/(2*tw), h/(2*th))
	}
	return max(k, 1)
}

// makeOne resizes pic, stored with EXIF orientation orientation, of an
// original whose upright size is fullW×fullH (pic may be shrunk), to box b
// and encodes it. It orients the resized image, the smaller one.
func makeOne(pic picture, orientation, fullW, fullH int, b Box, gray bool, colour colourPlan, o Options) (Thumb, error) {
	tw, th := target(fullW, fullH, b, o.Fit, o.Upscale)
	sw, sh := tw, th
	if orientation >= 5 {
		sw, sh = th, tw
	}
	out := orient(resize(pic, sw, sh), orientation)
	if o.Fit == Cover && b.W != 0 && b.H != 0 {
		cw, ch := min(tw, b.W), min(th, b.H)
		if !o.Upscale {
			cw, ch = min(cw, fullW), min(ch, fullH)
		}
		out = crop(out, cw, ch, o.Crop)
	}
	if colour.transform != nil {
		if err := colour.transform.Apply(out); err != nil {
			return Thumb{}, err
		}
	}

	format := o.Format
	opaque := out.Opaque()
	if format == Auto || format == "" {
		format = encode.JPEG
		if !opaque {
			format = encode.PNG
		}
	}
	var pixels image.Image = out
	switch {
	case format == encode.JPEG && !opaque:
		pixels = flatten(out, o.Background)
		if gray {
			pixels = toGray(pixels)
		}
	case gray && opaque:
		pixels = toGray(out)
	}
	var buf bytes.Buffer
	if err := encode.Encode(&buf, pixels, encode.Options{Format: format, Quality: o.Quality, ICC: colour.embed}); err != nil {
		return Thumb{}, err
	}
	r := pixels.Bounds()
	return Thumb{Box: b, Width: r.Dx(), Height: r.Dy(), Format: format, Data: buf.Bytes()}, nil
}

// orient applies EXIF orientation o (1-8) to img.
func orient(img image.Image, o int) *image.NRGBA {
	switch o {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	if n, ok := img.(*image.NRGBA); ok {
		return n
	}
	return imaging.Clone(img)
}

// isGray reports whether img stores only gray levels.
func isGray(img image.Image) bool {
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	}
	return false
}

// toGray converts img, whose pixels are gray, to *image.Gray.
func toGray(img image.Image) *image.Gray {
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
	return g
}

// flatten composites img over a background of colour bg.
func flatten(img *image.NRGBA, bg color.NRGBA) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	draw.Draw(out, out.Rect, image.NewUniform(color.NRGBA{bg.R, bg.G, bg.B, 255}), image.Point{}, draw.Src)
	draw.Draw(out, out.Rect, img, img.Rect.Min, draw.Over)
	return out
}

// MaxKeptProfile is the largest ICC profile, in bytes, that
// Options.KeepProfile copies into a thumbnail. Larger ones are converted to
// sRGB instead, or dropped when they cannot be, so that no thumbnail
// carries megabytes of profile.
const MaxKeptProfile = 256 << 10

// colourPlan is what Make does about the source's ICC profile.
type colourPlan struct {
	transform *icc.Transform // converts the pixels to sRGB; nil for none
	embed     []byte         // the profile to embed; nil for none
	warnings  []string
}

// planColour decides, for an image whose pixels are of kind (as
// pixelKind names them) with the ICC profile profile (nil for none),
// whether to convert it to sRGB or embed the profile, and warns when
// neither can be done as o asks.
func planColour(profile []byte, kind string, o Options) colourPlan {
	if len(profile) == 0 {
		return colourPlan{}
	}
	space := icc.ColorSpace(headerSpace(profile))
	isCMYK := kind == "CMYK"
	embeddable := (space == icc.RGB || space == icc.Gray) && !isCMYK && len(profile) <= MaxKeptProfile
	if o.KeepProfile && embeddable {
		if o.Strip {
			return colourPlan{}
		}
		return colourPlan{embed: profile}
	}
	tr, err := icc.Cached(profile)
	if err == nil && (tr.Space == icc.CMYK) != isCMYK {
		err = fmt.Errorf("a %s profile does not describe %s pixels", strings.TrimSpace(string(tr.Space)), kind)
	}
	switch {
	case err == nil:
	case o.Strip:
		return colourPlan{}
	case embeddable:
		return colourPlan{embed: profile, warnings: []string{fmt.Sprintf("ICC profile embedded unconverted: %v", err)}}
	default:
		return colourPlan{warnings: []string{fmt.Sprintf("ICC profile of %d bytes dropped: %v", len(profile), err)}}
	}
	plan := colourPlan{transform: tr}
	if tr.Identity() {
		plan.transform = nil
	}
	if o.KeepProfile && !isCMYK && len(profile) > MaxKeptProfile {
		plan.warnings = []string{fmt.Sprintf("ICC profile of %d bytes, over %d, converted to sRGB rather than kept", len(profile), MaxKeptProfile)}
	}
	return plan
}

// headerSpace returns the colour space signature of an ICC profile.
func headerSpace(profile []byte) string {
	if len(profile) < 20 {
		return ""
	}
	return string(profile[16:20])
}

// pixelKind names the colour model of img for messages.
func pixelKind(img image.Image) string {
	switch img.(type) {
	case *image.CMYK:
		return "CMYK"
	case *image.Gray, *image.Gray16:
		return "gray"
	}
	return "RGB"
}
