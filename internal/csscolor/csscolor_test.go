package csscolor

import (
	"image/color"
	"testing"

	"golang.org/x/image/colornames"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    color.NRGBA
		wantErr bool
	}{
		{in: "white", want: color.NRGBA{255, 255, 255, 255}},
		{in: "Black", want: color.NRGBA{0, 0, 0, 255}},
		{in: "REBECCAPURPLE", want: color.NRGBA{0x66, 0x33, 0x99, 255}},
		{in: "transparent", want: color.NRGBA{}},
		{in: "#abc", want: color.NRGBA{0xaa, 0xbb, 0xcc, 255}},
		{in: "#abcd", want: color.NRGBA{0xaa, 0xbb, 0xcc, 0xdd}},
		{in: "#102030", want: color.NRGBA{0x10, 0x20, 0x30, 255}},
		{in: "#A0B0C0", want: color.NRGBA{0xa0, 0xb0, 0xc0, 255}},
		{in: "#10203040", want: color.NRGBA{0x10, 0x20, 0x30, 0x40}},
		{in: "#ff000080", want: color.NRGBA{255, 0, 0, 0x80}},
		{in: "102030", wantErr: true},
		{in: "#12", wantErr: true},
		{in: "#12345", wantErr: true},
		{in: "#1234567", wantErr: true},
		{in: "#123456789", wantErr: true},
		{in: "#ggg", wantErr: true},
		{in: "#+12", wantErr: true},
		{in: "", wantErr: true},
		{in: "#", wantErr: true},
		{in: "reddish", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr {
				want := `"` + tt.in + `" is not a CSS colour name, #rgb, #rrggbb or #rrggbbaa`
				if err == nil || err.Error() != want {
					t.Fatalf("Parse(%q) = %v, %v; want error %q", tt.in, got, err, want)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestNamesAgreeWithSVG checks the table against another: the SVG 1.1
// colour keywords of golang.org/x/image/colornames, which CSS Color 4 took
// over unchanged, adding only rebeccapurple.
func TestNamesAgreeWithSVG(t *testing.T) {
	if len(named) != 148 {
		t.Errorf("%d named colours, want the 148 of CSS Color 4", len(named))
	}
	for name, want := range colornames.Map {
		got, err := Parse(name)
		if err != nil {
			t.Errorf("Parse(%q): %v", name, err)
			continue
		}
		if got != (color.NRGBA{want.R, want.G, want.B, want.A}) {
			t.Errorf("Parse(%q) = %v, want %v", name, got, want)
		}
	}
	for name := range named {
		if _, ok := colornames.Map[name]; !ok && name != "rebeccapurple" {
			t.Errorf("%q is not a CSS colour name", name)
		}
	}
	if n := len(Names()); n != 149 {
		t.Errorf("Names() has %d names, want 148 and transparent", n)
	}
}
