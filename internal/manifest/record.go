// Package manifest keeps the run record of an output directory: which
// source made which thumbnails, so that re-runs skip what is current,
// `thumbs check` lists what is stale and --prune knows what it may delete.
// It also splits sources into shards.
//
// The record is a bbolt store in the output directory, one per writer:
// ".thumbs-record.db" for unsharded runs and ".thumbs-record-K-of-N.db" for
// shard K/N, so that shards sharing one output volume never write the same
// file. docs/manifest.md describes it.
//
// A source counts as current only when every output it recorded is on
// disk with the recorded size and content: a run killed after replacing an
// output but before recording it leaves that source stale, never current.
package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/thumbs-dev/thumbs/internal/outdir"
)

// bucket holds the entries of a store, keyed by Entry.Rel.
var bucket = []byte("sources")

// Flushing: a run's new entries are written in one transaction per
// flushEntries entries or flushEvery, whichever comes first, so that a
// killed run loses at most that much recorded work.
const (
	flushEntries = 4096
	flushEvery   = 2 * time.Second
)

// Record is the run record of an output directory. Lookups are safe for
// concurrent use; so are Put and Flush.
type Record struct {
	out      *outdir.Dir // nil when the output directory does not exist
	own      *bolt.DB    // the store this run writes, nil when read-only
	others   []*bolt.DB  // stores read for lookups, in order of precedence
	readOnly bool
	shard    Shard

	mu       sync.Mutex // guards pending, since and flushErr
	pending  []Entry    // recorded by Put, not yet written
	since    time.Time  // when the oldest pending entry was put
	flushErr error      // why the last flush failed, if it did

	flushMu sync.Mutex // one flush at a time
}

// Options say how to open a record.
type Options struct {
	Shard    Shard
	ReadOnly bool // a check or a dry run: read, never write
	// Waiting, when not nil, is called once when another process holds
	// a store this run needs; holder says who, as far as is known.
	Waiting func(holder string)
}

// Open opens the record of the output directory out (nil when it does not
// exist yet: the record is then empty). A writing run of shard s opens s's
// store for writing, waiting its turn while another process writes it,
// and reads the unsharded store too. An unsharded writing run first takes
// every shard's store into its own and deletes them, and JSON manifests of
// an older thumbs are converted on the first writing run. A read-only
// record reads every store there is. Open gives up when ctx is done.
func Open(ctx context.Context, out *outdir.Dir, o Options) (*Record, error) {
	if err := o.Shard.validate(); err != nil {
		return nil, err
	}
	r := &Record{out: out, readOnly: o.ReadOnly, shard: o.Shard}
	if out == nil {
		return r, nil
	}
	ok := false
	defer func() {
		if !ok {
			r.closeStores()
		}
	}()
	names, err := r.files()
	if err != nil {
		return nil, err
	}
	if o.ReadOnly {
		// Shard stores first, as they hold what shard runs did after the
		// unsharded store was last written.
		read := names.shards
		if names.unsharded {
			read = append(read, Shard{})
		}
		if err := r.read(ctx, read, o.Waiting); err != nil {
			return nil, err
		}
		ok = true
		return r, nil
	}

	r.own, err = r.openStore(ctx, storeFile.name(o.Shard), false, o.Waiting)
	if err != nil {
		return nil, err
	}
	if err := out.WriteFile(holderFile.name(o.Shard), []byte(holder()+"\n"), false); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if err := r.migrate(o.Shard, names.legacy); err != nil {
		return nil, err
	}
	if o.Shard == (Shard{}) {
		for _, s := range names.shards {
			if err := r.absorb(ctx, s, o.Waiting); err != nil {
				return nil, err
			}
		}
	} else if names.unsharded {
		if err := r.read(ctx, []Shard{{}}, o.Waiting); err != nil {
			return nil, err
		}
	}
	ok = true
	return r, nil
}

// read opens the stores of shards for reading, in that order of precedence
// after those already open.
func (r *Record) read(ctx context.Context, shards []Shard, waiting func(string)) error {
	for _, s := range shards {
		db, err := r.openStore(ctx, storeFile.name(s), true, waiting)
		if err != nil {
			return err
		}
		r.others = append(r.others, db)
	}
	return nil
}

