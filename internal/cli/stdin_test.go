package cli

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"
)

func pngBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// oneByteReader returns its data a byte per Read, as a slow pipe might.
type oneByteReader struct{ data []byte }

func (r *oneByteReader) Read(b []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	b[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}

func TestPeekPathList(t *testing.T) {
	jpegStart := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	for _, tt := range []struct {
		name    string
		in      io.Reader
		null    bool
		wantErr error
	}{
		{"paths", strings.NewReader("a.jpg\nb c.png\n"), false, nil},
		{"one path, no newline", strings.NewReader("a.jpg"), false, nil},
		{"empty", strings.NewReader(""), false, nil},
		{"NUL-separated with -0", strings.NewReader("a.jpg\x00b.jpg\x00"), true, nil},
		{"a name that is not UTF-8", strings.NewReader("caf\xe9.jpg\n"), false, nil},
		{"JPEG", bytes.NewReader(jpegStart), false, errStdinImage},
		{"JPEG a byte at a time", &oneByteReader{jpegStart}, false, errStdinImage},
		{"JPEG with -0", bytes.NewReader(jpegStart), true, errStdinImage},
		{"PNG", bytes.NewReader(pngBytes(t)), false, errStdinImage},
		{"PNG a byte at a time", &oneByteReader{pngBytes(t)}, false, errStdinImage},
		{"NUL-separated without -0", strings.NewReader("a.jpg\x00b.jpg\x00"), false, errStdinNUL},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var all []byte
			switch r := tt.in.(type) {
			case *strings.Reader:
				all = make([]byte, r.Len())
				r.ReadAt(all, 0)
			}
			r, err := peekPathList(context.Background(), tt.in, tt.null)
			if tt.wantErr != nil {
				var usage usageError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &usage) {
					t.Fatalf("err = %v, want the usage error %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, all) {
				t.Errorf("read back %q, %v; want %q", got, err, all)
			}
		})
	}
}

// TestPeekDoesNotWaitForMore checks that a path list arriving slowly is not
// held up: the first complete line is enough.
func TestPeekDoesNotWaitForMore(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte("photos/a.jpg\n"))
	done := make(chan error, 1)
	var r io.Reader
	go func() {
		var err error
		r, err = peekPathList(context.Background(), pr, false)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("peekPathList waits for more than the first line")
	}
	line := make([]byte, 64)
	n, _ := r.Read(line)
	if string(line[:n]) != "photos/a.jpg\n" {
		t.Errorf("first read %q", line[:n])
	}
}
