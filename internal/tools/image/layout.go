package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// The image's user, its paths and its labels: what the Dockerfile's final
// stage must give too (the tests compare them).
const (
	uid               = 65532
	userName          = "nonroot"
	workDir           = "/work"
	binaryPath        = "/thumbs"
	repository        = "ghcr.io/thumbs-dev/thumbs"
	sourceURL         = "https://github.com/thumbs-dev/thumbs"
	description       = "Makes thumbnails of many images at once: JPEG, PNG, GIF, TIFF, BMP, WebP, HEIC and AVIF, incrementally"
	licenses          = "NOASSERTION" // the project has no licence file yet
	passwdFile        = "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/work:/sbin/nologin\n"
	groupFile         = "root:x:0:\nnonroot:x:65532:\n"
	imageUser         = "65532:65532"
	refNameAnnotation = "org.opencontainers.image.ref.name"
)

// The media types of the OCI image specification.
const (
	mediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	mediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeConfig   = "application/vnd.oci.image.config.v1+json"
	mediaTypeLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// Platform is an operating system and CPU architecture as GOOS and GOARCH
// name them, which are also the OCI names for linux.
type Platform struct {
	OS   string `json:"os"`
	Arch string `json:"architecture"`
}

// String returns the platform as OS/ARCH.
func (p Platform) String() string { return p.OS + "/" + p.Arch }

// elfMachines are the architectures the image is made for, with their ELF
// machine.
var elfMachines = map[string]elf.Machine{
	"amd64": elf.EM_X86_64,
	"arm64": elf.EM_AARCH64,
}

// parsePlatform parses OS/ARCH, which must be linux and an architecture of
// elfMachines.
func parsePlatform(s string) (Platform, error) {
	osName, arch, ok := strings.Cut(s, "/")
	if !ok || osName != "linux" {
		return Platform{}, fmt.Errorf("platform %q is not linux/ARCH", s)
	}
	if _, ok := elfMachines[arch]; !ok {
		return Platform{}, fmt.Errorf("platform %q: architecture %q is not amd64 or arm64", s, arch)
	}
	return Platform{OS: osName, Arch: arch}, nil
}

// Binary is a thumbs binary and the platform whose image it goes into.
type Binary struct {
	Platform Platform
	Path     string
}

// Spec is what an image is made from.
type Spec struct {
	// Version is the version stamped into the binaries: the version label
	// and the tag the image is loaded under.
	Version string
	// Revision is the commit the binaries were built from.
	Revision string
	// Created is the time of every file in the layer and of the image.
	Created time.Time
	// Binaries holds one binary per platform, in the index's order.
	Binaries []Binary
}

// Labels returns the image's org.opencontainers.image labels.
func (s Spec) Labels() map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       "thumbs",
		"org.opencontainers.image.description": description,
		"org.opencontainers.image.source":      sourceURL,
		"org.opencontainers.image.url":         sourceURL,
		"org.opencontainers.image.licenses":    licenses,
		"org.opencontainers.image.version":     s.Version,
		"org.opencontainers.image.revision":    s.Revision,
		"org.opencontainers.image.created":     s.Created.Format(time.RFC3339),
	}
}

// descriptor is an OCI content descriptor.
type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *Platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// index is an OCI image index; index.json of a layout is one too.
type index struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	Manifests     []descriptor      `json:"manifests"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// manifest is an OCI image manifest.
type manifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	Config        descriptor        `json:"config"`
	Layers        []descriptor      `json:"layers"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// imageConfig is an OCI image configuration.
type imageConfig struct {
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
	History []struct {
		Created   string `json:"created"`
		CreatedBy string `json:"created_by"`
	} `json:"history"`
}

// blob is a piece of content stored under its digest.
type blob struct {
	digest string
	data   []byte
}

// Layout is a built image as an OCI image layout, held in memory.
type Layout struct {
	blobs     []blob
	indexJSON []byte
	// images maps each platform to its config and layer digests, for a
	// docker-style manifest.json.
	images map[Platform]dockerImage
	// tag is the reference docker load gives the image.
	tag string
	// created is the time of the tar file's entries.
	created time.Time
}

