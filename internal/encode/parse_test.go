package encode

import "testing"

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr string
	}{
		{in: "jpeg", want: JPEG},
		{in: "JPEG", want: JPEG},
		{in: "jpg", want: JPEG},
		{in: "Jpg", want: JPEG},
		{in: "png", want: PNG},
		{in: "WebP", want: WebP},
		{in: "AVIF", want: AVIF},
		{in: "gif", wantErr: `"gif" is not one of jpeg, png, webp, avif`},
		{in: "", wantErr: `"" is not one of jpeg, png, webp, avif`},
		{in: "auto", wantErr: `"auto" is not one of jpeg, png, webp, avif`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseFormat(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseFormat(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
