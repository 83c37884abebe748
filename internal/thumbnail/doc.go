// Package thumbnail makes the thumbnails of one image: it reads the header,
// refuses images over the pixel limit, decodes (shrunk on load where that
// keeps the quality), applies the EXIF orientation, resizes to each box and
// encodes the results.
package thumbnail
