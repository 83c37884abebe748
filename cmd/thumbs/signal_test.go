package main

// Interruption tests: thumbs stopped by SIGINT, SIGTERM and SIGKILL in the
// middle of a run. Deadlines are generous: they only catch hangs.

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	sgBase  map[[2]int][]byte
	sgBaseM sync.Mutex
)

// sgJPEG returns a w×h photo-like JPEG, made once per size.
func sgJPEG(w, h int) []byte {
	sgBaseM.Lock()
	defer sgBaseM.Unlock()
	if sgBase == nil {
		sgBase = make(map[[2]int][]byte)
	}
	k := [2]int{w, h}
	if sgBase[k] == nil {
		sgBase[k] = rbJPEG(w, h)
	}
	return sgBase[k]
}

// sgMakeJob writes n JPEGs of w×h named 000.jpg, 001.jpg... in dir. They
// have the same pixels but different bytes (a comment segment carries the
// number), so thumbs cannot reuse one's thumbnails for another.
func sgMakeJob(t testing.TB, dir string, n, w, h int) {
	t.Helper()
	base := sgJPEG(w, h)
	for i := range n {
		com := fmt.Sprintf("image %08d", i)
		data := append([]byte{}, base[:2]...) // SOI
		data = append(data, 0xFF, 0xFE, 0, byte(2+len(com)))
		data = append(data, com...)
		data = append(data, base[2:]...)
		rbWrite(t, filepath.Join(dir, fmt.Sprintf("%03d.jpg", i)), data)
	}
}

// sgOutputs lists the thumbnails (not temporary files) under dir.
func sgOutputs(dir string) []string {
	var outs []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jpg") && !strings.HasPrefix(d.Name(), ".thumbs-tmp-") {
			outs = append(outs, p)
		}
		return nil
	})
	return outs
}

// sgStart starts thumbs with args and returns it with its output buffers
// and a channel closed when it has ended.
func sgStart(t *testing.T, dir string, args ...string) (*exec.Cmd, *bytes.Buffer, chan struct{}) {
	t.Helper()
	cmd := thumbsCommand(args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	return cmd, &stderr, done
}

// sgWaitOutput waits until a thumbnail appears under out, failing the test
// if the process ends or none appears within the deadline.
func sgWaitOutput(t *testing.T, out string, done chan struct{}, stderr *bytes.Buffer) {
	t.Helper()
	deadline := time.After(120 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for len(sgOutputs(out)) == 0 {
		select {
		case <-done:
			t.Fatalf("thumbs ended before making any thumbnail:\n%s", rbTail(stderr.String()))
		case <-deadline:
			t.Fatalf("no thumbnail after 120 s")
		case <-tick.C:
		}
	}
}

// sgWait waits for the process to end, killing it and failing the test
// after the deadline.
func sgWait(t *testing.T, cmd *exec.Cmd, done chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(d):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("thumbs did not end within %v of %s", d, what)
	}
}

// sgCheckOutputs checks that every thumbnail under out decodes completely
// to w×h, and returns how many there are.
func sgCheckOutputs(t *testing.T, out string, w, h int) int {
	t.Helper()
	outs := sgOutputs(out)
	for _, p := range outs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
			continue
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Errorf("thumbnail %s (%d bytes) does not decode: %v", p, len(data), err)
			continue
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("thumbnail %s is %dx%d, want %dx%d", p, b.Dx(), b.Dy(), w, h)
		}
	}
	return len(outs)
}

var sgSummary = regexp.MustCompile(`(?m)^thumbs: (\d+) ok, (\d+) failed, (\d+) skipped`)

// TestSignalInterrupt stops a long run with SIGINT and SIGTERM once it has
// made some thumbnails, and checks that it ends promptly with status
// 128+signal, reports, leaves only complete thumbnails and no temporary
// file, and saves its manifest so that a re-run skips what was done.
func TestSignalInterrupt(t *testing.T) {
	const n = 200
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			root := t.TempDir()
			in, out := filepath.Join(root, "in"), filepath.Join(root, "out")
			sgMakeJob(t, in, n, 1000, 800)
			cmd, stderr, done := sgStart(t, root, "-j", "2", "--progress", "never", "-o", out, in)
			sgWaitOutput(t, out, done, stderr)
			sent := time.Now()
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			sgWait(t, cmd, done, 60*time.Second, c.sig.String())
			t.Logf("%v: ended %v after the signal; stderr:\n%s", c.sig, time.Since(sent).Round(time.Millisecond), stderr)

			if code := cmd.ProcessState.ExitCode(); code != c.code {
				t.Errorf("exit status %d (%v), want %d", code, cmd.ProcessState, c.code)
			}
			errText := stderr.String()
			m := sgSummary.FindStringSubmatch(errText)
			if m == nil {
				t.Fatalf("no summary line on stderr:\n%s", errText)
			}
			if !strings.Contains(errText, "interrupted") {
				t.Errorf("stderr does not say the run was interrupted:\n%s", errText)
			}
			ok, _ := strconv.Atoi(m[1])
			if m[2] != "0" {
				t.Errorf("interrupted jobs counted as failures: %q", m[0])
			}
			if ok < 1 || ok >= n {
				t.Errorf("summary %q: want some but not all of %d made", m[0], n)
			}
			rbCheckSane(t, rbResult{stdout: "", stderr: errText}, out)
			made := sgCheckOutputs(t, out, 256, 205)
			if made != ok {
				t.Errorf("%d thumbnails on disk, summary says %d ok", made, ok)
			}

			// The manifest was saved: with the sources not done removed,
			// a re-run skips every one that was.
			doneNames := make(map[string]bool)
			for _, p := range sgOutputs(out) {
				doneNames[filepath.Base(p)] = true
			}
			for i := range n {
				name := fmt.Sprintf("%03d.jpg", i)
				if !doneNames[name] {
					os.Remove(filepath.Join(in, name))
				}
			}
			r := rbRun(t, rbOpts{dir: root}, "-j", "2", "--progress", "never", "-o", out, in)
			if r.code != 0 {
				t.Errorf("re-run: exit status %d\n%s", r.code, r.stderr)
			}
			if want := fmt.Sprintf("thumbs: 0 ok, 0 failed, %d skipped", ok); !strings.Contains(r.stderr, want) {
				t.Errorf("re-run: want %q, got:\n%s", want, r.stderr)
			}
		})
	}
}