// found lists the record's files in the output directory.
type found struct {
	unsharded bool    // the unsharded store exists
	shards    []Shard // shard stores, newest first
	legacy    []Shard // JSON manifests of an older thumbs, oldest first
}

func (r *Record) files() (found, error) {
	var f found
	dirents, err := r.out.ReadDir(".")
	if err != nil {
		return f, fmt.Errorf("record: %w", err)
	}
	mtimes := make(map[Shard]time.Time)
	for _, d := range dirents {
		if s, ok := storeFile.parse(d.Name()); ok {
			if !d.Type().IsRegular() {
				return f, fmt.Errorf("record %s: not a regular file", r.out.Join(d.Name()))
			}
			if s == (Shard{}) {
				f.unsharded = true
				continue
			}
			info, err := d.Info()
			if err != nil {
				return f, fmt.Errorf("record: %w", err)
			}
			mtimes[s] = info.ModTime()
			f.shards = append(f.shards, s)
		}
		if s, ok := legacyFile.parse(d.Name()); ok {
			f.legacy = append(f.legacy, s)
		}
	}
	slices.SortFunc(f.shards, func(a, b Shard) int {
		if c := mtimes[b].Compare(mtimes[a]); c != 0 {
			return c
		}
		return strings.Compare(storeFile.name(a), storeFile.name(b))
	})
	return f, nil
}

// holder describes this process, for others waiting for its store.
func holder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("thumbs, process %d on %s, since %s", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
}

// openStore opens the store file name, for reading (shared with other
// readers) or writing (alone), through the output directory's root. While
// another process holds it, it calls waiting once and tries again until
// ctx is done.
func (r *Record) openStore(ctx context.Context, name string, readOnly bool, waiting func(string)) (*bolt.DB, error) {
	opts := &bolt.Options{
		Timeout:  200 * time.Millisecond,
		ReadOnly: readOnly,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			return r.out.OpenFile(name, flag, perm)
		},
	}
	told := false
	for {
		db, err := bolt.Open(name, 0o644, opts)
		if err == nil {
			if !readOnly && !has(db, nil) {
				err = db.Update(func(tx *bolt.Tx) error {
					_, err := tx.CreateBucketIfNotExists(bucket)
					return err
				})
				if err != nil {
					db.Close()
					return nil, fmt.Errorf("record %s: %w", r.out.Join(name), err)
				}
			}
			return db, nil
		}
		if !errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("record %s: %w", r.out.Join(name), err)
		}
		if !told && waiting != nil {
			waiting(r.holderOf(name))
			told = true
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// holderOf returns what the holder note beside the store name says.
func (r *Record) holderOf(name string) string {
	s, ok := storeFile.parse(name)
	if !ok {
		return "another thumbs"
	}
	f, err := r.out.Open(holderFile.name(s))
	if err != nil {
		return "another thumbs"
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 512))
	if line := strings.TrimSpace(string(b)); line != "" {
		return line
	}
	return "another thumbs"
}

// absorb moves the entries of shard s's store into this run's store (a
// shard's entry wins, being newer) and deletes that store.
func (r *Record) absorb(ctx context.Context, s Shard, waiting func(string)) error {
	db, err := r.openStore(ctx, storeFile.name(s), false, waiting)
	if err != nil {
		return err
	}
	err = db.View(func(from *bolt.Tx) error {
		b := from.Bucket(bucket)
		if b == nil {
			return nil
		}
		return r.own.Update(func(to *bolt.Tx) error {
			dst := to.Bucket(bucket)
			return b.ForEach(func(k, v []byte) error {
				return dst.Put(bytes.Clone(k), bytes.Clone(v))
			})
		})
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("record %s: %w", r.out.Join(storeFile.name(s)), err)
	}
	if err := r.out.Remove(storeFile.name(s)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("record: %w", err)
	}
	r.out.Remove(holderFile.name(s))
	return nil
}

// Lookup returns the entry recorded for rel and whether there is one.
func (r *Record) Lookup(rel string) (Entry, bool, error) {
	for _, db := range r.stores() {
		var e Entry
		var found bool
		err := db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			if b == nil {
				return nil
			}
			v := b.Get([]byte(rel))
			if v == nil {
				return nil
			}
			var err error
			e, err = decodeEntry(rel, v)
			found = err == nil
			return err
		})
		if err != nil {
			return Entry{}, false, fmt.Errorf("record: %q: %w", rel, err)
		}
		if found {
			return e, true, nil
		}
	}
	return Entry{}, false, nil
}

