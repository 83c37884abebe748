// Package manifest records which sources made which thumbnails, so re-runs
// skip what is current, and splits sources into shards.
//
// An output directory holds one manifest file per writer:
// ".thumbs-manifest.json" for an unsharded run and
// ".thumbs-manifest-K-of-N.json" for shard K/N, so shards that share one
// output volume never write the same file. Load merges them all.
// docs/manifest.md describes the file format.
package manifest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"

	"github.com/thumbs-dev/thumbs/internal/outdir"
)

const (
	// Format is the version number of the manifest file format that Save
	// writes and Load accepts.
	Format = 1

	// MaxFileSize is the size in bytes of the largest manifest file Load reads.
	MaxFileSize = 256 << 20
)

// Entry is what the manifest records about one source.
type Entry struct {
	Rel     string   `json:"rel"`      // output-relative path of the source, the key
	Src     string   `json:"src"`      // source path as given to thumbs (used by prune to see if it still exists)
	Size    int64    `json:"size"`     // size of the source in bytes
	ModTime int64    `json:"mtime_ns"` // modification time, Unix nanoseconds
	Hash    string   `json:"sha256"`   // hex SHA-256 of the content
	Options string   `json:"options"`  // fingerprint of the options that shaped the outputs (opaque string from the caller)
	Version string   `json:"version"`  // thumbs version that made the outputs
	Outputs []string `json:"outputs"`  // output files, slash-separated, relative to OUT, sorted
}

// SameContent reports whether hash, a hex SHA-256 as returned by Hash or
// HashFile, equals the content hash recorded in e. An entry without a
// recorded hash matches nothing.
func (e Entry) SameContent(hash string) bool {
	return e.Hash != "" && e.Hash == hash
}

// clone returns a copy of e that shares no memory with it, with Outputs
// sorted and never nil.
func (e Entry) clone() Entry {
	e.Outputs = slices.Clone(e.Outputs)
	if e.Outputs == nil {
		e.Outputs = []string{}
	}
	slices.Sort(e.Outputs)
	return e
}

// Manifest is the set of entries of an output directory, keyed by Entry.Rel.
// The zero Manifest is empty and ready to use. Its methods are safe for
// concurrent use; entries passed in and handed out are copies.
type Manifest struct {
	mu      sync.Mutex
	entries map[string]Entry
}

// file is the JSON document stored in a manifest file.
type file struct {
	Format  int     `json:"format"`
	Entries []Entry `json:"entries"`
}

// Lookup returns the entry recorded for rel and whether there is one.
func (m *Manifest) Lookup(rel string) (Entry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[rel]
	if !ok {
		return Entry{}, false
	}
	return e.clone(), true
}

// Record adds e, or replaces the entry with the same Rel. It stores a copy
// with Outputs sorted. Record panics if e.Rel is empty.
func (m *Manifest) Record(e Entry) {
	if e.Rel == "" {
		panic("manifest: Record of an entry with empty Rel")
	}
	e = e.clone()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = make(map[string]Entry)
	}
	m.entries[e.Rel] = e
}

// Forget removes the entry for rel, if any.
func (m *Manifest) Forget(rel string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, rel)
}

// Entries returns a copy of all entries, sorted by Rel.
func (m *Manifest) Entries() []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Entry, 0, len(m.entries))
	for _, e := range m.entries {
		out = append(out, e.clone())
	}
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.Rel, b.Rel) })
	return out
}