// TestSignalKillThenRerun kills thumbs with SIGKILL in the middle of a run,
// then checks that a new run over the same directory completes, removes the
// temporary files of the killed process (real ones, if any, and one planted
// under its process id), and keeps those that may belong to a live process.
func TestSignalKillThenRerun(t *testing.T) {
	const n = 24
	root := t.TempDir()
	in, out := filepath.Join(root, "in"), filepath.Join(root, "out")
	sgMakeJob(t, in, n, 480, 360)
	cmd, stderr, done := sgStart(t, root, "-j", "2", "--progress", "never", "-o", out, in)
	sgWaitOutput(t, out, done, stderr)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	sgWait(t, cmd, done, 60*time.Second, "SIGKILL")
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("thumbs was not killed by SIGKILL: %v", cmd.ProcessState)
	}
	// Whatever the killed process left, its thumbnails are complete.
	before := sgCheckOutputs(t, out, 256, 192)
	leftover := rbTemps(t, out)
	t.Logf("killed after %d of %d thumbnails; temporary files it left: %q", before, n, leftover)

	host, _ := os.Hostname()
	host = strings.ReplaceAll(host, "-", "_")
	dead := filepath.Join(out, fmt.Sprintf(".thumbs-tmp-%s-%d-424242", host, cmd.Process.Pid))
	deadDeep := filepath.Join(out, "sub", "dir", fmt.Sprintf(".thumbs-tmp-%s-%d-7", host, cmd.Process.Pid))
	live := filepath.Join(out, fmt.Sprintf(".thumbs-tmp-%s-%d-1", host, os.Getpid()))
	other := filepath.Join(out, fmt.Sprintf(".thumbs-tmp-%s-%d-1", "some_other_host"+host, cmd.Process.Pid))
	for _, p := range []string{dead, deadDeep, live, other} {
		rbWrite(t, p, []byte("partial thumbnail"))
	}

	r := rbRun(t, rbOpts{dir: root, timeout: 300 * time.Second}, "-j", "2", "--json", "--progress", "never", "-o", out, in)
	if r.code != 0 {
		t.Errorf("re-run: exit status %d\n%s", r.code, rbTail(r.stderr))
	}
	if r.summary == nil || r.summary.Summary.OK+r.summary.Summary.Skipped != n || r.summary.Summary.Failed != 0 {
		t.Errorf("re-run: summary %+v, want %d ok or skipped", r.summary, n)
	}
	if made := sgCheckOutputs(t, out, 256, 192); made != n {
		t.Errorf("%d thumbnails after the re-run, want %d", made, n)
	}
	remaining := rbTemps(t, out)
	t.Logf("temporary files after the re-run: %q", remaining)
	want := map[string]bool{live: true, other: true}
	for _, p := range remaining {
		if !want[p] {
			t.Errorf("temporary file %s of the killed process left after the re-run", p)
		}
	}
	for p := range want {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("temporary file %s, maybe of a live process, was removed: %v", p, err)
		}
	}
}

// TestSignalWhileReadingStdin interrupts thumbs while it waits for more
// paths on a stdin that stays open (as with "tail -f list | thumbs" or a
// slow producer): one SIGINT or SIGTERM must end the run like any other,
// not only the end of stdin or a second signal.
func TestSignalWhileReadingStdin(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			root := t.TempDir()
			out := filepath.Join(root, "out")
			rbWrite(t, filepath.Join(root, "a.jpg"), sgJPEG(480, 360))
			cmd := thumbsCommand("--progress", "never", "-o", out, "-")
			cmd.Dir = root
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() {
				cmd.Wait()
				close(done)
			}()
			defer func() {
				select {
				case <-done:
				default:
					syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					<-done
				}
			}()
			if _, err := io.WriteString(stdin, "a.jpg\n"); err != nil {
				t.Fatal(err)
			}
			// Once a.jpg is made, thumbs is waiting for the next path.
			sgWaitOutput(t, out, done, &stderr)
			time.Sleep(100 * time.Millisecond)
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-done
				t.Fatalf("thumbs still ran 15 s after %v while stdin was open; killed (stderr: %q)", c.sig, stderr.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != c.code {
				t.Errorf("exit status %d (%v), want %d", code, cmd.ProcessState, c.code)
			}
			if m := sgSummary.FindStringSubmatch(stderr.String()); m == nil || m[1] != "1" {
				t.Errorf("want the summary \"thumbs: 1 ok, ...\" on stderr, got:\n%s", stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say the run was interrupted:\n%s", stderr.String())
			}
			rbCheckSane(t, rbResult{stderr: stderr.String()}, out)
		})
	}
}
