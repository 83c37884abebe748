package icc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ColorSpace is an ICC colour space signature, such as "RGB " or "Lab ".
type ColorSpace string

// The colour spaces a Profile can describe or connect through.
const (
	RGB  ColorSpace = "RGB "
	Gray ColorSpace = "GRAY"
	CMYK ColorSpace = "CMYK"
	XYZ  ColorSpace = "XYZ "
	Lab  ColorSpace = "Lab "
)

// channels returns the number of device channels of s, or 0 for a space a
// Profile does not accept as its data colour space.
func (s ColorSpace) channels() int {
	switch s {
	case Gray:
		return 1
	case RGB:
		return 3
	case CMYK:
		return 4
	}
	return 0
}

// Profile is a parsed ICC profile: its header and the tags needed to convert
// its device values to the profile connection space with the perceptual
// intent. A Profile is immutable and safe for concurrent use.
type Profile struct {
	// Version is the profile's version, major in the high byte and minor
	// and bug-fix nibbles in the low byte: 0x0430 for 4.3.
	Version uint16
	// Class is the device class signature, such as "mntr" or "prtr".
	Class string
	// Space is the colour space of the device values.
	Space ColorSpace
	// PCS is the profile connection space, XYZ or Lab.
	PCS ColorSpace

	// a2b, when not nil, is the A2B0 table, which takes precedence over
	// the matrix/TRC and gray TRC tags.
	a2b *lut
	// matrix holds the rXYZ, gXYZ and bXYZ colorants as columns, and trc
	// the red, green and blue curves, for an RGB matrix/TRC profile.
	matrix [3][3]float64
	trc    [3]*curve
	// gray is the kTRC curve of a gray profile.
	gray *curve
}

// headerSize is the size of the fixed ICC header; the tag count follows it.
const headerSize = 128

// maxTags bounds the tag table so a corrupt count cannot make Parse loop
// for long; real profiles have a few dozen tags.
const maxTags = 1024

// ErrUnsupported is wrapped by the errors of Parse for well-formed profiles
// that this package cannot convert, such as Lab images or device links.
var ErrUnsupported = errors.New("unsupported profile")

// Parse reads an ICC profile. It returns an error, never panics, for data
// that is truncated or malformed, and an error wrapping ErrUnsupported for
// a profile it cannot convert to sRGB.
func Parse(data []byte) (*Profile, error) {
	if len(data) < headerSize+4 {
		return nil, fmt.Errorf("icc: profile of %d bytes is shorter than its header", len(data))
	}
	size := binary.BigEndian.Uint32(data[0:])
	if uint64(size) > uint64(len(data)) {
		return nil, fmt.Errorf("icc: profile declares %d bytes but has %d", size, len(data))
	}
	if size < headerSize+4 {
		return nil, fmt.Errorf("icc: profile declares %d bytes, shorter than its header", size)
	}
	data = data[:size]
	if string(data[36:40]) != "acsp" {
		return nil, errors.New("icc: missing acsp signature")
	}
	p := &Profile{
		Version: binary.BigEndian.Uint16(data[8:]),
		Class:   string(data[12:16]),
		Space:   ColorSpace(data[16:20]),
		PCS:     ColorSpace(data[20:24]),
	}
	if p.Version>>8 < 2 || p.Version>>8 > 4 {
		return nil, fmt.Errorf("icc: version %d.%d: %w", p.Version>>8, p.Version>>4&0xf, ErrUnsupported)
	}
	if p.Space.channels() == 0 {
		return nil, fmt.Errorf("icc: colour space %q: %w", string(p.Space), ErrUnsupported)
	}
	if p.PCS != XYZ && p.PCS != Lab {
		return nil, fmt.Errorf("icc: connection space %q: %w", string(p.PCS), ErrUnsupported)
	}
	if p.Class == "link" || p.Class == "abst" || p.Class == "nmcl" {
		return nil, fmt.Errorf("icc: device class %q: %w", p.Class, ErrUnsupported)
	}
	tags, err := readTagTable(data)
	if err != nil {
		return nil, err
	}
	if t, ok := tags["A2B0"]; ok {
		l, err := parseLUT(t, p.Space.channels())
		if err != nil {
			return nil, fmt.Errorf("icc: A2B0: %w", err)
		}
		p.a2b = l
		return p, nil
	}
	switch p.Space {
	case RGB:
		if p.PCS != XYZ {
			return nil, errors.New("icc: matrix/TRC profile with a Lab connection space")
		}
		for i, name := range [3]string{"rXYZ", "gXYZ", "bXYZ"} {
			xyz, err := parseXYZ(tags[name])
			if err != nil {
				return nil, fmt.Errorf("icc: %s: %w", name, err)
			}
			for row := range 3 {
				p.matrix[row][i] = xyz[row]
			}
		}
		for i, name := range [3]string{"rTRC", "gTRC", "bTRC"} {
			c, _, err := parseCurve(tags[name])
			if err != nil {
				return nil, fmt.Errorf("icc: %s: %w", name, err)
			}
			p.trc[i] = c
		}
	case Gray:
		c, _, err := parseCurve(tags["kTRC"])
		if err != nil {
			return nil, fmt.Errorf("icc: kTRC: %w", err)
		}
		p.gray = c
	default:
		return nil, fmt.Errorf("icc: %s profile without an A2B0 table: %w", string(p.Space), ErrUnsupported)
	}
	return p, nil
}

// readTagTable returns the data of each tag, by signature, checking that
// every tag lies inside the profile.
func readTagTable(data []byte) (map[string][]byte, error) {
	n := binary.BigEndian.Uint32(data[headerSize:])
	if n > maxTags || uint64(headerSize+4)+uint64(n)*12 > uint64(len(data)) {
		return nil, fmt.Errorf("icc: tag table of %d entries does not fit in %d bytes", n, len(data))
	}
	tags := make(map[string][]byte, n)
	for i := range int(n) {
		e := data[headerSize+4+12*i:]
		sig := string(e[0:4])
		off, size := binary.BigEndian.Uint32(e[4:]), binary.BigEndian.Uint32(e[8:])
		if uint64(off)+uint64(size) > uint64(len(data)) || size < 8 {
			return nil, fmt.Errorf("icc: tag %q at %d+%d lies outside the profile", sig, off, size)
		}
		if _, dup := tags[sig]; !dup {
			tags[sig] = data[off : off+size]
		}
	}
	return tags, nil
}

// s15f16 decodes an s15Fixed16Number.
func s15f16(b []byte) float64 {
	return float64(int32(binary.BigEndian.Uint32(b))) / 65536
}

// parseXYZ decodes the first value of an XYZ tag.
func parseXYZ(t []byte) ([3]float64, error) {
	if t == nil {
		return [3]float64{}, errors.New("missing")
	}
	if string(t[:4]) != "XYZ " || len(t) < 20 {
		return [3]float64{}, fmt.Errorf("type %q is not a 12-byte XYZ", string(t[:4]))
	}
	return [3]float64{s15f16(t[8:]), s15f16(t[12:]), s15f16(t[16:])}, nil
}

// IsSRGB reports whether converting p's colours to sRGB changes no 8-bit
// RGB value by more than one level, so that pixels tagged with p can be
// treated as sRGB as they are. It builds a transform to decide; a caller
// that will convert anyway can ask the transform's Identity instead.
func (p *Profile) IsSRGB() bool {
	if p.Space != RGB {
		return false
	}
	t, err := NewTransform(p)
	return err == nil && t.Identity()
}

// finite reports whether every value of v is a finite number.
func finite(v ...float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
