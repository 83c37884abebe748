package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
)

// Prune removes, from the output directory, the outputs of every entry of
// this run's store for which keep returns false, and forgets those
// entries; keep must return true for the entries this run must not prune.
// It returns the removed files, slash-separated, relative to the output
// directory and sorted. With dryRun it removes and forgets nothing and
// returns the files it would remove; a read-only record can only dry-run.
//
// Prune removes exactly the recorded output files, nothing else: not an
// output that a kept entry also records, not a directory found at an
// output's path, and nothing outside the output directory (its root
// refuses any name that leaves it through ".." or a symbolic link). A
// missing output is skipped. An entry that records an output path that is
// absolute or climbs out of the directory is left alone, its outputs and
// its record, and reported in the error; the other entries are pruned all
// the same. After removing files, Prune removes the directories (never
// the output directory itself) that held them and became empty. An entry
// is forgotten once all its outputs are handled.
func (r *Record) Prune(keep func(Entry) bool, dryRun bool) (removed []string, err error) {
	if !dryRun && r.own == nil {
		return nil, errors.New("record: prune of a read-only record")
	}
	if err := r.Flush(); err != nil {
		return nil, err
	}
	var drop []Entry
	var errs []error
	kept := make(map[string]bool) // outputs still recorded by kept entries
	err = r.Entries(func(e Entry) bool {
		if keep(e) {
			for _, o := range e.Outputs {
				kept[path.Clean(o.Name)] = true
			}
			return true
		}
		if i := slices.IndexFunc(e.Outputs, func(o Output) bool { return !isLocal(o.Name) }); i >= 0 {
			errs = append(errs, fmt.Errorf("record: refusing to prune output %q of %q: not a path inside the output directory", e.Outputs[i].Name, e.Rel))
			return true
		}
		drop = append(drop, Entry{Rel: e.Rel, Outputs: e.Outputs})
		return true
	})
	if err != nil {
		return nil, err
	}
	defer func() {
		slices.Sort(removed)
		err = errors.Join(append(errs, err)...)
	}()

	var dirs, forgotten []string
	for _, e := range drop {
		failed := false
		for _, o := range e.Outputs {
			name := path.Clean(o.Name)
			if kept[name] || r.out == nil {
				continue
			}
			info, err := r.out.Lstat(name)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("record: prune %s: %w", name, err))
				failed = true
				continue
			}
			if !info.Mode().IsRegular() {
				continue
			}
			if !dryRun {
				err := r.out.Remove(name)
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("record: prune %s: %w", name, err))
					failed = true
					continue
				}
			}
			removed = append(removed, name)
			dirs = append(dirs, path.Dir(name))
		}
		if !failed {
			forgotten = append(forgotten, e.Rel)
		}
	}
	if dryRun {
		return removed, nil
	}
	if r.out != nil {
		r.out.RemoveEmptyDirs(dirs)
	}
	return removed, r.forget(forgotten)
}
