package thumbnail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"image/png"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	gwebp "github.com/gen2brain/webp"
	"github.com/thumbs-dev/thumbs/internal/encode"
	"github.com/thumbs-dev/thumbs/internal/testimage"
)

var updateRendering = flag.Bool("update-rendering", false, "rewrite testdata/rendering.golden after a RenderingVersion bump")

const renderingGolden = "testdata/rendering.golden"

// renderings returns the golden thumbnails: each a name and its bytes, made
// from generated pictures in several formats, through several options.
func renderings(t *testing.T) map[string][]byte {
	t.Helper()
	var pngPhoto, pngAlpha, pngDeep bytes.Buffer
	png.Encode(&pngPhoto, testimage.Photo(640, 427))
	png.Encode(&pngAlpha, testimage.Translucent(300, 200))
	png.Encode(&pngDeep, deep(testimage.Translucent(300, 200)))
	var webpAlpha bytes.Buffer
	if err := gwebp.Encode(&webpAlpha, testimage.Translucent(1200, 800), gwebp.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	heic, err := os.ReadFile("../decode/testdata/thumbitem.heic")
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string][]byte{
		"heic-thumbnail-item": heic, // 256 from the primary item, the smaller boxes from the thumbnail item
		"jpeg":                testimage.JPEG(testimage.Photo(1600, 1067), 90, 0, false),
		"jpeg-oriented":       testimage.JPEG(testimage.Stored(testimage.Quadrants(400, 300), 6), 90, 6, false),
		"png":                 pngPhoto.Bytes(),
		"png-alpha":           pngAlpha.Bytes(),
		"png-16":              pngDeep.Bytes(),
		"webp-alpha":          webpAlpha.Bytes(), // lossy, shrunk on load by 2, 4 and 6
	}
	box := func(s string) Box {
		b, err := ParseBox(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	options := map[string]Options{
		"auto-256":   {Boxes: []Box{box("256")}, Format: Auto, Quality: 85, Fit: Contain},
		"png-100x":   {Boxes: []Box{box("100x")}, Format: encode.PNG, Quality: 85, Fit: Contain},
		"webp-cover": {Boxes: []Box{box("64x64")}, Format: encode.WebP, Quality: 80, Fit: Cover, Crop: CropSmart},
	}
	out := make(map[string][]byte)
	for sname, data := range sources {
		for oname, o := range options {
			thumbs, err := Make(context.Background(), data, o)
			if err != nil {
				t.Fatalf("%s %s: %v", sname, oname, err)
			}
			for _, th := range thumbs {
				out[fmt.Sprintf("%s %s %s", sname, oname, th.Box.Label)] = th.Data
			}
		}
	}
	return out
}

// TestRenderingVersion pins RenderingVersion to the bytes of golden
// thumbnails: a change to any output byte must come with a bump of the
// version, so that the run record remakes older thumbnails, and a bump
// with -update-rendering records the new bytes.
func TestRenderingVersion(t *testing.T) {
	var b strings.Builder
	fmt.Fprintf(&b, "rendering %d\n", RenderingVersion)
	got := renderings(t)
	names := make([]string, 0, len(got))
	for name := range got {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		sum := sha256.Sum256(got[name])
		fmt.Fprintf(&b, "%s %s\n", hex.EncodeToString(sum[:]), name)
	}
	old, err := os.ReadFile(renderingGolden)
	if err != nil && !*updateRendering {
		t.Fatal(err)
	}
	oldVersion := 0
	if first, _, ok := strings.Cut(string(old), "\n"); ok {
		oldVersion, _ = strconv.Atoi(strings.TrimPrefix(first, "rendering "))
	}
	if *updateRendering {
		if string(old) != b.String() && oldVersion == RenderingVersion && len(old) > 0 {
			t.Fatalf("output bytes changed but RenderingVersion is still %d: bump it first", RenderingVersion)
		}
		if err := os.WriteFile(renderingGolden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(old) != b.String() {
		if oldVersion == RenderingVersion {
			t.Errorf("output bytes changed, but RenderingVersion is still %d: bump it in internal/thumbnail, then run\n\tgo test -tags nodynamic ./internal/thumbnail -run TestRenderingVersion -update-rendering\ngot:\n%s\nwant:\n%s", RenderingVersion, b.String(), old)
		} else {
			t.Errorf("RenderingVersion is %d but %s records %d: run\n\tgo test -tags nodynamic ./internal/thumbnail -run TestRenderingVersion -update-rendering", RenderingVersion, renderingGolden, oldVersion)
		}
	}
}
