package thumbnail

import (
	"fmt"
	"strconv"
	"strings"
)

// Box is a size an output must fit. A zero W or H leaves that side free.
type Box struct {
	W, H  int
	Label string // the size as the user wrote it, for output names
}

// ParseBox parses a size: "N" (an N×N box), "WxH", "Wx" or "xH".
func ParseBox(s string) (Box, error) {
	bad := func(why string) (Box, error) {
		return Box{}, fmt.Errorf("invalid size %q: %s", s, why)
	}
	w, h, found := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if !found {
		h = w
	}
	if w == "" && h == "" {
		return bad("want N, WxH, Wx or xH")
	}
	var b Box
	for _, side := range []struct {
		text string
		n    *int
	}{{w, &b.W}, {h, &b.H}} {
		if side.text == "" {
			continue
		}
		n, err := strconv.Atoi(side.text)
		if err != nil {
			return bad("want N, WxH, Wx or xH with whole numbers")
		}
		if n < 1 || n > 65535 {
			return bad("each side must be from 1 to 65535")
		}
		*side.n = n
	}
	b.Label = strings.TrimSpace(s)
	return b, nil
}

// String returns the box as "WxH", with an empty side left out.
func (b Box) String() string {
	side := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	return side(b.W) + "x" + side(b.H)
}

// Fit says how an image is fitted to a box.
type Fit string

// The fit modes.
const (
	Contain Fit = "contain" // scale to fit inside the box, keeping the aspect ratio
	Cover   Fit = "cover"   // scale to fill the box exactly, cropping the overflow
)

// Crop says which part of an image Cover keeps.
type Crop string

// The crop modes.
const (
	CropCenter Crop = "center" // keep the middle
	CropSmart  Crop = "smart"  // keep the most detailed region
)

// target returns the size of the image scaled for box b from srcW×srcH,
// before any crop: for Contain the whole image fits inside b, for Cover it
// covers b. Unless upscale is set, it is never larger than the source.
// A free side of b leaves Cover to behave as Contain.
func target(srcW, srcH int, b Box, fit Fit, upscale bool) (w, h int) {
	sx, sy := scaleFor(b.W, srcW), scaleFor(b.H, srcH)
	var s float64
	switch {
	case b.W == 0:
		s = sy
	case b.H == 0:
		s = sx
	case fit == Cover:
		s = max(sx, sy)
	default:
		s = min(sx, sy)
	}
	if !upscale && s > 1 {
		s = 1
	}
	w = max(1, int(float64(srcW)*s+0.5))
	h = max(1, int(float64(srcH)*s+0.5))
	if fit == Cover && b.W != 0 && b.H != 0 {
		// Rounding must never leave the image smaller than the box it covers.
		if s == sx {
			w = b.W
		}
		if s == sy {
			h = b.H
		}
	} else {
		if b.W != 0 && w > b.W && (upscale || srcW >= b.W) {
			w = b.W
		}
		if b.H != 0 && h > b.H && (upscale || srcH >= b.H) {
			h = b.H
		}
	}
	return w, h
}

func scaleFor(box, src int) float64 {
	if box == 0 {
		return 0
	}
	return float64(box) / float64(src)
}
