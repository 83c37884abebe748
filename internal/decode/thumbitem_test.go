package decode

import (
	"bytes"
	"context"
	"flag"
	"image"
	"os"
	"testing"
)

// TestHEICThumbnailItem checks that Header.Thumbnail picks the smallest
// thumbnail item that covers the box, and that Decode then decodes that
// item: in the spliced files the thumbnail item shows photo(256, 170) or
// photo(96, 64) and the primary item the negative of photo(512, 342), so
// the pixels tell which was decoded.
func TestHEICThumbnailItem(t *testing.T) {
	primary, photoHEIC, smallHEIC := readFile(t, "thumb.heic"), readFile(t, "photo.heic"), readFile(t, "photo96.heic")
	want := map[string]image.Image{"thumbnail": photo(256, 170), "small thumbnail": photo(96, 64), "primary": negative(photo(512, 342))}
	tests := []struct {
		name         string
		file         []byte
		boxW, boxH   int
		wantSize     image.Point
		wantPicture  string // "thumbnail" or "primary"; "" for heif-enc's own thumbnail
		wantFromItem bool
	}{
		{"iref v0 covers", withThumbnailItem(t, primary, photoHEIC, 0, 0), 128, 85, image.Pt(256, 170), "thumbnail", true},
		{"iref v1, pitm v1", withThumbnailItem(t, primary, photoHEIC, 1, 1), 128, 128, image.Pt(256, 170), "thumbnail", true},
		{"exact size", withThumbnailItem(t, primary, photoHEIC, 0, 0), 256, 170, image.Pt(256, 170), "thumbnail", true},
		{"box larger than thumbnail", withThumbnailItem(t, primary, photoHEIC, 0, 0), 300, 100, image.Pt(512, 342), "primary", false},
		{"small thumbnail item", withThumbnailItem(t, primary, smallHEIC, 0, 0), 90, 60, image.Pt(96, 64), "small thumbnail", true},
		{"box larger than small thumbnail", withThumbnailItem(t, primary, smallHEIC, 0, 0), 97, 60, image.Pt(512, 342), "primary", false},
		{"heif-enc -t 256", primary, 200, 100, image.Pt(256, 170), "", true},
		{"no thumbnail item", photoHEIC, 16, 16, image.Pt(256, 170), "thumbnail", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			th, ok := h.Thumbnail(tt.boxW, tt.boxH)
			if ok != tt.wantFromItem {
				t.Fatalf("Thumbnail(%d, %d) ok = %v, want %v", tt.boxW, tt.boxH, ok, tt.wantFromItem)
			}
			if !ok {
				th = h
			}
			if got := image.Pt(th.Width, th.Height); got != tt.wantSize || th.Format != HEIC || th.Orientation != 1 {
				t.Fatalf("header %v %dx%d orientation %d, want heic %v orientation 1", th.Format, th.Width, th.Height, th.Orientation, tt.wantSize)
			}
			img, err := Decode(context.Background(), tt.file, th, 1)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantPicture == "" {
				return
			}
			// photo.heic is heif-enc -q 50, thumb.heic -q 30.
			if p := psnr(t, want[tt.wantPicture], img); p < 25 {
				t.Errorf("PSNR %.1f dB against the %s's picture, want >= 25", p, tt.wantPicture)
			}
		})
	}
}

// TestHEICThumbnailItemIgnored checks that thumbnail references that are
// malformed, or that do not lead to an hvc1 thumbnail of the primary item,
// leave the primary item to be decoded.
func TestHEICThumbnailItemIgnored(t *testing.T) {
	good := withThumbnailItem(t, readFile(t, "thumb.heic"), readFile(t, "photo.heic"), 0, 0)
	at := bytes.Index(good, []byte("thmb"))
	patch := func(off int, b ...byte) []byte {
		f := bytes.Clone(good)
		copy(f[off:], b)
		return f
	}
	ispe := bytes.LastIndex(good, []byte("ispe"))
	tests := []struct {
		name string
		file []byte
		// libheifRefuses is set where libheif itself refuses the file:
		// then Decode may fail (its primary item, handed to libheif as a
		// file of its own, decodes), but never give another picture.
		libheifRefuses bool
	}{
		{"reference count too large", patch(at+6, 0, 9), false},
		{"reference count zero", patch(at+6, 0, 0), true},
		{"iref version 2", patch(at-8, 2), true},
		{"other reference type", patch(at, 'c', 'd', 's', 'c'), false},
		{"refers to another item", patch(at+8, 0, 7), true},
		{"refers from itself", patch(at+4, 0, 1), true},
		{"thumbnail is not hvc1", bytes.Replace(good, []byte("\x00\x02\x00\x00hvc1"), []byte("\x00\x02\x00\x00Exif"), 1), false},
		{"thumbnail without ispe", patch(ispe, 'x', 'x', 'x', 'x'), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if bytes.Equal(tt.file, good) {
				t.Fatal("the patch changed nothing")
			}
			h, err := ReadHeader(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if th, ok := h.Thumbnail(64, 64); ok {
				t.Fatalf("Thumbnail = %dx%d, want none", th.Width, th.Height)
			}
			img, err := Decode(context.Background(), tt.file, h, 1)
			if tt.libheifRefuses && err != nil {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p := psnr(t, negative(photo(512, 342)), img); p < 25 {
				t.Errorf("PSNR %.1f dB against the primary's picture, want >= 25", p)
			}
		})
	}
}

// TestHEICThumbnailCost checks that the memory DecodeCost budgets for the
// thumbnail item is that of its own size, and that the decoder is held to
// that size.
func TestHEICThumbnailCost(t *testing.T) {
	file := withThumbnailItem(t, readFile(t, "thumb.heic"), readFile(t, "photo.heic"), 0, 0)
	h, err := ReadHeader(file)
	if err != nil {
		t.Fatal(err)
	}
	th, ok := h.Thumbnail(128, 85)
	if !ok {
		t.Fatal("no thumbnail")
	}
	photoHeader, err := ReadHeader(readFile(t, "photo.heic"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := th.DecodeCost(1), photoHeader.DecodeCost(1); got != want {
		t.Errorf("thumbnail DecodeCost = %d, want %d, that of a 256x170 HEIC", got, want)
	}
	if th.DecodeCost(1) >= h.DecodeCost(1) {
		t.Errorf("thumbnail DecodeCost %d not below the primary's %d", th.DecodeCost(1), h.DecodeCost(1))
	}
	lying := th
	lying.Width = 250
	if _, err := Decode(context.Background(), file, lying, 1); err == nil {
		t.Error("Decode of the thumbnail item against a header of another size: no error")
	}
}

var updateSpliced = flag.Bool("update-spliced", false, "rewrite testdata/thumbitem.heic from thumb.heic and photo.heic")

// TestSplicedFixture checks that testdata/thumbitem.heic, which other
// packages' tests read, is the file withThumbnailItem makes of thumb.heic
// and photo.heic (see testdata/README).
func TestSplicedFixture(t *testing.T) {
	want := withThumbnailItem(t, readFile(t, "thumb.heic"), readFile(t, "photo.heic"), 0, 0)
	if *updateSpliced {
		if err := os.WriteFile("testdata/thumbitem.heic", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(readFile(t, "thumbitem.heic"), want) {
		t.Error("testdata/thumbitem.heic differs from what withThumbnailItem makes; rerun with -update-spliced")
	}
}
