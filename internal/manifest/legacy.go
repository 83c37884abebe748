package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// legacyEntry is an entry of the JSON manifest of an older thumbs.
type legacyEntry struct {
	Rel     string   `json:"rel"`
	Src     string   `json:"src"`
	Size    int64    `json:"size"`
	ModTime int64    `json:"mtime_ns"`
	Hash    string   `json:"sha256"`
	Options string   `json:"options"`
	Outputs []string `json:"outputs"`
}

// migrate converts the JSON manifests of an older thumbs (shards lists
// which there are, oldest first) into this run's store: the entries of
// this run's shard that the store does not hold yet. Their outputs are
// kept by name but with no size or content, so they count as stale and
// are made again once, while prune and option changes still know them.
// An unsharded run, which takes every entry, then deletes the JSON files;
// a shard run leaves them for the others.
func (r *Record) migrate(s Shard, shards []Shard) error {
	for _, ls := range shards {
		name := legacyFile.name(ls)
		err := r.own.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			return r.readLegacy(name, func(le legacyEntry) error {
				if !s.Contains(le.Rel) || b.Get([]byte(le.Rel)) != nil {
					return nil
				}
				e := Entry{Rel: le.Rel, Src: le.Src, Size: le.Size, ModTime: le.ModTime, Hash: le.Hash, Options: "converted: " + le.Options}
				for _, o := range le.Outputs {
					e.Outputs = append(e.Outputs, Output{Name: o, Size: -1})
				}
				return b.Put([]byte(e.Rel), e.encode())
			})
		})
		if err != nil {
			return fmt.Errorf("record: convert %s: %w", r.out.Join(name), err)
		}
	}
	if s != (Shard{}) {
		return nil
	}
	if err := r.own.Sync(); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	for _, ls := range shards {
		r.out.Remove(legacyFile.name(ls))
	}
	return nil
}

// readLegacy calls fn for each entry of the JSON manifest name, decoding
// one entry at a time.
func (r *Record) readLegacy(name string, fn func(legacyEntry) error) error {
	f, err := r.out.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	expect := func(want json.Delim) error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if t != want {
			return fmt.Errorf("not a thumbs manifest: %v where %v belongs", t, want)
		}
		return nil
	}
	if err := expect('{'); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case "format":
			var format int
			if err := dec.Decode(&format); err != nil {
				return err
			}
			if format != 1 {
				return fmt.Errorf("unsupported format %d", format)
			}
		case "entries":
			if err := expect('['); err != nil {
				return err
			}
			for dec.More() {
				var le legacyEntry
				if err := dec.Decode(&le); err != nil {
					return err
				}
				if le.Rel == "" {
					return errors.New("an entry without rel")
				}
				if err := fn(le); err != nil {
					return err
				}
			}
			if err := expect(']'); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	if err := expect('}'); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the manifest")
	}
	return nil
}