// dockerImage is one entry of a docker-style manifest.json.
type dockerImage struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// tagPattern is what a tag of an image reference may be.
var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// Build makes the image of spec: it reads and checks every binary, makes
// each platform's layer, config and manifest, and the index over them.
func Build(spec Spec) (*Layout, error) {
	if !tagPattern.MatchString(spec.Version) {
		return nil, fmt.Errorf("version %q cannot be an image tag", spec.Version)
	}
	layout := &Layout{images: map[Platform]dockerImage{}, tag: repository + ":" + spec.Version, created: spec.Created}
	labels := spec.Labels()
	top := index{SchemaVersion: 2, MediaType: mediaTypeIndex, Annotations: labels}
	binaries := make([][]byte, len(spec.Binaries))
	for i, bin := range spec.Binaries {
		for _, earlier := range spec.Binaries[:i] {
			if earlier.Platform == bin.Platform {
				return nil, fmt.Errorf("two binaries for %s", bin.Platform)
			}
		}
		data, err := os.ReadFile(bin.Path)
		if err != nil {
			return nil, err
		}
		if err := checkStatic(data, bin.Platform); err != nil {
			return nil, fmt.Errorf("%s: %w", bin.Path, err)
		}
		binaries[i] = data
	}
	for i, bin := range spec.Binaries {
		layer, diffID, err := rootLayer(binaries[i], spec.Created)
		if err != nil {
			return nil, fmt.Errorf("layer for %s: %w", bin.Platform, err)
		}
		layerDesc := layout.add(mediaTypeLayer, layer)

		var config imageConfig
		config.Created = spec.Created.Format(time.RFC3339)
		config.OS, config.Architecture = bin.Platform.OS, bin.Platform.Arch
		config.Config.User = imageUser
		config.Config.Entrypoint = []string{binaryPath}
		config.Config.WorkingDir = workDir
		config.Config.Labels = labels
		config.RootFS.Type = "layers"
		config.RootFS.DiffIDs = []string{diffID}
		config.History = append(config.History, struct {
			Created   string `json:"created"`
			CreatedBy string `json:"created_by"`
		}{config.Created, "thumbs " + spec.Version + ": /thumbs, /etc/passwd, /etc/group, /work (make image)"})
		configDesc, err := layout.addJSON(mediaTypeConfig, config)
		if err != nil {
			return nil, err
		}

		manifestDesc, err := layout.addJSON(mediaTypeManifest, manifest{
			SchemaVersion: 2,
			MediaType:     mediaTypeManifest,
			Config:        configDesc,
			Layers:        []descriptor{layerDesc},
			Annotations:   labels,
		})
		if err != nil {
			return nil, err
		}
		platform := bin.Platform
		manifestDesc.Platform = &platform
		top.Manifests = append(top.Manifests, manifestDesc)
		layout.images[bin.Platform] = dockerImage{
			Config:   blobPath(configDesc.Digest),
			RepoTags: []string{layout.tag},
			Layers:   []string{blobPath(layerDesc.Digest)},
		}
	}
	indexDesc, err := layout.addJSON(mediaTypeIndex, top)
	if err != nil {
		return nil, err
	}
	indexDesc.Annotations = map[string]string{refNameAnnotation: spec.Version}
	layout.indexJSON, err = json.Marshal(index{SchemaVersion: 2, MediaType: mediaTypeIndex, Manifests: []descriptor{indexDesc}})
	return layout, err
}

// checkStatic returns an error unless data is an ELF executable for
// platform that loads no dynamic linker and needs no shared library: the
// only kind of program that runs in an image with nothing else in it.
func checkStatic(data []byte, platform Platform) error {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not an ELF executable: %w", err)
	}
	if want := elfMachines[platform.Arch]; f.Machine != want {
		return fmt.Errorf("built for %v, not %s", f.Machine, platform)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return errors.New("dynamically linked: it names an ELF interpreter (build it with CGO_ENABLED=0)")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("reading its dynamic section: %w", err)
	}
	if len(libs) > 0 {
		return fmt.Errorf("dynamically linked: it needs %s", strings.Join(libs, ", "))
	}
	return nil
}

// rootLayer returns the image's only layer, gzipped, and the digest of the
// tar inside it (its diff ID).
func rootLayer(binary []byte, mtime time.Time) (layer []byte, diffID string, err error) {
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	entries := []struct {
		header tar.Header
		data   []byte
	}{
		{tar.Header{Typeflag: tar.TypeDir, Name: "etc/", Mode: 0o755}, nil},
		{tar.Header{Typeflag: tar.TypeReg, Name: "etc/group", Mode: 0o644}, []byte(groupFile)},
		{tar.Header{Typeflag: tar.TypeReg, Name: "etc/passwd", Mode: 0o644}, []byte(passwdFile)},
		{tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(binaryPath, "/"), Mode: 0o755}, binary},
		{tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(workDir, "/") + "/", Mode: 0o755, Uid: uid, Gid: uid, Uname: userName, Gname: userName}, nil},
	}
	for _, e := range entries {
		e.header.Size = int64(len(e.data))
		e.header.ModTime = mtime
		e.header.Format = tar.FormatUSTAR
		if err := tw.WriteHeader(&e.header); err != nil {
			return nil, "", err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, "", err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, "", err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, "", err
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return gz.Bytes(), digestOf(raw.Bytes()), nil
}

// digestOf returns data's OCI digest, sha256:HEX.
func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// blobPath returns where a layout stores the blob of digest.
func blobPath(digest string) string {
	return "blobs/sha256/" + strings.TrimPrefix(digest, "sha256:")
}

// add stores data as a blob and returns its descriptor.
func (l *Layout) add(mediaType string, data []byte) descriptor {
	d := descriptor{MediaType: mediaType, Digest: digestOf(data), Size: int64(len(data))}
	for _, b := range l.blobs {
		if b.digest == d.Digest {
			return d
		}
	}
	l.blobs = append(l.blobs, blob{digest: d.Digest, data: data})
	return d
}

// addJSON stores v, encoded as JSON, as a blob and returns its descriptor.
func (l *Layout) addJSON(mediaType string, v any) (descriptor, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return descriptor{}, err
	}
	return l.add(mediaType, data), nil
}

// file is a file of a layout: its slash-separated path in the layout and
// its content.
type file struct {
	name string
	data []byte
}

// files returns the layout's files in the order they are written.
func (l *Layout) files() []file {
	files := []file{{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)}}
	for _, b := range l.blobs {
		files = append(files, file{blobPath(b.digest), b.data})
	}
	return append(files, file{"index.json", l.indexJSON})
}

// WriteDir writes the layout into dir, replacing whatever dir held.
func (l *Layout) WriteDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for _, f := range l.files() {
		path := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// WriteTar writes the layout as the tar file path, with a docker-style
// manifest.json that names the image of load under the version's tag.
func (l *Layout) WriteTar(path string, load Platform) (err error) {
	image, ok := l.images[load]
	if !ok {
		return fmt.Errorf("no image for %s to name in manifest.json", load)
	}
	dockerManifest, err := json.Marshal([]dockerImage{image})
	if err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	tw := tar.NewWriter(out)
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		header := &tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: l.created, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(header); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	for _, f := range append(l.files(), file{"manifest.json", dockerManifest}) {
		header := &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: l.created, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(header); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
