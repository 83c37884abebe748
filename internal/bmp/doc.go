// Package bmp decodes Windows and OS/2 bitmap (BMP) files, the variants that
// ImageMagick and libvips read and golang.org/x/image/bmp refuses.
//
// Headers: BITMAPCOREHEADER (OS/2 1.x, 12 bytes, 3-byte palette entries),
// OS/2 2.x (16 to 64 bytes), BITMAPINFOHEADER (40) and its V2 (52), V3 (56),
// V4 (108) and V5 (124) extensions, bottom-up and top-down (negative height).
// An OS/2 bitmap array ("BA") gives its first bitmap; OS/2 icons and pointers
// ("CI", "CP", "IC", "PT") are refused. The pixels are read at the file
// header's pixel-data offset, whatever lies between the palette and them.
//
// Pixels: 1, 2, 4 and 8 bits through a palette; 16 bits (5-5-5 by default,
// or any masks with BI_BITFIELDS); 24 bits; 32 bits (B-G-R-unused by default,
// or any masks with BI_BITFIELDS or BI_ALPHABITFIELDS); BI_RLE8 and BI_RLE4
// with delta, end-of-line and end-of-bitmap escapes; OS/2 RLE24; and PNG or
// JPEG payloads (BI_PNG, BI_JPEG). OS/2 Huffman 1D is refused by name.
//
// Choices where files disagree, following ImageMagick (which libvips uses for
// BMP):
//   - A palette shorter than 2^bits is allowed; it ends early when the pixel
//     data offset leaves room for fewer entries. A pixel whose index lies past
//     the palette's end takes palette entry 0, or black when the palette is
//     empty.
//   - Pixels that RLE delta, end-of-line or end-of-bitmap escapes skip take
//     palette entry 0 (RLE24: black), opaque. Browsers make them transparent;
//     ImageMagick zero-fills its index buffer, and so does this package.
//   - A mask of n bits is scaled to 8 bits as round(v*255/(2^n-1)), exactly,
//     for any n from 1 to 32. A colour channel whose mask is zero reads 0.
//     Masks must be contiguous runs of bits.
//   - The image has alpha when the compression is BI_BITFIELDS or
//     BI_ALPHABITFIELDS and the alpha mask (V3 and later headers, or the
//     16-byte BI_ALPHABITFIELDS masks) is non-zero. In a 32-bit BI_RGB file
//     with a 40-byte BITMAPINFOHEADER the fourth byte of each pixel is alpha,
//     unless it is zero in every pixel, when the image is opaque: ImageMagick
//     6 and the browsers read such files so, and many tools write alpha
//     there. With any other header that byte is ignored, as ImageMagick does.
//     A V2 (52-byte) header has no alpha mask.
//
// Decode returns *image.Gray when every palette entry is gray, *image.NRGBA
// when the image has alpha, and *image.RGBA (opaque) otherwise: the types that
// internal/thumbnail shrinks without a generic conversion. Embedded PNG and
// JPEG payloads come back as their own decoders give them.
//
// ICCProfile gives the ICC profile a V5 file embeds; a linked profile (a
// file name) is ignored, and so are the V4/V5 calibration fields.
//
// Bad input gives an error naming the cause and never a panic. Pixel data that
// ends early gives a *TruncatedError together with the image decoded so far,
// so that a caller may keep the picture and report a warning: uncompressed
// rows that are missing are left zero (transparent, or black for gray), RLE
// pixels that are missing are filled as skipped ones. Nothing is allocated for
// dimensions whose pixel count overflows, nor, like ImageMagick, when the
// data is less than 1/256 of what the dimensions need; bounding the pixel
// count further is the caller's job.
//
// Compared with ImageMagick 6.9.11 on every layout the tests generate, the
// pixels are identical except where ImageMagick fails (2-bit depth, RLE24,
// BI_ALPHABITFIELDS, 16-byte OS/2 2.x headers) or where this package
// deliberately differs: ImageMagick scales n-bit fields by shifting (a 4-bit
// 15 becomes 240, a 1-bit alpha 128; here 255), reads an alpha mask past the
// end of a 52-byte V2 header, ignores the top-down flag of RLE data, and
// reads 3-byte palette entries after a 64-byte OS/2 2.x header, whose
// specification has 4-byte ones.
//
// Why not an existing library: github.com/jsummers/gobmp reads most of the
// headers and depths above, but it has no release (only pseudo-versions, last
// changed in 2023), scales bitfields with a float64 per channel per pixel,
// returns *image.Paletted for palette images (internal/thumbnail has no fast
// path for it, and converts it pixel by pixel), fails a whole RLE image on one
// out-of-range index, keeps nothing of a truncated file, lacks
// BI_ALPHABITFIELDS, RLE24 and embedded PNG/JPEG, and registers itself with
// image.RegisterFormat under the name "bmp" as a side effect of being
// imported. golang.org/x/image/bmp reads only uncompressed 8, 24 and 32-bit
// files with 40-byte, V4 or V5 headers. The format is small enough to own.
package bmp
