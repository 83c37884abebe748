// Command psnr measures how faithful thumbnails are: each thumbnail is
// compared with a reference made by decoding its source at full resolution
// and resizing it with a Lanczos filter (github.com/disintegration/imaging)
// to exactly the thumbnail's size. Sources are decoded by imaging.Open
// (Go's decoders), lossy WebP with a colour-range fix (see open). Transparent sources are flattened onto
// white (as thumbs does for JPEG, and as bench/compare.sh asks the other
// tools to do). PSNR is in dB, computed twice: over BT.601 luma (Y) and
// over the R, G and B channels together (RGB). Y is the fairer measure of
// resampling: RGB also charges chroma subsampling, which tools choose
// differently (ImageMagick keeps the source JPEG's, libvips and thumbs
// write 4:2:0). An identical pair has infinite PSNR, printed as "inf".
//
// Usage:
//
//	psnr [flags] SRCDIR OUTDIR [OUTDIR...]
//	psnr [flags] -pairs SRC OUT [SRC OUT...]
//
// In directory mode, sources and thumbnails are matched by base name
// without extension (a.png matches a.jpg), both trees are walked
// recursively, and files whose name starts with "." are ignored. Every
// source must have exactly one thumbnail in every OUTDIR and every
// thumbnail a source, or psnr fails.
//
// Output is one tab-separated line per OUTDIR (or one for all pairs):
//
//	OUTDIR  COUNT  MEAN_Y  MIN_Y  MEAN_RGB  MIN_RGB  WORST_Y_FILE
//
// after a header line starting with "#". A mean is over images of each
// image's PSNR in dB, capped at 99 dB (identical images). With -v, each comparison is also printed on
// stderr. With -box N, each thumbnail's long side must be N (or the
// source's long side, when that is smaller and the tool does not upscale)
// and its short side must keep the source's aspect ratio to within a pixel.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"image"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/disintegration/imaging"
	"golang.org/x/image/webp"
)

type pair struct {
	src  string
	outs []string // one per output set; "" where missing
}

type result struct {
	y, rgb float64 // PSNR in dB
	err    error
}

func main() {
	box := flag.Int("box", 0, "check each thumbnail fits a NxN box with the source's aspect ratio (0: no check)")
	pairs := flag.Bool("pairs", false, "arguments are SRC OUT pairs of files instead of SRCDIR OUTDIR...")
	pairsFile := flag.String("pairs-file", "", "read tab-separated SRC OUT pairs, one a line, from this file (\"-\": stdin)")
	ref := flag.Bool("ref", false, "each SRC is a reference at the thumbnail's size: compare pixels directly, no orientation, no resize")
	each := flag.Bool("each", false, "print one line per pair (SRC OUT Y RGB, or SRC OUT error) instead of the summary")
	jobs := flag.Int("j", runtime.GOMAXPROCS(0), "sources decoded at once")
	verbose := flag.Bool("v", false, "print every comparison on stderr")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: psnr [flags] SRCDIR OUTDIR [OUTDIR...]\n       psnr [flags] -pairs SRC OUT [SRC OUT...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *jobs < 1 {
		*jobs = 1
	}
	if *ref && *box > 0 {
		fatalf("-box needs the sources, and -ref has only references")
	}

	var (
		work  []pair
		names []string // one per output set
	)
	args := flag.Args()
	if *pairsFile != "" {
		if *pairs || len(args) > 0 {
			fatalf("-pairs-file takes no arguments and no -pairs")
		}
		var err error
		work, err = readPairs(*pairsFile)
		if err != nil {
			fatalf("%v", err)
		}
		names = []string{"pairs"}
	} else if *pairs {
		if len(args) == 0 || len(args)%2 != 0 {
			fatalf("-pairs needs SRC OUT pairs")
		}
		for i := 0; i < len(args); i += 2 {
			work = append(work, pair{src: args[i], outs: []string{args[i+1]}})
		}
		names = []string{"pairs"}
	} else {
		if len(args) < 2 {
			flag.Usage()
			os.Exit(2)
		}
		var err error
		work, err = matchDirs(args[0], args[1:])
		if err != nil {
			fatalf("%v", err)
		}
		names = args[1:]
	}

	results := make([][]result, len(work))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < *jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if *ref {
					results[i] = compareRef(work[i])
				} else {
					results[i] = compare(work[i], *box)
				}
			}
		}()
	}
	for i := range work {
		next <- i
	}
	close(next)
	wg.Wait()

	if *each {
		printEach(work, results)
		return
	}

	failed := false
	fmt.Printf("#output\tcount\tmean_y_db\tmin_y_db\tmean_rgb_db\tmin_rgb_db\tworst_y\n")
	for k, name := range names {
		sumY, minY, sumRGB, minRGB, n, worst := 0.0, math.Inf(1), 0.0, math.Inf(1), 0, ""
		for i, p := range work {
			r := results[i][k]
			if r.err != nil {
				fmt.Fprintf(os.Stderr, "psnr: %s: %s: %v\n", name, filepath.Base(p.src), r.err)
				failed = true
				continue
			}
			if *verbose {
				fmt.Fprintf(os.Stderr, "Y %s\tRGB %s\t%s\t%s\n", formatDB(r.y), formatDB(r.rgb), p.outs[k], p.src)
			}
			n++
			sumY += r.y
			sumRGB += r.rgb
			minRGB = math.Min(minRGB, r.rgb)
			if r.y < minY || worst == "" {
				minY, worst = r.y, filepath.Base(p.outs[k])
			}
		}
		meanY, meanRGB := math.NaN(), math.NaN()
		if n > 0 {
			meanY, meanRGB = sumY/float64(n), sumRGB/float64(n)
		}
		fmt.Printf("%s\t%d\t%s\t%s\t%s\t%s\t%s\n", name, n,
			formatDB(meanY), formatDB(minY), formatDB(meanRGB), formatDB(minRGB), worst)
	}
	if failed {
		os.Exit(1)
	}
}

