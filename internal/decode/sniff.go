package decode

// Sniff returns the format of the image whose first bytes are b, judged by
// their magic bytes alone, or "" when b starts no image thumbs can read.
// A few dozen bytes suffice: HEIC and AVIF are told apart by the brands of
// their ftyp box.
func Sniff(b []byte) Format { return sniff(b) }
