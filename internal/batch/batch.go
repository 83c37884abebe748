package batch

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/thumbs-dev/thumbs/internal/heif"
	"github.com/thumbs-dev/thumbs/internal/manifest"
	"github.com/thumbs-dev/thumbs/internal/memo"
	"github.com/thumbs-dev/thumbs/internal/outdir"
	"github.com/thumbs-dev/thumbs/internal/runner"
	"github.com/thumbs-dev/thumbs/internal/source"
	"github.com/thumbs-dev/thumbs/internal/thumbnail"
)

// Options configure a run.
type Options struct {
	Out       string            // output directory
	Thumb     thumbnail.Options // how each thumbnail is made
	Name      string            // output name template; empty for the default
	Jobs      int               // most images in flight; 0 for the number of CPUs
	KeepGoing bool              // attempt every file even after failures
	Force     bool              // rebuild sources whose outputs are current
	Prune     bool              // delete outputs whose source is gone
	DryRun    bool              // write and delete nothing
	// FailOnWarning fails a source whose thumbnails came with a warning
	// (a damaged file decoded in part, a colour profile not honoured)
	// instead of writing them.
	FailOnWarning bool
	Shard         manifest.Shard  // the part of the sources to do; zero for all
	Finder        source.Finder   // where paths come from
	Observer      runner.Observer // told of each result; may be nil
	// Waiting, when not nil, is told once when another process holds the
	// output directory's record and this run waits its turn.
	Waiting func(holder string)
}

// lookahead is how many sources the walk may find ahead of the work, so that
// the progress bar's total means something while memory stays bounded.
const lookahead = 4096

// ErrSetup marks an error that kept a run from starting, such as an
// unreadable manifest; no file was attempted.
var ErrSetup = errors.New("cannot start")

// ErrStale marks a source whose thumbnails are missing or out of date, in Check.
var ErrStale = errors.New("thumbnails missing or out of date")

// staleError says why the thumbnails of a source are stale; it is ErrStale.
type staleError struct{ src, why string }

func (e staleError) Error() string        { return e.src + ": " + e.why }
func (e staleError) Is(target error) bool { return target == ErrStale }

// Report is what a run did besides its per-file results.
type Report struct {
	Summary runner.Summary
	Pruned  []string // output files deleted (or that would be, in a dry run), relative to Out
}

// job is one source to do, with what the producer learnt about it.
type job struct {
	source.Source
	duplicate bool   // the same file was met earlier in the run
	clashOf   string // the output stem an earlier source took, if this one could clash with it
}

// run holds the state shared by the jobs of one run.
type run struct {
	o       Options
	check   bool // only report stale sources
	name    string
	optsKey string
	record  *manifest.Record
	memo    *memo.Memo[[]thumbnail.Thumb]
	// out is the output directory, through which every output is created,
	// renamed and removed; nil in a dry run or check when it does not exist.
	out *outdir.Dir

	mu   sync.Mutex
	met  map[uint64]bool // hashed output-relative names of the sources found
	seed maphash.Seed
}

// ErrNoSources means the arguments named no source image at all.
var ErrNoSources = errors.New("no source images: the paths given name none")

// Resize makes the thumbnails of the sources named by args (see
// source.Finder.Find) under o.Out and returns what it did. Failures of
// single files are reported to o.Observer and make the error wrap
// runner.ErrFailed; the error also carries, joined, every failure of the
// run itself (reading the path list, pruning, saving the manifest). With no
// source at all it returns ErrNoSources and leaves no output directory
// behind that it created.
func Resize(ctx context.Context, args []string, o Options) (Report, error) {
	_, statErr := os.Stat(o.Out)
	created := errors.Is(statErr, fs.ErrNotExist) && !o.DryRun
	out, err := openOut(o.Out, !o.DryRun)
	if err != nil {
		return Report{}, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	if out != nil {
		defer out.Close()
		if !o.DryRun {
			out.RemoveStaleTemps()
		}
	}
	r, err := start(ctx, o, out, false)
	if err != nil {
		return Report{}, err
	}
	sum, err := runner.Run(ctx, r.produce(args), r.process, runner.Options{Jobs: o.Jobs, KeepGoing: o.KeepGoing, Observer: o.Observer, Lookahead: lookahead})
	rep := Report{Summary: sum}
	if sum.Done() == 0 && err == nil {
		r.record.Close()
		if created { // it holds only the empty record: nothing was made
			out.Remove(manifest.FileName(o.Shard))
			os.Remove(o.Out)
		}
		return rep, ErrNoSources
	}
	if o.Prune && (err == nil || o.KeepGoing) {
		pruned, perr := r.record.Prune(r.keep, o.DryRun)
		rep.Pruned = pruned
		if perr != nil {
			err = errors.Join(err, fmt.Errorf("prune: %w", perr))
		}
	}
	// Record what was done, after a failure too: the next run will not redo it.
	if cerr := r.record.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("save the record of this run: %w", cerr))
	}
	return rep, err
}

