// Package decode identifies an image file's format from its bytes, reads its header, and decodes its pixels.
package decode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"path/filepath"
	"strings"

	"github.com/thumbs-dev/thumbs/internal/bmp"
	"github.com/thumbs-dev/thumbs/internal/heif"
	"github.com/thumbs-dev/thumbs/internal/jpeg"
	"github.com/thumbs-dev/thumbs/internal/tiff"
)

// Format names an image file format.
type Format string

// The formats that ReadHeader recognises.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	GIF  Format = "gif"
	TIFF Format = "tiff"
	BMP  Format = "bmp"
	WebP Format = "webp"
	HEIC Format = "heic"
	AVIF Format = "avif"
)

// IsImageName reports whether a file name has an image extension a directory walk should pick,
// case-insensitively: .jpg .jpeg .png .gif .tif .tiff .bmp .webp .heic .heif .avif.
func IsImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".heic", ".heif", ".avif":
		return true
	}
	return false
}

// Header is what is known about an image before its pixels are decoded.
type Header struct {
	Format        Format
	Width, Height int    // as stored, before orientation is applied
	Orientation   int    // EXIF orientation 1..8 (1 when absent or invalid) that still has to be applied to the decoded pixels
	ICC           []byte // embedded ICC profile, nil when none
	// coded is, for HEIC and AVIF, the size the primary item's HEVC or AV1
	// stream declares, and ispe the size its ispe property declares, which
	// the decoders do not hold each other to; zero when unknown.
	coded, ispe image.Point
	// clap is, for AVIF, the clean aperture to crop the decoded picture
	// to (its decoder does not); empty when the whole picture is shown.
	clap image.Rectangle
	// layout is what DecodeCost needs to know of the stored pixels.
	layout layout
	// thumbnails are, for HEIC, the headers of the primary item's
	// thumbnail items (Header.Thumbnail); item is, in such a header, the
	// item it describes, and 0 in the primary's; pitm is where the primary
	// item's ID is in the file.
	thumbnails []Header
	item       uint32
	pitm       pitmField
	// grid is, for HEIC, the primary item's grid of tiles when
	// decodeGridShrunk can decode it; nil otherwise.
	grid *heicGrid
	// Warnings describes damage that Decode works around rather than fails
	// on, one line each, such as a PNG ancillary chunk with a bad CRC (which
	// is then ignored, as libpng does); nil when none. The image decodes,
	// but a caller may want to tell the user.
	Warnings []string
}

var errUnknown = errors.New("unknown image format")

// sniff returns the format of data judged by its magic bytes, or "" when unknown.
func sniff(b []byte) Format {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return JPEG
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return GIF
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return TIFF
	case (bytes.HasPrefix(b, []byte("BM")) || bytes.HasPrefix(b, []byte("BA"))) && len(b) >= 26: // BA: an OS/2 bitmap array
		return BMP
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return ftypFormat(b)
	}
	return ""
}

// ReadHeader sniffs the format from magic bytes (never the extension) and reads dimensions,
// orientation and ICC profile without decoding pixels. Unknown content gives the error
// "unknown image format"; a recognised but malformed header gives another error.
func ReadHeader(data []byte) (h Header, err error) {
	defer func() {
		if r := recover(); r != nil {
			h, err = Header{}, fmt.Errorf("read header: %v", r)
		}
	}()
	f := sniff(data)
	switch f {
	case JPEG:
		h, err = jpegHeader(data)
	case PNG:
		h, err = pngHeader(data)
	case GIF:
		h, err = gifHeader(data)
	case TIFF:
		h, err = tiffHeader(data)
	case BMP:
		h, err = bmpHeader(data)
	case WebP:
		h, err = webpHeader(data)
	case HEIC, AVIF:
		h, err = heifHeader(data, f)
	default:
		return Header{}, errUnknown
	}
	if err != nil {
		return Header{}, prefixed(string(f), err)
	}
	if h.Width <= 0 || h.Height <= 0 {
		return Header{}, fmt.Errorf("%s: invalid dimensions %dx%d", f, h.Width, h.Height)
	}
	if h.Orientation < 1 || h.Orientation > 8 {
		h.Orientation = 1
	}
	h.Format = f
	h.ICC = bytes.Clone(h.ICC)
	return h, nil
}

