package decode

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"testing"
)

// gifWithoutTables encodes a 4x1 image of palette indices 0, 1, 128 and 255
// and strips its global colour table.
func gifWithoutTables(t *testing.T) []byte {
	t.Helper()
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.RGBA{uint8(i), 50, 50, 255}
	}
	m := image.NewPaletted(image.Rect(0, 0, 4, 1), pal)
	copy(m.Pix, []uint8{0, 1, 128, 255})
	b := enc(t, func(w *bytes.Buffer) error { return gif.Encode(w, m, nil) })
	if b[10]&0x80 == 0 {
		t.Fatal("image/gif wrote no global colour table")
	}
	table := 3 << (b[10]&7 + 1)
	out := append([]byte{}, b[:13]...)
	out[10] &^= 0x87
	return append(out, b[13+table:]...)
}

func TestGIFDefaultPalette(t *testing.T) {
	data := gifWithoutTables(t)
	if _, err := gif.Decode(bytes.NewReader(data)); err == nil {
		t.Fatal("image/gif reads a GIF without colour tables: the test no longer tests anything")
	}
	h, err := ReadHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(context.Background(), data, h, 1)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	black, white := color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}
	for x, want := range []color.NRGBA{black, white, black, black} {
		if got := color.NRGBAModel.Convert(img.At(x, 0)); got != want {
			t.Errorf("pixel %d = %v, want %v (libnsgif's default palette)", x, got, want)
		}
	}
}

func TestRepairGIFLeavesSoundFilesAlone(t *testing.T) {
	m := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White})
	data := enc(t, func(w *bytes.Buffer) error { return gif.Encode(w, m, nil) })
	if got := repairGIF(data); &got[0] != &data[0] || len(got) != len(data) {
		t.Error("repairGIF copied a GIF that needs no repair")
	}
	for _, short := range [][]byte{nil, []byte("GIF89a"), data[:13], data[:20]} {
		if got := repairGIF(short); len(got) != len(short) {
			t.Errorf("repairGIF changed a %d-byte truncated stream to %d bytes", len(short), len(got))
		}
	}
}