// stores returns the stores to read, in order of precedence.
func (r *Record) stores() []*bolt.DB {
	if r.own == nil {
		return r.others
	}
	return append([]*bolt.DB{r.own}, r.others...)
}

// Put records e, replacing any entry for e.Rel. Entries are written in
// batches, each after the file system is flushed so that a record never
// outlives the outputs it names; Flush and Close write what is pending. A
// batch that cannot be written stays pending, and the failure is Close's
// error, not Put's: it is the run's record that failed, not e's source.
// Put of an entry without Rel, or on a read-only record, is an error.
func (r *Record) Put(e Entry) error {
	if e.Rel == "" {
		return errors.New("record: an entry without rel")
	}
	if r.own == nil {
		return errors.New("record: read-only")
	}
	e.Outputs = slices.Clone(e.Outputs)
	slices.SortFunc(e.Outputs, func(a, b Output) int { return strings.Compare(a.Name, b.Name) })
	r.mu.Lock()
	if len(r.pending) == 0 {
		r.since = time.Now()
	}
	r.pending = append(r.pending, e)
	due := len(r.pending) >= flushEntries || time.Since(r.since) >= flushEvery
	r.mu.Unlock()
	if due {
		r.Flush()
	}
	return nil
}

// Flush writes the pending entries: it flushes the output directory's file
// system to stable storage, then commits them in one transaction. When
// that fails, they stay pending.
func (r *Record) Flush() error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	r.mu.Lock()
	batch := r.pending
	r.pending = nil
	r.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := r.commit(batch)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushErr = err
	if err != nil {
		r.pending = append(batch, r.pending...)
		r.since = time.Now()
	}
	return err
}

// commit writes batch in one transaction, after flushing the file system.
func (r *Record) commit(batch []Entry) error {
	if err := r.out.SyncAll(); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	slices.SortStableFunc(batch, func(a, b Entry) int { return strings.Compare(a.Rel, b.Rel) }) // stable: a later Put of a key wins
	err := r.own.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		b.FillPercent = 0.9 // pages split fuller: entries mostly come in order
		for _, e := range batch {
			if err := b.Put([]byte(e.Rel), e.encode()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}

// forget removes the entries for rels from this run's store.
func (r *Record) forget(rels []string) error {
	if len(rels) == 0 {
		return nil
	}
	return r.own.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		for _, rel := range rels {
			if err := b.Delete([]byte(rel)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Entries calls fn for every entry, sorted by Rel, each once (the one that
// lookups would find), until fn returns false.
func (r *Record) Entries(fn func(Entry) bool) error {
	stores := r.stores()
	for i, db := range stores {
		stop := errors.New("stop")
		err := db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			if b == nil {
				return nil
			}
			return b.ForEach(func(k, v []byte) error {
				for _, earlier := range stores[:i] {
					if has(earlier, k) {
						return nil
					}
				}
				e, err := decodeEntry(string(k), v)
				if err != nil {
					return fmt.Errorf("%q: %w", k, err)
				}
				if !fn(e) {
					return stop
				}
				return nil
			})
		})
		if errors.Is(err, stop) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	return nil
}

// has reports whether db holds an entry for key, or, for a nil key,
// whether it has the bucket of entries at all.
func has(db *bolt.DB, key []byte) bool {
	found := false
	db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucket); b != nil {
			found = key == nil || b.Get(key) != nil
		}
		return nil
	})
	return found
}

// Close writes what is pending and releases the stores. A writing run's
// store is flushed to stable storage before Close returns.
func (r *Record) Close() error {
	var err error
	if r.own != nil {
		err = r.Flush()
		if serr := r.own.Sync(); err == nil && serr != nil {
			err = fmt.Errorf("record: %w", serr)
		}
		r.out.Remove(holderFile.name(r.shard))
	}
	r.closeStores()
	return err
}

func (r *Record) closeStores() {
	if r.own != nil {
		r.own.Close()
		r.own = nil
	}
	for _, db := range r.others {
		db.Close()
	}
	r.others = nil
}
