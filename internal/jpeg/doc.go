// Package jpeg decodes baseline and progressive JPEG images, Huffman- or
// arithmetic-coded, optionally scaled by 1/2, 1/4 or 1/8 in the DCT domain.
package jpeg
