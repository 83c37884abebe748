package cli

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/thumbs-dev/thumbs/internal/manifest"
	"github.com/thumbs-dev/thumbs/internal/outdir"
	"github.com/thumbs-dev/thumbs/internal/report"
)

// newRecordCmd returns the record command: the run record of an output
// directory as JSON lines, for people and CI diffs.
func newRecordCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "record [-o DIR]",
		Short: "Print the run record of an output directory as JSON lines",
		Long: `record prints what the run record of --out holds: one JSON object per
source, sorted by its output-relative name, then nothing else. It writes
nothing. docs/manifest.md describes the fields.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.NoArgs(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printRecord(cmd, out)
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "thumbs", "the output `DIR` whose record to print")
	return cmd
}

// recordLine is the JSON form of one entry; names that are not UTF-8 also
// go, exactly, base64-encoded, in the *_bytes fields.
type recordLine struct {
	Rel      string         `json:"rel"`
	RelBytes []byte         `json:"rel_bytes,omitempty"`
	Src      string         `json:"src"`
	SrcBytes []byte         `json:"src_bytes,omitempty"`
	Size     int64          `json:"size"`
	ModTime  int64          `json:"mtime_ns"`
	Hash     string         `json:"sha256"`
	Options  string         `json:"options"`
	Outputs  []recordOutput `json:"outputs"`
}

type recordOutput struct {
	Name      string `json:"name"`
	NameBytes []byte `json:"name_bytes,omitempty"`
	Size      int64  `json:"size"`
	ModTime   int64  `json:"mtime_ns"`
	Sum       string `json:"sum"`
}

func printRecord(cmd *cobra.Command, out string) error {
	d, err := outdir.Open(out, false)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such output directory", out)
	}
	if err != nil {
		return err
	}
	defer d.Close()
	rec, err := manifest.Open(cmd.Context(), d, manifest.Options{ReadOnly: true, Waiting: func(holder string) {
		fmt.Fprintf(cmd.ErrOrStderr(), "thumbs: %s is in use by %s; waiting for it to finish\n", out, holder)
	}})
	if err != nil {
		return err
	}
	defer rec.Close()
	enc := json.NewEncoder(cmd.OutOrStdout())
	var werr error
	err = rec.Entries(func(e manifest.Entry) bool {
		line := recordLine{Rel: e.Rel, RelBytes: report.ExactName(e.Rel), Src: e.Src, SrcBytes: report.ExactName(e.Src),
			Size: e.Size, ModTime: e.ModTime, Hash: e.Hash, Options: e.Options, Outputs: []recordOutput{}}
		for _, o := range e.Outputs {
			line.Outputs = append(line.Outputs, recordOutput{Name: o.Name, NameBytes: report.ExactName(o.Name), Size: o.Size, ModTime: o.ModTime, Sum: hex.EncodeToString(o.Sum[:])})
		}
		werr = enc.Encode(line)
		return werr == nil
	})
	if err == nil {
		err = werr
	}
	return err
}
