// Package tiff decodes the first image of a TIFF file into 8-bit pixels.
//
// It reads classic TIFF and BigTIFF in either byte order, the first IFD only
// (other pages and SubIFDs are ignored), strips and tiles, PlanarConfiguration
// 1 and 2, and IFD entries in any order.
//
// Samples: BitsPerSample 1 to 32 for unsigned and signed integers and 16, 24,
// 32 or 64 for floating point. Every sample is rounded to 8 bits, because
// thumbs resamples and writes 8-bit images: unsigned values are scaled from
// 0..2^n-1 to 0..255; signed values wider than 8 bits are shifted so that the
// most negative is 0 and then scaled (0 becomes mid grey), while 8-bit signed
// samples are read as unsigned bytes, as ImageMagick does, because files in
// the wild store ordinary grey levels that way; floating-point values are
// clamped to 0..1 and scaled to 0..255 (no tone mapping of values above 1;
// NaN is 0). Colour conversions and un-premultiplying work on the 8-bit
// samples. Predictor 2 (horizontal, 8, 16, 24 and 32-bit) and 3 (floating
// point) are undone, and FillOrder 2 is honoured.
//
// Photometric interpretations: WhiteIsZero, BlackIsZero, RGB, Palette,
// Separated with InkSet 1 (CMYK, converted without a profile as
// R = 255(1-C)(1-K)), YCbCr (YCbCrSubSampling, YCbCrCoefficients and
// ReferenceBlackWhite), and CIELab (8 or 16 bits, converted to sRGB through
// XYZ with a D50 white). ExtraSamples: associated alpha is un-premultiplied,
// unassociated alpha kept, unspecified extra samples ignored (planes of them
// are not even read). As libtiff and ImageMagick do, an RGB image with a
// fourth sample but no ExtraSamples tag is taken as RGBA, and a missing
// PhotometricInterpretation is WhiteIsZero for CCITT data, RGB for three or
// more samples, and BlackIsZero otherwise.
//
// Compression: none, CCITT modified Huffman (2) and T.4 (3; 1-D and 2-D, with
// or without EOL fill bits) by this package's own decoder, CCITT T.6 (4)
// through golang.org/x/image/ccitt, LZW (also libtiff's old LSB-first
// "compat" codes), old-style JPEG when JPEGInterchangeFormat (or a single
// strip) holds a complete JPEG stream, JPEG (JPEGTables spliced in front of
// each strip or tile and decoded by internal/jpeg; CMYK streams without an
// Adobe marker are taken as plain CMYK; with PlanarConfiguration 2 each
// stream is one grey plane), WebP (50001, RGB or RGBA strips through
// golang.org/x/image/webp), Deflate (8 and 32946), PackBits, and
// LZMA (34925: the xz container libtiff writes, parsed here so that a delta
// filter before LZMA2 works too, with LZMA2 from github.com/ulikunitz/xz/lzma,
// a pure-Go BSD-licensed package). Bilevel CCITT data is read as libtiff
// does: black runs are 1 bits, which PhotometricInterpretation then maps.
// Refused with an error naming the field: other compressions (JPEG XL,
// ZSTD...), CCITT uncompressed mode, JPEG with other than 8-bit samples, JPEG
// YCbCr with PlanarConfiguration 2, old-style JPEG without a complete JPEG
// stream, ICCLab and ITULab, InkSet 2, samples of different sizes.
//
// The Orientation tag is reported by DecodeConfig, not applied.
//
// Results: *image.Gray for grey images without alpha, *image.NRGBA for all
// others; both are the types internal/thumbnail shrinks fast. A field that
// cannot be honoured gives an error naming the field and matching
// ErrUnsupported; malformed or truncated data gives an error saying which
// strip or tile failed, never a partial picture.
//
// Why not an existing library: golang.org/x/image/tiff refuses CMYK,
// subsampled YCbCr, JPEG, CCITT, planar data, 12- and 32-bit, float and
// signed samples, and decodes fax and FillOrder 2 files into wrong pixels;
// github.com/hhrutter/tiff (v1.0.6) is a fork of it that adds CMYK and CCITT
// but none of the rest; github.com/google/tiff and github.com/chai2010/tiff
// have no module versions on the Go module proxy, so they cannot be pinned.
// Libraries binding libtiff need cgo, which the static CGO_ENABLED=0 build
// excludes.
package tiff
