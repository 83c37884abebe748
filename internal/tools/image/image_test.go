package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// stampedVersion is the release version the tests stamp into thumbs and
// give the image.
const stampedVersion = "v9.8.7-imagetest"

// testPlatform is the platform the tests build thumbs for: this machine's
// architecture when the image supports it, so that the binary taken out of
// the image can be run.
func testPlatform() Platform {
	if _, ok := elfMachines[runtime.GOARCH]; ok {
		return Platform{OS: "linux", Arch: runtime.GOARCH}
	}
	return Platform{OS: "linux", Arch: "amd64"}
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// builtTools returns a static, stamped thumbs binary for testPlatform, built
// as "make image" builds it, and this command built for this machine (run
// as a process of its own, so that it compresses the layer without the race
// detector's slowness). They are built once per test binary.
func builtTools(t *testing.T) (thumbs, imageTool string) {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "thumbs-image-test-")
		if buildErr != nil {
			return
		}
		p := testPlatform()
		cmd := exec.Command("go", "build", "-tags", "nodynamic", "-trimpath", "-buildvcs=false",
			"-ldflags", "-s -w -X github.com/thumbs-dev/thumbs/internal/release.stamp="+stampedVersion,
			"-o", filepath.Join(buildDir, "thumbs"), "../../../cmd/thumbs")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New("go build thumbs: " + err.Error() + "\n" + string(out))
			return
		}
		cmd = exec.Command("go", "build", "-o", filepath.Join(buildDir, "image"), ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New("go build image: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "thumbs"), filepath.Join(buildDir, "image")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// tarEntry is a file of a tar archive.
type tarEntry struct {
	header tar.Header
	data   []byte
}

// readTar returns the entries of the tar stream r by name, and their names
// in order.
func readTar(t *testing.T, r io.Reader) (map[string]tarEntry, []string) {
	t.Helper()
	entries := map[string]tarEntry{}
	var names []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return entries, names
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("reading %s from tar: %v", h.Name, err)
		}
		if _, dup := entries[h.Name]; dup {
			t.Errorf("tar holds %s twice", h.Name)
		}
		entries[h.Name] = tarEntry{*h, data}
		names = append(names, h.Name)
	}
}

