package manifest

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Prune removes the outputs of every entry for which keep returns false and
// forgets those entries; keep must return true for the entries this run must
// not prune, such as those of other shards. It returns the removed files,
// slash-separated, relative to outDir and sorted. With dryRun it removes and
// forgets nothing and returns the files it would remove.
//
// Prune removes exactly the recorded output files, nothing else: not an
// output that a kept entry also records, not a directory found at an output's
// path, and nothing reached through a symbolic link out of outDir. A missing
// output is skipped. If any output to be removed is recorded with a path that
// is absolute or climbs out of outDir with "..", Prune removes nothing and
// returns an error. After removing files, it removes the directories under
// outDir (never outDir itself) that held them and became empty. On an error,
// it stops: the returned files were removed, and the entries whose outputs
// were all handled are forgotten.
func (m *Manifest) Prune(outDir string, keep func(Entry) bool, dryRun bool) (removed []string, err error) {
	var drop []Entry
	kept := make(map[string]bool) // outputs still recorded by kept entries
	for _, e := range m.Entries() {
		if keep(e) {
			for _, o := range e.Outputs {
				kept[path.Clean(o)] = true
			}
			continue
		}
		for _, o := range e.Outputs {
			if !isLocal(o) {
				return nil, fmt.Errorf("manifest: refusing to prune output %q of %q: not a path inside the output directory", o, e.Rel)
			}
		}
		drop = append(drop, e)
	}
	if len(drop) == 0 {
		return nil, nil
	}

	root, err := os.OpenRoot(outDir)
	if errors.Is(err, fs.ErrNotExist) {
		// No output directory, so no outputs to remove.
		if !dryRun {
			for _, e := range drop {
				m.Forget(e.Rel)
			}
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer root.Close()

	dirs := make(map[string]bool)           // parents of removed files
	defer func() { slices.Sort(removed) }() // on every return
	for _, e := range drop {
		for _, o := range e.Outputs {
			name := path.Clean(o)
			if kept[name] {
				continue
			}
			info, err := root.Lstat(filepath.FromSlash(name))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return removed, fmt.Errorf("manifest: prune %s: %w", name, err)
			}
			if info.IsDir() {
				continue
			}
			if !dryRun {
				err := root.Remove(filepath.FromSlash(name))
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if err != nil {
					return removed, fmt.Errorf("manifest: prune %s: %w", name, err)
				}
			}
			removed = append(removed, name)
			for d := path.Dir(name); d != "."; d = path.Dir(d) {
				dirs[d] = true
			}
		}
		if !dryRun {
			m.Forget(e.Rel)
		}
	}
	if !dryRun {
		removeEmptyDirs(root, dirs)
	}
	return removed, nil
}

// removeEmptyDirs removes those of dirs (slash-separated, relative to root)
// that are empty directories, deepest first so that parents emptied by the
// removal of their children go too. A directory that is not empty, or that
// cannot be removed, stays: that is not an error.
func removeEmptyDirs(root *os.Root, dirs map[string]bool) {
	list := make([]string, 0, len(dirs))
	for d := range dirs {
		list = append(list, d)
	}
	slices.SortFunc(list, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(b, "/"), strings.Count(a, "/")), cmp.Compare(a, b))
	})
	for _, d := range list {
		name := filepath.FromSlash(d)
		if info, err := root.Lstat(name); err != nil || !info.IsDir() {
			continue
		}
		root.Remove(name) // fails, harmlessly, unless the directory is empty
	}
}
