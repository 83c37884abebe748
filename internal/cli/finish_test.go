package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/thumbs-dev/thumbs/internal/batch"
	"github.com/thumbs-dev/thumbs/internal/report"
	"github.com/thumbs-dev/thumbs/internal/runner"
)

// TestFinishPrintsEachRunFailureOnce: failures of the run itself are shown
// once on stderr and in the JSON summary; those of files, shown as they
// happened, are not repeated; each sets the exit status.
func TestFinishPrintsEachRunFailureOnce(t *testing.T) {
	fileFailure := fmt.Errorf("3 of 9 files failed: %w", runner.ErrFailed)
	record := errors.New("save the record of this run: manifest: disk full")
	prune := errors.New("prune: manifest: refusing to prune output")
	tests := []struct {
		name      string
		err       error
		wantLines []string // on stderr, before the summary line
		wantCode  int
	}{
		{"all well", nil, nil, exitOK},
		{"files failed", fileFailure, nil, exitFailed},
		{"record failed", record, []string{"thumbs: " + record.Error()}, exitFailed},
		{"files and record failed", errors.Join(errors.Join(fileFailure, prune), record), []string{"thumbs: " + prune.Error(), "thumbs: " + record.Error()}, exitFailed},
		{"no sources", batch.ErrNoSources, []string{"thumbs: " + batch.ErrNoSources.Error()}, exitUsage},
		{"cannot start", fmt.Errorf("%w: mkdir out: not a directory", batch.ErrSetup), []string{"thumbs: cannot start: mkdir out: not a directory"}, exitFailed},
	}
	for _, tt := range tests {
		for _, json := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s json=%v", tt.name, json), func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				rep := report.New(report.Options{Stdout: &stdout, Stderr: &stderr, JSON: json})
				err := finish(rep, runner.Summary{}, nil, tt.err)
				code := exitOK
				var reported reportedError
				if errors.As(err, &reported) {
					code = reported.code
				} else if err != nil {
					t.Fatalf("finish = %v, want a reportedError", err)
				}
				if code != tt.wantCode {
					t.Errorf("exit status %d, want %d", code, tt.wantCode)
				}
				lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
				var got []string
				for _, l := range lines {
					if !strings.HasPrefix(l, "thumbs: 0 ok") {
						got = append(got, l)
					}
				}
				if strings.Join(got, "\n") != strings.Join(tt.wantLines, "\n") {
					t.Errorf("stderr lines %q, want %q", got, tt.wantLines)
				}
				if json {
					for _, l := range tt.wantLines {
						msg := strings.TrimPrefix(l, "thumbs: ")
						if strings.Count(stdout.String(), msg) != 1 {
							t.Errorf("JSON %q does not carry %q once", stdout.String(), msg)
						}
					}
					if !strings.Contains(stdout.String(), `"summary"`) {
						t.Errorf("JSON %q has no summary object", stdout.String())
					}
				}
			})
		}
	}
}
