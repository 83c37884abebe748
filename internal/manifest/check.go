package manifest

import (
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
)

// Verdict says whether a source's outputs are current.
type Verdict int

const (
	// Stale means the outputs must be made again. It is the zero Verdict.
	Stale Verdict = iota
	// NeedHash means only the source's modification time differs: the
	// caller hashes its content and compares it with the entry
	// (Entry.SameContent); equal content means the outputs are current
	// and the entry, with the new time, is to be recorded again.
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

// Status is what Check found for a source.
type Status struct {
	Verdict Verdict
	Entry   Entry  // the recorded entry (zero when none), with output times as found on disk
	Why     string // when Stale, why, for people
	// Moved is set when an output has the recorded content but another
	// modification time (a restored cache, a copied folder): Entry holds
	// the new times, to be recorded again.
	Moved bool
}

// Check compares the current state of a source with its entry. It is
// Stale when there is no entry for rel, when the options fingerprint or
// the size differ, or when a recorded output is not on disk, inside the
// output directory, with its recorded size and content; otherwise Fresh
// when modTime (Unix nanoseconds) equals the recorded one, and NeedHash
// when only it differs. An output whose modification time is not the
// recorded one has its content compared with the recorded sum.
func (r *Record) Check(rel string, size, modTime int64, options string) (Status, error) {
	e, ok, err := r.Lookup(rel)
	switch {
	case err != nil:
		return Status{}, err
	case !ok:
		return Status{Why: "no thumbnails recorded"}, nil
	case e.Options != options:
		return Status{Entry: e, Why: "thumbnails made with other options or an older rendering"}, nil
	case e.Size != size:
		return Status{Entry: e, Why: "the source changed"}, nil
	}
	st := Status{Entry: e}
	for i, o := range e.Outputs {
		if !isLocal(o.Name) || r.out == nil {
			return Status{Entry: e, Why: "a thumbnail is missing"}, nil
		}
		// A look, not a change, so it may skip the root's walk: a file that
		// a planted link leads to cannot have the recorded size and time to
		// the nanosecond by chance, and its content is read through the root.
		info, err := os.Lstat(r.out.Join(o.Name))
		if err != nil || !info.Mode().IsRegular() {
			return Status{Entry: e, Why: "a thumbnail is missing"}, nil
		}
		if info.Size() != o.Size {
			return Status{Entry: e, Why: "a thumbnail was changed"}, nil
		}
		if mtime := info.ModTime().UnixNano(); mtime != o.ModTime {
			if !r.sameContent(o) {
				return Status{Entry: e, Why: "a thumbnail was changed"}, nil
			}
			st.Entry.Outputs[i].ModTime = mtime
			st.Moved = true
		}
	}
	st.Verdict = Fresh
	if e.ModTime != modTime {
		st.Verdict = NeedHash
	}
	return st, nil
}

// sameContent reports whether the output file o holds the recorded content.
func (r *Record) sameContent(o Output) bool {
	f, err := r.out.Open(o.Name)
	if err != nil {
		return false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, o.Size+1))
	return err == nil && int64(len(data)) == o.Size && OutputSum(data) == o.Sum
}

// isLocal reports whether the slash-separated output path o names a file
// strictly inside the output directory: not empty, not absolute, not the
// directory itself and not climbing out of it with "..".
func isLocal(o string) bool {
	return filepath.IsLocal(filepath.FromSlash(o)) && path.Clean(o) != "."
}
