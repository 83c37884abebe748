package thumbnail

import (
	"testing"
)

func TestParseNames(t *testing.T) {
	tests := []struct {
		name    string
		parse   func(string) (string, error)
		in      string
		want    string
		wantErr string
	}{
		{"fit", parseFitString, "contain", "contain", ""},
		{"fit", parseFitString, "Cover", "cover", ""},
		{"fit", parseFitString, "COVER", "cover", ""},
		{"fit", parseFitString, "fill", "", `"fill" is not contain or cover`},
		{"fit", parseFitString, "", "", `"" is not contain or cover`},
		{"crop", parseCropString, "center", "center", ""},
		{"crop", parseCropString, "SMART", "smart", ""},
		{"crop", parseCropString, "centre", "", `"centre" is not center or smart`},
		{"format", parseFormatString, "auto", "auto", ""},
		{"format", parseFormatString, "AUTO", "auto", ""},
		{"format", parseFormatString, "JPEG", "jpeg", ""},
		{"format", parseFormatString, "jpg", "jpeg", ""},
		{"format", parseFormatString, "webp", "webp", ""},
		{"format", parseFormatString, "tiff", "", `"tiff" is not one of auto, jpeg, png, webp, avif`},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.in, func(t *testing.T) {
			got, err := tt.parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("%s %q = %q, %v; want error %q", tt.name, tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("%s %q = %q, %v; want %q", tt.name, tt.in, got, err, tt.want)
			}
		})
	}
}

func parseFitString(s string) (string, error) {
	f, err := ParseFit(s)
	return string(f), err
}

func parseCropString(s string) (string, error) {
	c, err := ParseCrop(s)
	return string(c), err
}

func parseFormatString(s string) (string, error) {
	f, err := ParseFormat(s)
	return string(f), err
}
