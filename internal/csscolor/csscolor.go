// Package csscolor parses colours written as in CSS: the named colours of
// CSS Color Module Level 4, "transparent", and hex notation.
package csscolor

import (
	"fmt"
	"image/color"
	"sort"
	"strconv"
	"strings"
)

// Parse returns the colour s names, in any case: one of the 148 named
// colours of CSS Color Module Level 4 ("white", "rebeccapurple"),
// "transparent" (black with alpha 0), or hex notation "#rgb", "#rgba",
// "#rrggbb" or "#rrggbbaa". Its error quotes s and says what is accepted.
func Parse(s string) (color.NRGBA, error) {
	lower := strings.ToLower(s)
	if lower == "transparent" {
		return color.NRGBA{}, nil
	}
	if v, ok := named[lower]; ok {
		return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}, nil
	}
	hex, ok := strings.CutPrefix(s, "#")
	v, err := strconv.ParseUint(hex, 16, 32)
	if !ok || err != nil || strings.HasPrefix(hex, "+") {
		return color.NRGBA{}, fmt.Errorf("%q is not a CSS colour name, #rgb, #rrggbb or #rrggbbaa", s)
	}
	switch len(hex) {
	case 3:
		return color.NRGBA{nibble(v >> 8), nibble(v >> 4), nibble(v), 255}, nil
	case 4:
		return color.NRGBA{nibble(v >> 12), nibble(v >> 8), nibble(v >> 4), nibble(v)}, nil
	case 6:
		return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}, nil
	case 8:
		return color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
	}
	return color.NRGBA{}, fmt.Errorf("%q is not a CSS colour name, #rgb, #rrggbb or #rrggbbaa", s)
}

// nibble returns the low hex digit of v doubled into a byte: 0xa gives 0xaa.
func nibble(v uint64) uint8 { return uint8(v&0xf) * 0x11 }

// Names returns the named colours Parse accepts, sorted, "transparent"
// among them.
func Names() []string {
	names := []string{"transparent"}
	for n := range named {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
