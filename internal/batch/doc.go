// Package batch turns the paths of a run into thumbnails on disk: it plans
// each source's output names, skips sources whose outputs are current, does
// duplicate work once, and puts every output in place through the output
// directory's os.Root (internal/outdir). Since no source lies inside the
// output directory (internal/source sees to that), no output can replace
// a source.
package batch