// Decode decodes the pixels of data described by h. For JPEG, shrink (1, 2, 4 or 8) may reduce the
// decoded size to ceil(w/shrink) x ceil(h/shrink); so may an even shrink for a still lossy WebP,
// which then comes out as 4:4:4 YCbCr box-averaged in YCbCr (*image.NYCbCrA with alpha, its
// colour weighted by alpha), and for a HEIC whose primary item is a grid of 8-bit 4:2:0 HEVC tiles
// without alpha or clean aperture, which comes out as 4:4:4 YCbCr too (see decodeGridShrunk);
// other formats, and other WebPs and HEICs, ignore shrink (the caller tells by the size of the
// picture). It never panics
// (decoder panics are recovered into errors). GIF gives its first frame on a canvas of the
// logical screen size (Header's size: the screen grown to hold a first frame that overflows
// it); animated WebP gives its first frame. HEIC comes out with irot/imir
// already applied and without alpha; AVIF comes out as stored (see Header.Orientation).
// For a header from Header.Thumbnail, Decode decodes that thumbnail item, from
// a copy of data whose pitm box names it, and holds it to the thumbnail's size.
// JPEG decoding watches ctx as it goes; other formats look at it only before they start,
// and all return ctx.Err() once ctx is done.
func Decode(ctx context.Context, data []byte, h Header, shrink int) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("decode %s: %v", h.Format, r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// HEIF decoders write the coded picture into a buffer of the ispe size:
	// a lie must be caught before they run.
	if h.coded != h.ispe {
		return nil, fmt.Errorf("%s: decoded %dx%d but the header says %dx%d", h.Format, h.coded.X, h.coded.Y, h.ispe.X, h.ispe.Y)
	}
	switch h.Format {
	case JPEG:
		img, err = decodeJPEG(ctx, data, shrink)
	case PNG:
		img, err = decodePNG(data)
	case GIF:
		img, err = decodeGIF(data)
	case TIFF:
		img, err = tiff.Decode(data)
	case BMP:
		img, err = bmp.Decode(data)
	case WebP:
		img, err = decodeWebP(data, shrink)
	case HEIC:
		img, err = decodeHEIC(ctx, data, h, shrink)
	case AVIF:
		// gen2brain/avif returns garbage without an error when the payload is missing.
		if ilocEnd(data) > int64(len(data)) {
			return nil, errors.New("decode avif: truncated file")
		}
		img, err = heif.DecodeAVIF(ctx, data)
		if errors.Is(err, heif.ErrDecode) {
			if why := avifUnsupportedMatrix(data); why != nil {
				err = why
			}
		}
		if err == nil && !h.clap.Empty() {
			img = cropTo(img, h.clap)
		}
	default:
		return nil, errUnknown
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	var damage error
	if err != nil {
		var jd *jpeg.DamagedError
		var bt *bmp.TruncatedError
		if img == nil || !errors.As(err, &jd) && !errors.As(err, &bt) {
			return nil, prefixed("decode "+string(h.Format), err)
		}
		damage = &Damage{Err: prefixed(string(h.Format), err)}
	}
	if err := checkSize(img, h, shrink); err != nil {
		return nil, err
	}
	return img, damage
}

// Damage is the error Decode returns together with a picture it decoded
// in part, from a damaged file (a JPEG cut short or with bad data, a BMP
// cut short): the caller may use the picture and report the damage as a
// warning. What could not be decoded is grey (JPEG) or black (BMP).
type Damage struct{ Err error }

func (e *Damage) Error() string { return e.Err.Error() }
func (e *Damage) Unwrap() error { return e.Err }

// checkSize returns an error unless img has the size the header h promises
// for a decode at 1/shrink: a lying header must not give a thumbnail of the
// wrong picture.
func checkSize(img image.Image, h Header, shrink int) error {
	if img == nil {
		return fmt.Errorf("%s: the decoder returned no image", h.Format)
	}
	w, ht := h.Width, h.Height
	got := img.Bounds().Size()
	if shrink > 1 {
		shrunk := image.Pt((w+shrink-1)/shrink, (ht+shrink-1)/shrink)
		if h.Format == JPEG || (h.Format == WebP || h.Format == HEIC) && got == shrunk {
			w, ht = shrunk.X, shrunk.Y
		}
	}
	if got != image.Pt(w, ht) {
		return fmt.Errorf("%s: decoded %dx%d but the header says %dx%d", h.Format, got.X, got.Y, w, ht)
	}
	return nil
}

// decodeGIF returns the first frame drawn onto a transparent canvas of the logical screen size
// (grown to hold the frame when the frame overflows it, see repairGIF),
// or the frame itself when it already covers the screen.
func decodeGIF(data []byte) (image.Image, error) {
	data = repairGIF(data)
	cfg, err := gif.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	frame, err := gif.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	screen := image.Rect(0, 0, cfg.Width, cfg.Height)
	if frame.Bounds() == screen {
		return frame, nil
	}
	canvas := image.NewNRGBA(screen)
	draw.Draw(canvas, screen, frame, image.Point{}, draw.Src)
	return canvas, nil
}

// prefixed returns err with the prefix, unless its message already starts
// with the format's name, as the standard decoders' errors do ("png: ...").
func prefixed(prefix string, err error) error {
	name := prefix[strings.LastIndex(prefix, " ")+1:]
	if strings.HasPrefix(err.Error(), name+":") {
		return err
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// cropTo returns the part r of img, as an image of its own whose bounds
// start at (0, 0). r must lie inside img's bounds.
func cropTo(img image.Image, r image.Rectangle) image.Image {
	dst := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), img, img.Bounds().Min.Add(r.Min), draw.Src)
	return dst
}