// Load reads every manifest file in the output directory d (the unsharded
// one and every shard's) and merges them. A nil d (no output directory yet),
// or one without manifest files, gives an empty Manifest. A file that is
// unreadable, not valid JSON, of an unknown format, larger than MaxFileSize
// or not a regular file gives an error naming it.
//
// When several files record the same Rel, shard files win over the unsharded
// file and, among shard files, the most recently modified file wins (ties are
// broken by name), since each Save writes what its run loaded plus what it did.
func Load(d *outdir.Dir) (*Manifest, error) {
	m := &Manifest{entries: make(map[string]Entry)}
	if d == nil {
		return m, nil
	}
	dirents, err := d.ReadDir(".")
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}

	type found struct {
		name    string
		sharded bool
		mtime   int64
	}
	var files []found
	for _, e := range dirents {
		s, ok := parseFileName(e.Name())
		if !ok {
			continue
		}
		if !e.Type().IsRegular() {
			return nil, fmt.Errorf("manifest %s: not a regular file", d.Join(e.Name()))
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		files = append(files, found{e.Name(), s != Shard{}, info.ModTime().UnixNano()})
	}
	// Apply in increasing precedence: later files overwrite earlier ones.
	slices.SortFunc(files, func(a, b found) int {
		if a.sharded != b.sharded {
			if a.sharded {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.mtime, b.mtime), cmp.Compare(a.name, b.name))
	})
	for _, f := range files {
		entries, err := readFile(d, f.name)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			m.entries[e.Rel] = e.clone()
		}
	}
	return m, nil
}

// readFile reads and validates one manifest file.
func readFile(d *outdir.Dir, name string) ([]Entry, error) {
	path := d.Join(name)
	f, err := d.Open(name)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if info.Size() > MaxFileSize {
		return nil, fmt.Errorf("manifest %s: %d bytes is more than the limit of %d", path, info.Size(), MaxFileSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("manifest %s: more than the limit of %d bytes", path, MaxFileSize)
	}
	var mf file
	if err := json.Unmarshal(data, &mf); err != nil {
		return nil, fmt.Errorf("manifest %s: corrupt: %w", path, err)
	}
	if mf.Format != Format {
		return nil, fmt.Errorf("manifest %s: unsupported format %d (this thumbs reads format %d)", path, mf.Format, Format)
	}
	seen := make(map[string]bool, len(mf.Entries))
	for i, e := range mf.Entries {
		if e.Rel == "" {
			return nil, fmt.Errorf("manifest %s: corrupt: entry %d has no rel", path, i)
		}
		if seen[e.Rel] {
			return nil, fmt.Errorf("manifest %s: corrupt: rel %q recorded twice", path, e.Rel)
		}
		seen[e.Rel] = true
	}
	return mf.Entries, nil
}

// Save writes the entries that belong to shard s (all entries when s is the
// zero Shard) to s's manifest file in the output directory d. The output is
// deterministic: the same entries give the same bytes (entries sorted by
// Rel, indented JSON, a trailing newline). Save first flushes the file
// system to stable storage, so that the record never outlives the outputs
// it names, then replaces the file atomically and durably. A file that
// already holds exactly those bytes is left untouched.
//
// An unsharded Save then removes every shard manifest file in d, since its
// file now records everything. A sharded Save touches only its own file,
// so shards may save concurrently into one directory. Save of an invalid
// shard returns an error.
func (m *Manifest) Save(d *outdir.Dir, s Shard) error {
	if err := s.validate(); err != nil {
		return err
	}
	mf := file{Format: Format, Entries: []Entry{}}
	for _, e := range m.Entries() {
		if s.Contains(e.Rel) {
			mf.Entries = append(mf.Entries, e)
		}
	}
	data, err := json.MarshalIndent(mf, "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	data = append(data, '\n')

	// An unchanged manifest is left as it is, so a run with nothing to do writes nothing.
	if old, err := readAll(d, FileName(s)); err != nil || !bytes.Equal(old, data) {
		if err := d.SyncAll(); err != nil {
			return fmt.Errorf("manifest: %w", err)
		}
		if err := d.WriteFile(FileName(s), data, true); err != nil {
			return fmt.Errorf("manifest: %w", err)
		}
	}
	if s != (Shard{}) {
		return nil
	}
	dirents, err := d.ReadDir(".")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	for _, e := range dirents {
		if other, ok := parseFileName(e.Name()); ok && other != (Shard{}) {
			err := d.Remove(e.Name())
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("manifest: %w", err)
			}
		}
	}
	return nil
}

// readAll returns the content of the file name in d.
func readAll(d *outdir.Dir, name string) ([]byte, error) {
	f, err := d.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
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