// The parts of the OCI image layout, index, manifest and config, and of
// docker's manifest.json, that the tests read: declared here, apart from the
// types that write them, so that a misnamed field fails.
type (
	ociDescriptor struct {
		MediaType string `json:"mediaType"`
		Digest    string `json:"digest"`
		Size      int64  `json:"size"`
		Platform  *struct {
			OS           string `json:"os"`
			Architecture string `json:"architecture"`
		} `json:"platform"`
		Annotations map[string]string `json:"annotations"`
	}
	ociIndex struct {
		SchemaVersion int             `json:"schemaVersion"`
		Manifests     []ociDescriptor `json:"manifests"`
	}
	ociManifest struct {
		SchemaVersion int             `json:"schemaVersion"`
		Config        ociDescriptor   `json:"config"`
		Layers        []ociDescriptor `json:"layers"`
	}
	ociConfig struct {
		Created      string `json:"created"`
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Config       struct {
			User       string            `json:"User"`
			Entrypoint []string          `json:"Entrypoint"`
			WorkingDir string            `json:"WorkingDir"`
			Labels     map[string]string `json:"Labels"`
		} `json:"config"`
		RootFS struct {
			Type    string   `json:"type"`
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	}
	dockerLoadManifest []struct {
		Config   string   `json:"Config"`
		RepoTags []string `json:"RepoTags"`
		Layers   []string `json:"Layers"`
	}
)

// ociLayout reads an OCI image layout from the files of a tar archive,
// checking each blob against its digest.
type ociLayout struct {
	t     *testing.T
	files map[string]tarEntry
}

// blob returns the content d describes, after checking its size and digest.
func (l ociLayout) blob(d ociDescriptor) []byte {
	l.t.Helper()
	hexDigest, ok := strings.CutPrefix(d.Digest, "sha256:")
	if !ok {
		l.t.Fatalf("digest %q is not sha256", d.Digest)
	}
	e, ok := l.files["blobs/sha256/"+hexDigest]
	if !ok {
		l.t.Fatalf("the layout has no blob %s", d.Digest)
	}
	sum := sha256.Sum256(e.data)
	if got := hex.EncodeToString(sum[:]); got != hexDigest {
		l.t.Fatalf("blob %s holds content of digest sha256:%s", d.Digest, got)
	}
	if int64(len(e.data)) != d.Size {
		l.t.Fatalf("blob %s has %d bytes, its descriptor says %d", d.Digest, len(e.data), d.Size)
	}
	return e.data
}

// decode decodes the JSON blob d describes into v, after checking its media
// type.
func (l ociLayout) decode(d ociDescriptor, mediaType string, v any) {
	l.t.Helper()
	if d.MediaType != mediaType {
		l.t.Fatalf("descriptor of %s has media type %q, want %q", d.Digest, d.MediaType, mediaType)
	}
	if err := json.Unmarshal(l.blob(d), v); err != nil {
		l.t.Fatalf("blob %s: %v", d.Digest, err)
	}
}

// TestImage builds the image of a stamped thumbs binary, reads it back from
// the tar file, and checks what the image promises: a non-root user, /thumbs
// as the entrypoint in /work, the labels, exactly the files it should hold,
// and a static binary that names the stamped version.
func TestImage(t *testing.T) {
	thumbs, imageTool := builtTools(t)
	platform := testPlatform()
	out := t.TempDir()
	layoutDir, tarPath := filepath.Join(out, "layout"), filepath.Join(out, "image.tar")
	args := []string{"-version", stampedVersion, "-revision", "0123456789abcdef", "-epoch", "1700000000",
		"-dir", layoutDir, "-tar", tarPath, platform.String() + "=" + thumbs}
	if out, err := exec.Command(imageTool, args...).CombinedOutput(); err != nil {
		t.Fatalf("image %s: %v\n%s", strings.Join(args, " "), err, out)
	}

	tarData, err := os.ReadFile(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := readTar(t, bytes.NewReader(tarData))
	layout := ociLayout{t, files}

	t.Run("directory holds the tar file's layout", func(t *testing.T) {
		seen := 0
		err := filepath.WalkDir(layoutDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(layoutDir, path)
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if e, ok := files[filepath.ToSlash(rel)]; !ok || !bytes.Equal(e.data, data) {
				t.Errorf("%s in the directory is not the same file in the tar file", rel)
			}
			seen++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The tar file has manifest.json besides, and the two blobs/ directories.
		if want := len(files) - 3; seen != want {
			t.Errorf("the directory holds %d files, the tar file %d besides manifest.json", seen, want)
		}
	})

	if got := string(files["oci-layout"].data); got != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %s", got)
	}
	var top ociIndex
	if err := json.Unmarshal(files["index.json"].data, &top); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	if len(top.Manifests) != 1 {
		t.Fatalf("index.json names %d manifests, want 1 image index", len(top.Manifests))
	}
	if got := top.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; got != stampedVersion {
		t.Errorf("index.json names the image %q, want %q", got, stampedVersion)
	}
	var images ociIndex
	layout.decode(top.Manifests[0], "application/vnd.oci.image.index.v1+json", &images)
	if len(images.Manifests) != 1 || images.Manifests[0].Platform == nil ||
		images.Manifests[0].Platform.OS != platform.OS || images.Manifests[0].Platform.Architecture != platform.Arch {
		t.Fatalf("the image index holds %+v, want one manifest for %s", images.Manifests, platform)
	}
	var m ociManifest
	layout.decode(images.Manifests[0], "application/vnd.oci.image.manifest.v1+json", &m)
	var config ociConfig
	layout.decode(m.Config, "application/vnd.oci.image.config.v1+json", &config)
	if top.SchemaVersion != 2 || images.SchemaVersion != 2 || m.SchemaVersion != 2 {
		t.Errorf("schema versions %d, %d, %d, want 2", top.SchemaVersion, images.SchemaVersion, m.SchemaVersion)
	}
	if len(m.Layers) != 1 {
		t.Fatalf("the manifest has %d layers, want 1", len(m.Layers))
	}
	if m.Layers[0].MediaType != "application/vnd.oci.image.layer.v1.tar+gzip" {
		t.Errorf("the layer's media type is %q", m.Layers[0].MediaType)
	}
	gz, err := gzip.NewReader(bytes.NewReader(layout.blob(m.Layers[0])))
	if err != nil {
		t.Fatalf("the layer is not gzipped: %v", err)
	}
	rawLayer, err := io.ReadAll(gz)
	if err != nil {
		t.Fatalf("the layer: %v", err)
	}

	t.Run("config", func(t *testing.T) {
		if config.Config.User != "65532:65532" {
			t.Errorf("User = %q, want the non-root 65532:65532", config.Config.User)
		}
		if !reflect.DeepEqual(config.Config.Entrypoint, []string{"/thumbs"}) {
			t.Errorf("Entrypoint = %q, want [/thumbs]", config.Config.Entrypoint)
		}
		if config.Config.WorkingDir != "/work" {
			t.Errorf("WorkingDir = %q, want /work", config.Config.WorkingDir)
		}
		if config.OS != platform.OS || config.Architecture != platform.Arch {
			t.Errorf("config is for %s/%s, want %s", config.OS, config.Architecture, platform)
		}
		if config.Created != "2023-11-14T22:13:20Z" {
			t.Errorf("created = %q, want the -epoch 2023-11-14T22:13:20Z", config.Created)
		}
		if config.RootFS.Type != "layers" {
			t.Errorf("rootfs type %q, want layers", config.RootFS.Type)
		}
		if want := []string{digestOfBytes(rawLayer)}; !reflect.DeepEqual(config.RootFS.DiffIDs, want) {
			t.Errorf("diff_ids = %q, want the digest of the uncompressed layer %q", config.RootFS.DiffIDs, want)
		}
		wantLabels := map[string]string{
			"org.opencontainers.image.title":       "thumbs",
			"org.opencontainers.image.description": "Makes thumbnails of many images at once: JPEG, PNG, GIF, TIFF, BMP, WebP, HEIC and AVIF, incrementally",
			"org.opencontainers.image.source":      "https://github.com/thumbs-dev/thumbs",
			"org.opencontainers.image.url":         "https://github.com/thumbs-dev/thumbs",
			"org.opencontainers.image.licenses":    "NOASSERTION",
			"org.opencontainers.image.version":     stampedVersion,
			"org.opencontainers.image.revision":    "0123456789abcdef",
			"org.opencontainers.image.created":     "2023-11-14T22:13:20Z",
		}
		if !reflect.DeepEqual(config.Config.Labels, wantLabels) {
			t.Errorf("labels = %v\nwant %v", config.Config.Labels, wantLabels)
		}
	})

	layer, order := readTar(t, bytes.NewReader(rawLayer))
	t.Run("layer holds exactly the promised files", func(t *testing.T) {
		want := []struct {
			name     string
			typeflag byte
			mode     int64
			uid, gid int
		}{
			{"etc/", tar.TypeDir, 0o755, 0, 0},
			{"etc/group", tar.TypeReg, 0o644, 0, 0},
			{"etc/passwd", tar.TypeReg, 0o644, 0, 0},
			{"thumbs", tar.TypeReg, 0o755, 0, 0},
			{"work/", tar.TypeDir, 0o755, 65532, 65532},
		}
		if len(order) != len(want) {
			t.Errorf("the layer holds %q, want %d entries", order, len(want))
		}
		for _, w := range want {
			e, ok := layer[w.name]
			if !ok {
				t.Errorf("the layer has no %s", w.name)
				continue
			}
			h := e.header
			if h.Typeflag != w.typeflag || h.Mode != w.mode || h.Uid != w.uid || h.Gid != w.gid {
				t.Errorf("%s: type %q mode %o owner %d:%d, want type %q mode %o owner %d:%d",
					w.name, h.Typeflag, h.Mode, h.Uid, h.Gid, w.typeflag, w.mode, w.uid, w.gid)
			}
			if h.ModTime.Unix() != 1700000000 {
				t.Errorf("%s has time %v, want the -epoch", w.name, h.ModTime)
			}
		}
	})

	t.Run("the user 65532 is nonroot in /etc/passwd and /etc/group", func(t *testing.T) {
		users := colonFields(string(layer["etc/passwd"].data))
		if got := users["65532"]; !reflect.DeepEqual(got, []string{"nonroot", "x", "65532", "65532", "nonroot", "/work", "/sbin/nologin"}) {
			t.Errorf("/etc/passwd entry of 65532 = %q", got)
		}
		for id, fields := range users {
			if fields[1] != "x" {
				t.Errorf("/etc/passwd entry of %s holds a password", id)
			}
		}
		groups := colonFields(string(layer["etc/group"].data))
		if got := groups["65532"]; !reflect.DeepEqual(got, []string{"nonroot", "x", "65532", ""}) {
			t.Errorf("/etc/group entry of 65532 = %q", got)
		}
	})

	binaryInImage := layer["thumbs"].data
	t.Run("/thumbs is the static stamped binary", func(t *testing.T) {
		built, err := os.ReadFile(thumbs)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(binaryInImage, built) {
			t.Fatalf("/thumbs (%d bytes) is not the binary given (%d bytes)", len(binaryInImage), len(built))
		}
		f, err := elf.NewFile(bytes.NewReader(binaryInImage))
		if err != nil {
			t.Fatalf("/thumbs is not ELF: %v", err)
		}
		if f.Machine != elfMachines[platform.Arch] {
			t.Errorf("/thumbs is for %v, want %s", f.Machine, platform.Arch)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("/thumbs has a PT_INTERP program header: it needs a dynamic linker the image lacks")
			}
		}
		if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
			t.Errorf("/thumbs needs shared libraries %q (%v)", libs, err)
		}
		if runtime.GOOS != platform.OS || runtime.GOARCH != platform.Arch {
			return // It cannot run here; the checks above are all there is.
		}
		extracted := filepath.Join(t.TempDir(), "thumbs")
		if err := os.WriteFile(extracted, binaryInImage, 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(extracted, "version").Output()
		if err != nil {
			t.Fatalf("/thumbs version: %v", err)
		}
		if first, _, _ := strings.Cut(string(out), "\n"); !strings.HasPrefix(first, "thumbs "+stampedVersion+" (") {
			t.Errorf("/thumbs version prints %q, want thumbs %s (...)", first, stampedVersion)
		}
	})

	t.Run("manifest.json names the image for docker load", func(t *testing.T) {
		var loads dockerLoadManifest
		if err := json.Unmarshal(files["manifest.json"].data, &loads); err != nil {
			t.Fatalf("manifest.json: %v", err)
		}
		want := dockerLoadManifest{{
			Config:   "blobs/sha256/" + strings.TrimPrefix(m.Config.Digest, "sha256:"),
			RepoTags: []string{"ghcr.io/thumbs-dev/thumbs:" + stampedVersion},
			Layers:   []string{"blobs/sha256/" + strings.TrimPrefix(m.Layers[0].Digest, "sha256:")},
		}}
		if !reflect.DeepEqual(loads, want) {
			t.Errorf("manifest.json = %+v, want %+v", loads, want)
		}
	})

	t.Run("the same input gives the same bytes", func(t *testing.T) {
		again := filepath.Join(t.TempDir(), "again.tar")
		args := []string{"-version", stampedVersion, "-revision", "0123456789abcdef", "-epoch", "1700000000",
			"-tar", again, platform.String() + "=" + thumbs}
		if out, err := exec.Command(imageTool, args...).CombinedOutput(); err != nil {
			t.Fatalf("image: %v\n%s", err, out)
		}
		againData, err := os.ReadFile(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(againData, tarData) {
			t.Error("a second build of the same binary and flags gives a different tar file")
		}
	})
}

// digestOfBytes returns the sha256 digest of data, computed here rather than
// by the code under test.
func digestOfBytes(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// colonFields parses an /etc/passwd or /etc/group file into its entries'
// fields, keyed by the third field (the uid or gid).
func colonFields(file string) map[string][]string {
	entries := map[string][]string{}
	for line := range strings.Lines(file) {
		fields := strings.Split(strings.TrimSuffix(line, "\n"), ":")
		if len(fields) >= 3 {
			entries[fields[2]] = fields
		}
	}
	return entries
}

// TestRefusals checks that what cannot make a working image is refused
// before anything is written: a binary for another architecture, one that
// needs a dynamic linker, a file that is no ELF, a version that is no tag,
// and malformed command lines.
func TestRefusals(t *testing.T) {
	thumbs, _ := builtTools(t)
	platform := testPlatform()
	other := "linux/arm64"
	if platform.Arch == "arm64" {
		other = "linux/amd64"
	}
	dir := t.TempDir()
	dynamic := filepath.Join(dir, "dynamic")
	writeWithInterpreter(t, thumbs, dynamic)
	text := filepath.Join(dir, "text")
	if err := os.WriteFile(text, []byte("#!/bin/sh\necho thumbs\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantError  string
	}{
		{"binary for another architecture", []string{other + "=" + thumbs}, 1, "not " + other},
		{"binary that needs a dynamic linker", []string{platform.String() + "=" + dynamic}, 1, "dynamically linked"},
		{"file that is no ELF", []string{platform.String() + "=" + text}, 1, "not an ELF executable"},
		{"missing binary", []string{platform.String() + "=" + filepath.Join(dir, "none")}, 1, "no such file"},
		{"two binaries for a platform", []string{platform.String() + "=" + thumbs, platform.String() + "=" + thumbs}, 1, "two binaries for " + platform.String()},
		{"version that is no tag", []string{"-version", "(devel)", platform.String() + "=" + thumbs}, 1, "cannot be an image tag"},
		{"platform that is not linux", []string{"windows/amd64=" + thumbs}, 2, `"windows/amd64" is not linux/ARCH`},
		{"architecture without an image", []string{"linux/riscv64=" + thumbs}, 2, "not amd64 or arm64"},
		{"argument without a binary", []string{platform.String()}, 2, "is not OS/ARCH=BINARY"},
		{"no binaries", nil, 2, "no binaries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "layout")
			args := append([]string{"-version", stampedVersion, "-revision", "r", "-dir", out}, tt.args...)
			var stderr bytes.Buffer
			if status := run(args, &stderr); status != tt.wantStatus {
				t.Errorf("exit status %d, want %d; stderr: %s", status, tt.wantStatus, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantError) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.wantError)
			}
			if strings.Count(stderr.String(), "\n") != 1 && tt.wantStatus == 1 {
				t.Errorf("stderr is not one line: %q", stderr.String())
			}
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a refused build wrote %s (stat: %v)", out, err)
			}
		})
	}
}

// writeWithInterpreter writes a copy of the static 64-bit little-endian ELF
// executable src to dst with its first program header made a PT_INTERP, as
// a dynamically linked executable has.
func writeWithInterpreter(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	phoff := binary.LittleEndian.Uint64(data[32:40]) // e_phoff of an ELF64 header
	binary.LittleEndian.PutUint32(data[phoff:], uint32(elf.PT_INTERP))
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestDockerfileMatches checks that the Dockerfile, for users who have
// Docker, builds the image this command builds: from scratch, with the same
// user, paths, entrypoint, labels and /etc files.
func TestDockerfileMatches(t *testing.T) {
	data, err := os.ReadFile("../../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	dockerfile := string(data)
	var want []string
	want = append(want,
		"\nFROM scratch\n",
		"\nUSER "+imageUser+"\n",
		"\nWORKDIR "+workDir+"\n",
		`ENTRYPOINT ["`+binaryPath+`"]`,
		"COPY --from=build /out/thumbs "+binaryPath+"\n",
		"COPY --from=build --chown=65532:65532 /out/work "+workDir+"\n",
		"ARG LICENSES="+licenses+"\n",
	)
	for line := range strings.Lines(passwdFile + groupFile) {
		want = append(want, "'"+strings.TrimSuffix(line, "\n")+"'")
	}
	labelValues := Spec{Version: "${VERSION}", Revision: "${REVISION}"}.Labels()
	labelValues["org.opencontainers.image.licenses"] = "${LICENSES}"
	labelValues["org.opencontainers.image.created"] = "${CREATED}"
	for key, value := range labelValues {
		want = append(want, key+`="`+value+`"`)
	}
	for _, w := range want {
		if !strings.Contains(dockerfile, w) {
			t.Errorf("the Dockerfile does not hold %q", w)
		}
	}
	if n := strings.Count(dockerfile, "\nFROM "); n != 2 {
		t.Errorf("the Dockerfile has %d stages, want the build stage and scratch", n)
	}
}
