package manifest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
)

// Entry is what the record holds about one source.
type Entry struct {
	Rel     string   // output-relative path of the source, the key; any bytes
	Src     string   // source path as given to thumbs, for prune to see if it still exists
	Size    int64    // size of the source in bytes
	ModTime int64    // modification time of the source, Unix nanoseconds
	Hash    string   // hex SHA-256 of the source's content
	Options string   // fingerprint of what shaped the outputs: options and rendering version
	Outputs []Output // the files made, sorted by name
}

// Output is one file a source made, with what identifies its content on
// disk: a file under the same name with another size or content is not it.
type Output struct {
	Name    string   // slash-separated, relative to the output directory
	Size    int64    // bytes
	ModTime int64    // modification time when recorded, Unix nanoseconds
	Sum     [16]byte // the first 16 bytes of the SHA-256 of the content
}

// OutputSum returns the content sum recorded in Output.Sum for data.
func OutputSum(data []byte) [16]byte {
	s := sha256.Sum256(data)
	return [16]byte(s[:16])
}

// SameContent reports whether hash, a hex SHA-256 as returned by Hash or
// HashFile, equals the content hash recorded in e. An entry without a
// recorded hash matches nothing.
func (e Entry) SameContent(hash string) bool {
	return e.Hash != "" && e.Hash == hash
}

// OutputNames returns the names of e's outputs.
func (e Entry) OutputNames() []string {
	names := make([]string, len(e.Outputs))
	for i, o := range e.Outputs {
		names[i] = o.Name
	}
	return names
}

// Hash returns the hex SHA-256 of data.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// HashFile returns the hex SHA-256 of the content of the named file, reading
// it as a stream. It equals Hash of the file's bytes.
func HashFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// entryFormat starts every stored entry; a store of another format is
// refused rather than misread.
const entryFormat = 2

var errCorrupt = errors.New("corrupt entry")

// encode returns the stored form of e less its Rel, which is the key:
// the format byte, then uvarint lengths and numbers, raw hash bytes.
func (e Entry) encode() []byte {
	b := make([]byte, 0, 64+len(e.Src)+len(e.Options)+len(e.Outputs)*(32+len(e.Rel)))
	b = append(b, entryFormat)
	b = appendString(b, e.Src)
	b = binary.AppendVarint(b, e.Size)
	b = binary.AppendVarint(b, e.ModTime)
	h, _ := hex.DecodeString(e.Hash)
	b = appendString(b, string(h))
	b = appendString(b, e.Options)
	b = binary.AppendUvarint(b, uint64(len(e.Outputs)))
	for _, o := range e.Outputs {
		b = appendString(b, o.Name)
		b = binary.AppendVarint(b, o.Size)
		b = binary.AppendVarint(b, o.ModTime)
		b = append(b, o.Sum[:]...)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeEntry parses the stored form of the entry for rel. It copies what
// it keeps, so b may be reused afterwards.
func decodeEntry(rel string, b []byte) (Entry, error) {
	d := decoder{b: b}
	if d.byte() != entryFormat {
		return Entry{}, errCorrupt
	}
	e := Entry{Rel: rel}
	e.Src = d.string()
	e.Size = d.varint()
	e.ModTime = d.varint()
	if h := d.string(); h != "" {
		e.Hash = hex.EncodeToString([]byte(h))
	}
	e.Options = d.string()
	n := d.uvarint()
	if n > uint64(len(b)) {
		return Entry{}, errCorrupt
	}
	e.Outputs = make([]Output, 0, n)
	for range n {
		o := Output{Name: d.string(), Size: d.varint(), ModTime: d.varint()}
		copy(o.Sum[:], d.bytes(16))
		e.Outputs = append(e.Outputs, o)
	}
	if d.bad || len(d.b) != 0 {
		return Entry{}, errCorrupt
	}
	return e, nil
}

// decoder reads the stored form; a read past the end sets bad.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) bytes(n int) []byte {
	if n < 0 || n > len(d.b) {
		d.bad = true
		d.b = nil
		return make([]byte, max(n, 0))
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte { return d.bytes(1)[0] }

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	return string(d.bytes(int(n)))
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}