// Check reports, as failures wrapping ErrStale, the sources named by args
// whose thumbnails under o.Out are missing or out of date. It writes
// nothing. With no source at all it returns ErrNoSources.
func Check(ctx context.Context, args []string, o Options) (runner.Summary, error) {
	o.KeepGoing = true
	out, err := openOut(o.Out, false)
	if err != nil {
		return runner.Summary{}, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	if out != nil {
		defer out.Close()
	}
	r, err := start(ctx, o, out, true)
	if err != nil {
		return runner.Summary{}, err
	}
	defer r.record.Close()
	sum, err := runner.Run(ctx, r.produce(args), r.process, runner.Options{Jobs: o.Jobs, KeepGoing: true, Observer: o.Observer, Lookahead: lookahead})
	if sum.Done() == 0 && err == nil {
		return sum, ErrNoSources
	}
	return sum, err
}

// openOut opens the output directory dir, creating it with create; without
// create, a missing dir gives nil and no error.
func openOut(dir string, create bool) (*outdir.Dir, error) {
	if !create {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	return outdir.Open(dir, create)
}

// start opens the record and returns the state of a run. The caller
// closes the record.
func start(ctx context.Context, o Options, out *outdir.Dir, check bool) (*run, error) {
	name := o.Name
	if name == "" {
		name = NameOne
		if len(o.Thumb.Boxes) > 1 {
			name = NameMany
		}
	}
	if err := CheckTemplate(name, len(o.Thumb.Boxes)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	m, err := manifest.Open(ctx, out, manifest.Options{Shard: o.Shard, ReadOnly: check || o.DryRun, Waiting: o.Waiting})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	// The first run of the process sets how many HEIC and AVIF decoders
	// may be alive at once: one per worker.
	heif.SetDefaultLimit(o.Jobs)
	return &run{
		o:       o,
		check:   check,
		name:    name,
		optsKey: fingerprint(o.Thumb, name),
		record:  m,
		memo:    memo.New(64<<20, thumbsSize),
		out:     out,
		met:     make(map[uint64]bool),
		seed:    maphash.MakeSeed(),
	}, nil
}

// warnings returns the distinct warnings of the thumbnails of one source,
// in order: each thumbnail repeats those of its source.
func warnings(thumbs []thumbnail.Thumb) []string {
	var out []string
	for _, t := range thumbs {
		for _, w := range t.Warnings {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// thumbsSize returns what the thumbnails of one source cost the memo:
// their bytes, plus what an entry takes besides, which for thumbnails of
// tiny images is most of it.
func thumbsSize(ts []thumbnail.Thumb) int64 {
	n := int64(512)
	for _, t := range ts {
		n += int64(len(t.Data))
	}
	return n
}

// fingerprint describes what shapes a source's outputs, the rendering
// code's version and the options, for the record to notice when they
// change. A new build whose rendering is unchanged gives the same.
func fingerprint(t thumbnail.Options, name string) string {
	boxes := make([]string, len(t.Boxes))
	for i, b := range t.Boxes {
		boxes[i] = b.Label
	}
	return fmt.Sprintf("rendering=%d sizes=%s fit=%s crop=%s upscale=%t format=%s quality=%d background=%02x%02x%02x strip=%t keep_profile=%t name=%s",
		thumbnail.RenderingVersion, strings.Join(boxes, ","), t.Fit, t.Crop, t.Upscale, t.Format, t.Quality,
		t.Background.R, t.Background.G, t.Background.B, t.Strip, t.KeepProfile, name)
}

// produce returns the producer of the run's jobs: the sources of args in
// this shard, each marked when it repeats a file already met or when its
// outputs could take the names of an earlier source's. The producer owns
// output names: it hands each name to the first source, in input order,
// that could make it, so which source a clash fails is never a matter of
// scheduling.
func (r *run) produce(args []string) runner.Producer[job] {
	return func(ctx context.Context, emit func(job) bool) error {
		seed := maphash.MakeSeed()
		cwd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("find the current directory: %w", err)
		}
		files := make(map[uint64]bool) // hashed absolute paths met
		stems := make(map[uint64]bool) // hashed output stems given out
		return r.o.Finder.Find(ctx, args, func(s source.Source) bool {
			if !r.o.Shard.Contains(s.Rel) {
				return true
			}
			j := job{Source: s}
			if s.Err == nil {
				abs := s.Path
				if !filepath.IsAbs(abs) {
					abs = filepath.Join(cwd, abs)
				}
				key := maphash.String(seed, filepath.Clean(abs))
				if files[key] {
					j.duplicate = true
				} else {
					files[key] = true
					stem := outputStem(r.name, s.Rel)
					key := maphash.String(seed, stem)
					if stems[key] {
						j.clashOf = stem
					} else {
						stems[key] = true
					}
				}
			}
			return emit(j)
		})
	}
}

// keep reports whether prune must keep e's outputs: those of other shards,
// those of sources found in this run, and those whose source still exists.
func (r *run) keep(e manifest.Entry) bool {
	if !r.o.Shard.Contains(e.Rel) || r.met[maphash.String(r.seed, e.Rel)] {
		return true
	}
	_, err := os.Lstat(e.Src)
	return err == nil
}

// process does one job and never returns an error that does not name its file.
func (r *run) process(ctx context.Context, j job) runner.Result {
	res := runner.Result{Src: j.Path, Status: runner.Failed}
	fail := func(err error) runner.Result {
		res.Err = fmt.Errorf("%s: %w", j.Path, cause(err))
		return res
	}
	switch {
	case j.Err != nil:
		return fail(j.Err)
	case j.duplicate:
		res.Status = runner.Duplicate
		return res
	case j.clashOf != "":
		return fail(fmt.Errorf("its thumbnails could take the names of an earlier source's (%s*)", filepath.Join(r.o.Out, filepath.FromSlash(j.clashOf))))
	}
	info, err := os.Stat(j.Path)
	if err != nil {
		return fail(err)
	}
	if !info.Mode().IsRegular() {
		return fail(fmt.Errorf("not a regular file (%s)", kind(info.Mode())))
	}
	r.addMet(j.Rel)
	if err := ctx.Err(); err != nil {
		return fail(err)
	}

	mtime := info.ModTime().UnixNano()
	st, err := r.record.Check(j.Rel, info.Size(), mtime, r.optsKey)
	if err != nil {
		return fail(err)
	}
	if r.o.Force && !r.check {
		st.Verdict = manifest.Stale
	}
	entry := st.Entry
	if st.Verdict == manifest.Fresh {
		if st.Moved && !r.check && !r.o.DryRun {
			entry.Src = j.Path
			if err := r.record.Put(entry); err != nil {
				return fail(err)
			}
		}
		return r.skipped(res, entry)
	}
	if st.Verdict == manifest.Stale && (r.check || r.o.DryRun) {
		return r.stale(res, st.Why)
	}
	data, err := readFile(j.Path)
	if err != nil {
		return fail(err)
	}
	hash := manifest.Hash(data)
	if st.Verdict == manifest.NeedHash {
		if entry.SameContent(hash) {
			if !r.check && !r.o.DryRun {
				entry.ModTime = mtime
				entry.Src = j.Path
				if err := r.record.Put(entry); err != nil {
					return fail(err)
				}
			}
			return r.skipped(res, entry)
		}
		if r.check || r.o.DryRun {
			return r.stale(res, "the source changed")
		}
	}

	res.BytesIn = int64(len(data)) // bytes in are those of the sources thumbnails are made from
	thumbs, _, err := r.memo.Get(ctx, hash, func() ([]thumbnail.Thumb, error) {
		return thumbnail.Make(ctx, data, r.o.Thumb)
	})
	if err != nil {
		return fail(err)
	}
	res.Warnings = warnings(thumbs)
	if len(res.Warnings) > 0 && r.o.FailOnWarning {
		return fail(fmt.Errorf("%s (--fail-on warning)", strings.Join(res.Warnings, "; ")))
	}
	made, err := r.write(j, thumbs, &res)
	if err != nil {
		return fail(err)
	}
	r.removeOld(entry.OutputNames(), made)
	if err := r.record.Put(manifest.Entry{
		Rel: j.Rel, Src: j.Path, Size: info.Size(), ModTime: mtime, Hash: hash,
		Options: r.optsKey, Outputs: made,
	}); err != nil {
		return fail(err)
	}
	res.Status = runner.OK
	return res
}

// write puts the thumbnails of source j in place, adding each to
// res.Outputs, and returns their paths relative to the output directory.
// All are written under temporary names first and renamed only when every
// one is complete; on any error, none of them is left behind.
func (r *run) write(j job, thumbs []thumbnail.Thumb, res *runner.Result) (made []manifest.Output, err error) {
	names := make([]string, len(thumbs))
	staged := make([]*outdir.Staged, 0, len(thumbs))
	defer func() {
		if err != nil {
			for _, s := range staged {
				s.Discard()
			}
			for _, o := range made {
				r.out.Remove(o.Name)
			}
			made = nil
		}
	}()
	for i, t := range thumbs {
		names[i], err = outputName(r.name, j.Rel, t.Box.Label, t.Width, t.Height, t.Format.Ext())
		if err != nil {
			return nil, err
		}
		s, err := r.out.Stage(names[i], t.Data, false)
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", r.out.Join(names[i]), cause(err))
		}
		staged = append(staged, s)
	}
	for i, s := range staged {
		if err := s.Commit(); err != nil {
			return made, fmt.Errorf("write %s: %w", r.out.Join(names[i]), cause(err))
		}
		info, err := r.out.Lstat(names[i])
		if err != nil {
			return made, fmt.Errorf("write %s: %w", r.out.Join(names[i]), cause(err))
		}
		made = append(made, manifest.Output{Name: names[i], Size: info.Size(), ModTime: info.ModTime().UnixNano(), Sum: manifest.OutputSum(thumbs[i].Data)})
	}
	for i, t := range thumbs {
		res.Outputs = append(res.Outputs, runner.Output{Path: r.out.Join(names[i]), Width: t.Width, Height: t.Height, Bytes: int64(len(t.Data))})
	}
	return made, nil
}

// skipped returns res as a skip of a source whose outputs, those of e, are current.
func (r *run) skipped(res runner.Result, e manifest.Entry) runner.Result {
	res.Status = runner.Skipped
	for _, o := range e.Outputs {
		res.Outputs = append(res.Outputs, runner.Output{Path: filepath.Join(r.o.Out, filepath.FromSlash(o.Name))})
	}
	return res
}

// stale returns res as the report of a source that needs making, in a check
// (a failure, saying why) or a dry run (what would be made).
func (r *run) stale(res runner.Result, why string) runner.Result {
	if r.check {
		res.Err = staleError{src: res.Src, why: why}
		return res
	}
	res.Status = runner.OK
	return res
}

// addMet records the output-relative name of a source found in the run.
func (r *run) addMet(rel string) {
	r.mu.Lock()
	r.met[maphash.String(r.seed, rel)] = true
	r.mu.Unlock()
}

// removeOld deletes, from the output directory, the outputs a source had
// before that it no longer makes. Only regular files go; a directory or a
// symbolic link found at a recorded name is not what thumbs made.
func (r *run) removeOld(old []string, made []manifest.Output) {
	for _, rel := range old {
		if slices.ContainsFunc(made, func(o manifest.Output) bool { return o.Name == rel }) || !filepath.IsLocal(filepath.FromSlash(rel)) {
			continue
		}
		if info, err := r.out.Lstat(rel); err == nil && info.Mode().IsRegular() {
			r.out.Remove(rel)
		}
	}
}

// readFile reads a regular file, refusing one that turned into something
// else since it was checked (opening a FIFO without O_NONBLOCK would wait
// for a writer).
func readFile(name string) ([]byte, error) {
	f, err := openNonBlocking(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", kind(info.Mode()))
	}
	data := make([]byte, info.Size())
	n, err := io.ReadFull(f, data)
	if err == io.ErrUnexpectedEOF {
		err = nil // the file shrank while being read: take what is there
	}
	return data[:n], err
}

// cause strips the operation and paths that os errors repeat, since thumbs
// names the file itself.
func cause(err error) error {
	for {
		switch e := err.(type) {
		case *fs.PathError:
			if errors.Is(err, context.Canceled) {
				return err
			}
			err = e.Err
		case *os.LinkError:
			err = e.Err
		default:
			return err
		}
	}
}

// kind names the type of a file that is not regular.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}
