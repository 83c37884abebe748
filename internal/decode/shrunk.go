package decode

import (
	"context"
	"errors"
	"fmt"

	"github.com/thumbs-dev/thumbs/internal/png"
)

// Planes is a picture that was box-shrunk while it was decoded, as
// DecodeShrunk returns it.
type Planes = png.Planes

// Streams reports whether DecodeShrunk can decode the image of h: a PNG
// that is not interlaced.
func (h Header) Streams() bool {
	return h.Format == PNG && !h.layout.interlaced
}

// DecodeShrunk decodes the image of h, for which h.Streams is true, row by
// row into planes box-shrunk by the whole factor k, holding only a few
// rows of the full-size picture at once (see png.Planes for what they
// hold). It never panics. Its errors other than ctx.Err() mean that the
// stream could not be decoded this way; Decode then fails with the error
// of the whole-picture decoder, or decodes it after all (an ancillary
// chunk out of order that image/png tolerates).
func DecodeShrunk(ctx context.Context, data []byte, h Header, k int) (p *Planes, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("decode %s: %v", h.Format, r)
		}
	}()
	if !h.Streams() {
		return nil, fmt.Errorf("decode %s: %w", h.Format, png.ErrUnsupported)
	}
	p, err = png.DecodeShrunk(ctx, data, k)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	if err != nil {
		return nil, prefixed("decode png", err)
	}
	if w, ht := (h.Width+k-1)/k, (h.Height+k-1)/k; p.Width != w || p.Height != ht {
		return nil, fmt.Errorf("png: decoded %dx%d at 1/%d but the header says %dx%d", p.Width, p.Height, k, h.Width, h.Height)
	}
	return p, nil
}

// ShrunkCost returns an upper bound of the memory, in bytes, that
// DecodeShrunk takes at its peak to decode the image of h box-shrunk by
// k: two rows of the stream, one row widened to 16-bit RGBA, the sums of
// one row of blocks and the shrunk planes (1 or 3 bytes per sample for
// gray or colour; 11 where there may be transparency: 8-bit colour, and
// premultiplied 16-bit colour and alpha, until the end shows whether the
// picture is opaque), with the inflater's state in the fixed part.
func (h Header) ShrunkCost(k int) int64 {
	k = max(k, 1)
	w := float64(h.Width)
	dw, dh := float64((h.Width+k-1)/k), float64((h.Height+k-1)/k)
	perSample := 11.0
	switch l := h.layout; {
	case l.transparent || l.colorType == 4 || l.colorType == 6:
	case l.colorType == 0:
		perSample = 1
	default:
		perSample = 3
	}
	rows := 2 * (w*8 + 1)
	cost := rows + w*8 + dw*4*8 + dw*dh*perSample
	return int64(cost*costMargin + costFixedGoPath)
}
