package encode

import (
	"fmt"
	"strings"
)

// Formats lists the formats Encode writes, in the order help text shows them.
var Formats = []Format{JPEG, PNG, WebP, AVIF}

// ParseFormat returns the Format named by s, in any case: "jpeg" (or
// "jpg"), "png", "webp" or "avif". Its error quotes s and lists the names.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(s)
	if name == "jpg" {
		return JPEG, nil
	}
	for _, f := range Formats {
		if string(f) == name {
			return f, nil
		}
	}
	return "", fmt.Errorf("%q is not one of jpeg, png, webp, avif", s)
}
