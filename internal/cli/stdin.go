package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/thumbs-dev/thumbs/internal/decode"
)

// errStdinImage is the usage error for an image piped where a path list
// was expected.
var errStdinImage = errors.New("stdin holds image data, not a list of paths (use --stdout - to thumbnail one image from stdin)")

// errStdinNUL is the usage error for NUL bytes in a newline-separated
// path list, which no path can hold.
var errStdinNUL = errors.New("stdin holds NUL bytes, which no path can hold: use -0 for a NUL-separated list, as find -print0 writes")

// peekSize is how much of stdin is looked at before it is taken for a path
// list: enough for the magic bytes of every format decode knows.
const peekSize = 64

// deadliner is a reader whose pending reads a deadline can interrupt.
type deadliner interface {
	SetReadDeadline(time.Time) error
}

// peekPathList looks at the start of in, a path list separated by newlines
// or (null) NULs, and returns a reader of all of in, or a usage error when
// it holds an image's bytes instead, or NUL bytes in a newline-separated
// list. It reads until it has peekSize bytes, in ends, or a first line of
// plain text is complete, so a list whose paths arrive slowly is not held
// up. A cancelled ctx interrupts the reading when in supports deadlines.
func peekPathList(ctx context.Context, in io.Reader, null bool) (io.Reader, error) {
	if d, ok := in.(deadliner); ok {
		stop := context.AfterFunc(ctx, func() { d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	sep := byte('\n')
	if null {
		sep = 0
	}
	buf := make([]byte, 0, peekSize)
	var err error
	for len(buf) < peekSize && !textLine(buf, sep) {
		var n int
		n, err = in.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			break
		}
	}
	if err != nil && err != io.EOF {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	switch {
	case decode.Sniff(buf) != "":
		return nil, usageError{errStdinImage}
	case !null && bytes.IndexByte(buf, 0) >= 0:
		return nil, usageError{errStdinNUL}
	}
	return &prefixedReader{prefix: buf, r: in}, nil
}

// textLine reports whether b starts with a complete line, ended by sep,
// of text: no control characters but tabs.
func textLine(b []byte, sep byte) bool {
	end := bytes.IndexByte(b, sep)
	if end < 0 {
		return false
	}
	for _, c := range b[:end] {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// prefixedReader reads prefix, then r. Its deadline is r's, when r has one.
type prefixedReader struct {
	prefix []byte
	r      io.Reader
}

func (p *prefixedReader) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.r.Read(b)
}

// SetReadDeadline sets the deadline of the underlying reader, or returns
// os.ErrNoDeadline when it has none.
func (p *prefixedReader) SetReadDeadline(t time.Time) error {
	if d, ok := p.r.(deadliner); ok {
		return d.SetReadDeadline(t)
	}
	return os.ErrNoDeadline
}
