package batch

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tempPrefix starts the name of every temporary file thumbs writes; the
// host and process id that follow let a later run find the ones left by a
// killed process.
const tempPrefix = ".thumbs-tmp-"

func tempPattern() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s%s-%d-*", tempPrefix, strings.ReplaceAll(host, "-", "_"), os.Getpid())
}

// writeAtomic writes data to name through a temporary file in the same
// directory, renamed over name only once complete: name either keeps its
// old content or has all of data, and no temporary file is left behind.
func writeAtomic(name string, data []byte) (err error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, tempPattern())
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// removeStaleTemps deletes, under dir, the temporary files left by thumbs
// processes of this host that no longer run, and returns how many it removed.
func removeStaleTemps(dir string) int {
	host, _ := os.Hostname()
	mine := tempPrefix + strings.ReplaceAll(host, "-", "_") + "-"
	removed := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), mine) {
			return nil
		}
		pid, _, ok := strings.Cut(strings.TrimPrefix(d.Name(), mine), "-")
		n, err := strconv.Atoi(pid)
		if !ok || err != nil || (n != os.Getpid() && processAlive(n)) {
			return nil
		}
		if n != os.Getpid() && os.Remove(p) == nil {
			removed++
		}
		return nil
	})
	return removed
}
