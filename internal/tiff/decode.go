package tiff

import (
	"errors"
	"fmt"
	"image"
	"strings"
)

// formatError reports a file that is not valid TIFF.
type formatError string

func (e formatError) Error() string { return "tiff: invalid format: " + string(e) }

// unsupportedError reports a valid TIFF feature this package does not decode.
type unsupportedError string

func (e unsupportedError) Error() string { return "tiff: unsupported feature: " + string(e) }

// chunkError reports the strip or tile whose data failed.
type chunkError struct {
	what  string // "strip" or "tile"
	index int
	of    int
	err   error
}

func (e *chunkError) Error() string {
	return fmt.Sprintf("tiff: %s %d of %d: %s", e.what, e.index, e.of, strings.TrimPrefix(e.err.Error(), "tiff: "))
}

func (e *chunkError) Unwrap() error { return e.err }

// ErrUnsupported is matched by errors.Is for every error about a valid but
// unsupported feature; the message names the field.
var ErrUnsupported = errors.New("tiff: unsupported feature")

func (e unsupportedError) Is(target error) bool { return target == ErrUnsupported }

// Config is what the first IFD says about the image before its pixels are decoded.
type Config struct {
	Width, Height int    // as stored, before Orientation is applied
	Orientation   int    // the Orientation tag, 1..8; 1 when absent or out of range
	ICC           []byte // the ICC profile of tag 34675, nil when none; it aliases data
}

// DecodeConfig reads the header and first IFD of data without decoding pixels.
// It does not check that the pixels can be decoded.
func DecodeConfig(data []byte) (c Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = Config{}, fmt.Errorf("tiff: internal error: %v", r)
		}
	}()
	d, err := parseIFD(data)
	if err != nil {
		return Config{}, err
	}
	c = Config{
		Width:       int(min(d.uint(tagWidth, 0), maxSide+1)),
		Height:      int(min(d.uint(tagHeight, 0), maxSide+1)),
		Orientation: int(d.uint(tagOrientation, 1)),
	}
	if c.Orientation < 1 || c.Orientation > 8 {
		c.Orientation = 1
	}
	if f, ok := d.fields[tagICC]; ok && (f.typ == typeUndefined || f.typ == typeByte) && len(f.raw) > 0 {
		c.ICC = f.raw
	}
	if c.Width == 0 || c.Height == 0 {
		return Config{}, formatError(fmt.Sprintf("ImageWidth x ImageLength is %dx%d", c.Width, c.Height))
	}
	return c, nil
}

// Decode decodes the first image of a TIFF file. It returns *image.Gray for
// grey images without alpha and *image.NRGBA for everything else; samples deeper
// than 8 bits are rounded to 8 bits (see the package documentation for how
// each sample format and photometric interpretation maps). Orientation is not
// applied. Decode never panics; a field it cannot honour gives an error
// naming the field, which matches ErrUnsupported.
func Decode(data []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("tiff: internal error: %v", r)
		}
	}()
	d, err := parseIFD(data)
	if err != nil {
		return nil, err
	}
	l, err := readLayout(d)
	if err != nil {
		return nil, err
	}
	p, err := newPlanes(d, l)
	if err != nil {
		return nil, err
	}
	if l.compression == cOldJPEG {
		err = p.readOldJPEG(data, d)
	} else {
		err = p.readChunks(data, d)
	}
	if err != nil {
		return nil, err
	}
	return p.image(d)
}