func formatDB(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsNaN(v):
		return "nan"
	}
	return fmt.Sprintf("%.2f", v)
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "psnr: "+format+"\n", a...)
	os.Exit(1)
}

// stemFiles maps base name without extension to path for the regular,
// non-hidden files under dir.
func stemFiles(dir string) (map[string]string, error) {
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		stem := strings.TrimSuffix(d.Name(), filepath.Ext(d.Name()))
		if prev, ok := m[stem]; ok {
			return fmt.Errorf("%s and %s have the same base name %q: cannot match them", prev, path, stem)
		}
		m[stem] = path
		return nil
	})
	return m, err
}

func matchDirs(srcDir string, outDirs []string) ([]pair, error) {
	srcs, err := stemFiles(srcDir)
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no files in %s", srcDir)
	}
	stems := make([]string, 0, len(srcs))
	for s := range srcs {
		stems = append(stems, s)
	}
	sort.Strings(stems)
	work := make([]pair, len(stems))
	for i, s := range stems {
		work[i] = pair{src: srcs[s], outs: make([]string, len(outDirs))}
	}
	var problems []string
	for k, dir := range outDirs {
		outs, err := stemFiles(dir)
		if err != nil {
			return nil, err
		}
		for i, s := range stems {
			work[i].outs[k] = outs[s] // "" if missing: reported by compare
			delete(outs, s)
		}
		for _, extra := range outs {
			problems = append(problems, fmt.Sprintf("%s has no source in %s", extra, srcDir))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return work, nil
}

// readPairs reads tab-separated SRC OUT pairs, one a line, from the file
// at name, or stdin for "-". Empty lines are ignored.
func readPairs(name string) ([]pair, error) {
	f := os.Stdin
	if name != "-" {
		var err error
		if f, err = os.Open(name); err != nil {
			return nil, err
		}
		defer f.Close()
	}
	var work []pair
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		if sc.Text() == "" {
			continue
		}
		src, out, ok := strings.Cut(sc.Text(), "\t")
		if !ok || src == "" || out == "" || strings.Contains(out, "\t") {
			return nil, fmt.Errorf("%s:%d: want SRC<tab>OUT", name, line)
		}
		work = append(work, pair{src: src, outs: []string{out}})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return work, nil
}

// printEach prints one line per pair and output set: the pair, then its
// PSNR over Y and RGB, or the reason it could not be compared.
func printEach(work []pair, results [][]result) {
	w := bufio.NewWriter(os.Stdout)
	for i, p := range work {
		for k, r := range results[i] {
			if r.err != nil {
				fmt.Fprintf(w, "%s\t%s\terror: %s\n", p.src, p.outs[k], oneLine(r.err.Error()))
				continue
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.src, p.outs[k], formatDB(r.y), formatDB(r.rgb))
		}
	}
	if err := w.Flush(); err != nil {
		fatalf("%v", err)
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// compareRef compares each of p.outs with p.src, a reference already at
// the thumbnails' size, both flattened onto white.
func compareRef(p pair) []result {
	res := make([]result, len(p.outs))
	refImg, err := imaging.Open(p.src)
	if err != nil {
		for k := range res {
			res[k].err = fmt.Errorf("reference: %w", err)
		}
		return res
	}
	ref := flatten(imaging.Clone(refImg))
	for k, out := range p.outs {
		thumbImg, err := imaging.Open(out)
		if err != nil {
			res[k].err = err
			continue
		}
		thumb := flatten(imaging.Clone(thumbImg))
		if thumb.Bounds().Size() != ref.Bounds().Size() {
			res[k].err = fmt.Errorf("thumbnail is %v, reference %v", thumb.Bounds().Size(), ref.Bounds().Size())
			continue
		}
		res[k].y, res[k].rgb = psnr(ref, thumb)
	}
	return res
}

// compare decodes p.src once and compares it with each of p.outs.
func compare(p pair, box int) []result {
	res := make([]result, len(p.outs))
	srcImg, err := open(p.src)
	if err != nil {
		for k := range res {
			res[k].err = fmt.Errorf("source: %w", err)
		}
		return res
	}
	src := imaging.Clone(srcImg) // *image.NRGBA, once, so each Resize takes the fast path
	srcImg = nil
	sw, sh := src.Bounds().Dx(), src.Bounds().Dy()
	refs := map[image.Point]*image.NRGBA{} // tools often agree on the size
	for k, out := range p.outs {
		if out == "" {
			res[k].err = errors.New("no thumbnail")
			continue
		}
		thumbImg, err := open(out)
		if err != nil {
			res[k].err = err
			continue
		}
		thumb := flatten(imaging.Clone(thumbImg))
		size := thumb.Bounds().Size()
		if box > 0 {
			if err := checkBox(sw, sh, size.X, size.Y, box); err != nil {
				res[k].err = err
				continue
			}
		}
		ref, ok := refs[size]
		if !ok {
			ref = flatten(imaging.Resize(src, size.X, size.Y, imaging.Lanczos))
			refs[size] = ref
		}
		res[k].y, res[k].rgb = psnr(ref, thumb)
	}
	return res
}

// open decodes the image at path, turned upright by its EXIF orientation.
//
// Lossy WebP needs care: VP8 stores limited-range ("studio swing") BT.601
// YCbCr, and both Go decoders at hand (golang.org/x/image/webp, and
// github.com/gen2brain/webp, which runs libwebp's YUV decoder) return those
// planes as image.YCbCr / image.NYCbCrA, which Go converts to RGB as
// full-range JPEG YCbCr: blacks come out lifted (16) and whites dimmed
// (235), golang/go#19672. libvips, ImageMagick and dwebp convert with the
// limited-range matrix, as libwebp does; so does open, so that the reference
// is the image the file really holds.
func open(path string) (image.Image, error) {
	if !strings.EqualFold(filepath.Ext(path), ".webp") {
		return imaging.Open(path, imaging.AutoOrientation(true))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := webp.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode webp %s: %w", path, err)
	}
	switch m := img.(type) {
	case *image.YCbCr:
		return limitedRange(m, nil, 0), nil
	case *image.NYCbCrA:
		return limitedRange(&m.YCbCr, m.A, m.AStride), nil
	}
	return img, nil // lossless VP8L: already RGB
}

// limitedRange converts limited-range BT.601 YCbCr (and an optional alpha
// plane) to NRGBA with libwebp's coefficients; chroma is upsampled by
// repetition (libwebp interpolates, which matters little for a reference
// that is then downscaled many times).
func limitedRange(m *image.YCbCr, alpha []uint8, aStride int) *image.NRGBA {
	b := m.Bounds()
	dst := image.NewNRGBA(b)
	clip := func(v float64) uint8 {
		switch {
		case v <= 0:
			return 0
		case v >= 255:
			return 255
		}
		return uint8(v + 0.5)
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := dst.Pix[(y-b.Min.Y)*dst.Stride:]
		for x := b.Min.X; x < b.Max.X; x++ {
			yy := 1.164383 * (float64(m.Y[m.YOffset(x, y)]) - 16)
			ci := m.COffset(x, y)
			u, v := float64(m.Cb[ci])-128, float64(m.Cr[ci])-128
			i := (x - b.Min.X) * 4
			row[i+0] = clip(yy + 1.596027*v)
			row[i+1] = clip(yy - 0.391762*u - 0.812968*v)
			row[i+2] = clip(yy + 2.017232*u)
			row[i+3] = 0xff
			if alpha != nil {
				row[i+3] = alpha[(y-b.Min.Y)*aStride+(x-b.Min.X)]
			}
		}
	}
	return dst
}

// checkBox reports whether a w×h thumbnail of a sw×sh source fits a box×box
// box the way a "fit inside" thumbnailer would make it.
func checkBox(sw, sh, w, h, box int) error {
	long, short, slong, sshort := w, h, sw, sh
	if sh > sw {
		long, short, slong, sshort = h, w, sh, sw
	}
	wantLong := box
	if slong < box && long == slong { // no upscaling: kept at source size
		wantLong = slong
	}
	if long != wantLong {
		return fmt.Errorf("%dx%d thumbnail of a %dx%d source: long side %d, want %d", w, h, sw, sh, long, wantLong)
	}
	wantShort := float64(sshort) * float64(long) / float64(slong)
	if math.Abs(float64(short)-wantShort) > 1 {
		return fmt.Errorf("%dx%d thumbnail of a %dx%d source: short side %d, want %.1f (±1)", w, h, sw, sh, short, wantShort)
	}
	return nil
}

// flatten composites img onto opaque white in place and returns it.
func flatten(img *image.NRGBA) *image.NRGBA {
	for i := 0; i+3 < len(img.Pix); i += 4 {
		a := uint32(img.Pix[i+3])
		if a == 0xff {
			continue
		}
		for c := 0; c < 3; c++ {
			v := uint32(img.Pix[i+c])
			img.Pix[i+c] = uint8((v*a + 0xff*(0xff-a) + 0x7f) / 0xff)
		}
		img.Pix[i+3] = 0xff
	}
	return img
}

// psnr of b against reference a, which have the same size, in dB: over
// luma, and over R, G and B.
func psnr(a, b *image.NRGBA) (y, rgb float64) {
	var sumY, sumRGB float64
	bounds := a.Bounds()
	for row := 0; row < bounds.Dy(); row++ {
		ra := a.Pix[row*a.Stride : row*a.Stride+bounds.Dx()*4]
		rb := b.Pix[row*b.Stride : row*b.Stride+bounds.Dx()*4]
		for i := 0; i < len(ra); i += 4 {
			d := luma(ra[i:i+3]) - luma(rb[i:i+3])
			sumY += d * d
			for c := 0; c < 3; c++ {
				d := float64(ra[i+c]) - float64(rb[i+c])
				sumRGB += d * d
			}
		}
	}
	px := float64(bounds.Dx() * bounds.Dy())
	return toDB(sumY / px), toDB(sumRGB / (3 * px))
}

// maxDB caps the PSNR of identical images, so that a mean stays finite.
const maxDB = 99

func toDB(mse float64) float64 {
	if mse == 0 {
		return maxDB
	}
	return math.Min(maxDB, 10*math.Log10(255*255/mse))
}

func luma(p []uint8) float64 {
	return 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
}
