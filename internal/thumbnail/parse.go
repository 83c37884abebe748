package thumbnail

import (
	"fmt"
	"strings"

	"github.com/thumbs-dev/thumbs/internal/encode"
)

// Fits lists the fit modes, the default first.
var Fits = []Fit{Contain, Cover}

// Crops lists the crop modes, the default first.
var Crops = []Crop{CropCenter, CropSmart}

// FormatNames lists the names ParseFormat accepts, Auto first; "jpg" is
// accepted too, as another name of JPEG.
func FormatNames() []string {
	names := []string{string(Auto)}
	for _, f := range encode.Formats {
		names = append(names, string(f))
	}
	return names
}

// ParseFit returns the Fit named by s, in any case: "contain" or "cover".
func ParseFit(s string) (Fit, error) {
	for _, f := range Fits {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("%q is not contain or cover", s)
}

// ParseCrop returns the Crop named by s, in any case: "center" or "smart".
func ParseCrop(s string) (Crop, error) {
	for _, c := range Crops {
		if strings.EqualFold(s, string(c)) {
			return c, nil
		}
	}
	return "", fmt.Errorf("%q is not center or smart", s)
}

// ParseFormat returns the output format named by s, in any case: Auto for
// "auto", else what encode.ParseFormat returns.
func ParseFormat(s string) (encode.Format, error) {
	if strings.EqualFold(s, string(Auto)) {
		return Auto, nil
	}
	f, err := encode.ParseFormat(s)
	if err != nil {
		return "", fmt.Errorf("%q is not one of %s", s, strings.Join(FormatNames(), ", "))
	}
	return f, nil
}
