package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/thumbs-dev/thumbs/internal/outdir"
)

// Prune removes, from the output directory d, the outputs of every entry
// for which keep returns false and forgets those entries; keep must return
// true for the entries this run must not prune, such as those of other
// shards. It returns the removed files, slash-separated, relative to d and
// sorted. With dryRun it removes and forgets nothing and returns the files it
// would remove. A nil d (no output directory) has no outputs to remove.
//
// Prune removes exactly the recorded output files, nothing else: not an
// output that a kept entry also records, not a directory found at an
// output's path, and nothing outside d (d refuses any name that leaves it
// through ".." or a symbolic link). A missing output is skipped. An entry
// that records an output path that is absolute or climbs out of d is left
// alone, its outputs and its record, and reported in the error; the other
// entries are pruned all the same. After removing files, Prune removes the
// directories under d (never d itself) that held them and became empty. An
// entry is forgotten once all its outputs are handled.
func (m *Manifest) Prune(d *outdir.Dir, keep func(Entry) bool, dryRun bool) (removed []string, err error) {
	var drop []Entry
	var errs []error
	kept := make(map[string]bool) // outputs still recorded by kept entries
	for _, e := range m.Entries() {
		if keep(e) {
			for _, o := range e.Outputs {
				kept[path.Clean(o)] = true
			}
			continue
		}
		if i := slices.IndexFunc(e.Outputs, func(o string) bool { return !isLocal(o) }); i >= 0 {
			errs = append(errs, fmt.Errorf("manifest: refusing to prune output %q of %q: not a path inside the output directory", e.Outputs[i], e.Rel))
			continue
		}
		drop = append(drop, e)
	}
	defer func() {
		slices.Sort(removed)
		err = errors.Join(append(errs, err)...)
	}()
	if d == nil {
		if !dryRun {
			for _, e := range drop {
				m.Forget(e.Rel)
			}
		}
		return nil, nil
	}

	var dirs []string // parents of removed files
	for _, e := range drop {
		failed := false
		for _, o := range e.Outputs {
			name := path.Clean(o)
			if kept[name] {
				continue
			}
			info, err := d.Lstat(name)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("manifest: prune %s: %w", name, err))
				failed = true
				continue
			}
			if info.IsDir() {
				continue
			}
			if !dryRun {
				err := d.Remove(name)
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("manifest: prune %s: %w", name, err))
					failed = true
					continue
				}
			}
			removed = append(removed, name)
			dirs = append(dirs, path.Dir(name))
		}
		if !dryRun && !failed {
			m.Forget(e.Rel)
		}
	}
	if !dryRun {
		d.RemoveEmptyDirs(dirs)
	}
	return removed, nil
}
