package manifest

import (
	"path"
	"path/filepath"
	"strconv"

	"github.com/thumbs-dev/thumbs/internal/outdir"
)

// Verdict says whether a source's outputs are current.
type Verdict int

const (
	// Stale means the outputs must be made again. It is the zero Verdict.
	Stale Verdict = iota
	// NeedHash means only the modification time differs: the caller hashes
	// the content and compares it with the entry (Entry.SameContent); equal
	// content means the outputs are current and only the entry needs updating.
	NeedHash
	// Fresh means the outputs are current.
	Fresh
)

// String returns "stale", "need-hash" or "fresh".
func (v Verdict) String() string {
	switch v {
	case Stale:
		return "stale"
	case NeedHash:
		return "need-hash"
	case Fresh:
		return "fresh"
	}
	return "Verdict(" + strconv.Itoa(int(v)) + ")"
}

// Check compares the current state of a source with its entry and returns the
// verdict and the entry (the zero Entry if there is none). It is Stale when
// there is no entry for rel, the options fingerprint, version or size differ,
// or a recorded output file is missing in d (or its recorded path is
// not inside the output directory d, which may be nil when it does not exist); otherwise Fresh when modTime (Unix nanoseconds) equals
// the recorded one, and NeedHash when only it differs.
func (m *Manifest) Check(rel string, size int64, modTime int64, options, version string, d *outdir.Dir) (Verdict, Entry) {
	e, ok := m.Lookup(rel)
	if !ok {
		return Stale, Entry{}
	}
	if e.Options != options || e.Version != version || e.Size != size {
		return Stale, e
	}
	for _, o := range e.Outputs {
		if !isLocal(o) {
			return Stale, e
		}
		if d == nil {
			return Stale, e
		}
		if _, err := d.Stat(o); err != nil {
			return Stale, e
		}
	}
	if e.ModTime != modTime {
		return NeedHash, e
	}
	return Fresh, e
}

// isLocal reports whether the slash-separated output path o names a file
// strictly inside the output directory: not empty, not absolute, not the
// directory itself and not climbing out of it with "..".
func isLocal(o string) bool {
	return filepath.IsLocal(filepath.FromSlash(o)) && path.Clean(o) != "."
}
