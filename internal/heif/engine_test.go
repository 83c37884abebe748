package heif

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestModuleVersions pins the modules reached through go:linkname: a new
// version of gen2brain/heic or gen2brain/avif must have its decode
// function and libheif's plane layout checked again (heicPlanes) before
// these hashes are updated.
func TestModuleVersions(t *testing.T) {
	tests := []struct {
		name string
		gz   []byte
		want string
	}{
		{"heic v0.4.5 lib/heif.wasm.gz", heicWasm, "3634a6447ea3915633667f39e01ff540a60f4e2f837a8391d044d76dfd8a0435"},
		{"avif v0.4.4 lib/decode.wasm.gz", avifWasm, "1ee2423413384d54b3fa4e2882424d60a2a05f5fe7ec573535fdb6b531071a9b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := sha256.Sum256(tt.gz)
			if got := hex.EncodeToString(sum[:]); got != tt.want {
				t.Errorf("sha256 %s, want %s", got, tt.want)
			}
		})
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sharedCacheDir is the cache directory of the tests that do not test the
// cache, so that the module is compiled once for them all.
var sharedCacheDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "heif-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	sharedCacheDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// TestCacheDirUnusable checks that a cache directory that cannot be made
// does not fail the decode: the module is compiled without a cache.
func TestCacheDirUnusable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e := NewEngine(filepath.Join(file, "wasm"), 1)
	defer e.Close(context.Background())
	img, err := e.DecodeHEIC(context.Background(), readFixture(t, "pattern-32x32.heic"))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if p := psnr(img, pattern(32, 32), 0, 32); p < minPSNR {
		t.Errorf("PSNR %.1f dB, want at least %d", p, minPSNR)
	}
	if e.cache != nil {
		t.Error("a cache is in use")
	}
}

// TestCacheDamaged checks that a damaged file in the cache does not fail
// the decode, and that the next engine compiles and caches the module
// anew.
func TestCacheDamaged(t *testing.T) {
	data := readFixture(t, "pattern-32x32.heic")
	dir := filepath.Join(t.TempDir(), "wasm")
	decode := func() {
		t.Helper()
		e := NewEngine(dir, 1)
		defer e.Close(context.Background())
		img, err := e.DecodeHEIC(context.Background(), data)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if p := psnr(img, pattern(32, 32), 0, 32); p < minPSNR {
			t.Errorf("PSNR %.1f dB, want at least %d", p, minPSNR)
		}
	}
	cached := func() (files []string) {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		return files
	}
	decode()
	files := cached()
	if len(files) == 0 {
		t.Fatal("nothing cached")
	}
	for _, f := range files {
		if err := os.WriteFile(f, []byte("damaged"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	decode()
	if files := cached(); len(files) != 0 {
		t.Errorf("the damaged cache is still there: %v", files)
	}
	decode()
	if len(cached()) == 0 {
		t.Error("nothing cached anew")
	}
}

// TestWarmCache checks that the compiled module is kept in a new cache
// directory, and that a second engine on it starts from there: far sooner
// than the first.
func TestWarmCache(t *testing.T) {
	data := readFixture(t, "pattern-32x32.heic")
	dir := filepath.Join(t.TempDir(), "cache", "wasm")
	first := func() time.Duration {
		e := NewEngine(dir, 1)
		defer e.Close(context.Background())
		start := time.Now()
		if _, err := e.DecodeHEIC(context.Background(), data); err != nil {
			t.Fatal(err)
		}
		if e.cache == nil {
			t.Fatal("no cache in use")
		}
		return time.Since(start)
	}
	cold := first()
	var files int
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, _ error) error {
		if d != nil && !d.IsDir() {
			files++
		}
		return nil
	})
	if files == 0 {
		t.Fatalf("no compiled module in %s", dir)
	}
	warm := first()
	// Compiling takes 0.5 s or more (several under the race detector),
	// loading 10 to 60 ms: a factor of three leaves room for a loaded
	// machine.
	if warm*3 > cold {
		t.Errorf("first decode took %v with a warm cache, %v with a cold one", warm, cold)
	}
}

// TestPoolBound checks that no more instances than the limit are alive,
// that a decode waits for one (and gives up with its context), and that
// an instance is reused.
func TestPoolBound(t *testing.T) {
	e := NewEngine(sharedCacheDir, 1)
	defer e.Close(context.Background())
	ctx := context.Background()
	in, err := e.heic.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := e.DecodeHEIC(short, readFixture(t, "pattern-32x32.heic")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("decode with every instance busy: %v, want %v", err, context.DeadlineExceeded)
	}
	e.heic.put(ctx, in, true)
	if _, err := e.DecodeHEIC(ctx, readFixture(t, "pattern-32x32.heic")); err != nil {
		t.Fatal(err)
	}
	again, err := e.heic.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer e.heic.put(ctx, again, true)
	if again != in {
		t.Error("the idle instance was not reused")
	}
}

// TestDecodeHEICRefuses checks the errors of files libheif cannot read,
// and that the instance goes on decoding after them.
func TestDecodeHEICRefuses(t *testing.T) {
	e := NewEngine(sharedCacheDir, 1)
	defer e.Close(context.Background())
	good := readFixture(t, "pattern-64x40.heic")
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not HEIF", []byte("not a HEIF file at all, only text")},
		{"truncated", good[:len(good)/2]},
		{"header only", good[:200]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if img, err := e.DecodeHEIC(context.Background(), tt.data); err == nil {
				t.Fatalf("decoded a %v picture", img.Bounds())
			}
			img, err := e.DecodeHEIC(context.Background(), good)
			if err != nil {
				t.Fatalf("the next decode: %v", err)
			}
			if p := psnr(img, pattern(64, 40), 0, 40); p < minPSNR {
				t.Errorf("the next decode: PSNR %.1f dB, want at least %d", p, minPSNR)
			}
		})
	}
}

func TestLibheifStride(t *testing.T) {
	tests := []struct{ width, bytesPerPixel, want int }{
		{1, 1, 64},
		{17, 1, 64},
		{64, 1, 64},
		{65, 1, 80},
		{100, 1, 112},
		{101, 1, 112},
		{200, 1, 208},
		{9, 4, 256},
		{100, 4, 400},
		{101, 4, 416},
	}
	for _, tt := range tests {
		if got := libheifStride(tt.width, tt.bytesPerPixel); got != tt.want {
			t.Errorf("libheifStride(%d, %d) = %d, want %d", tt.width, tt.bytesPerPixel, got, tt.want)
		}
	}
}

// TestPoolKeep checks that an instance whose memory grew past the keep
// size is closed after its decode, and one within it kept.
func TestPoolKeep(t *testing.T) {
	data := readFixture(t, "pattern-320x213.heic")
	tests := []struct {
		name string
		keep uint32
		idle int
	}{
		{"within", HEICInstanceMemory, 1},
		{"past", 1 << 16, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(sharedCacheDir, 2)
			defer e.Close(context.Background())
			e.heic.keep = tt.keep
			if _, err := e.DecodeHEIC(context.Background(), data); err != nil {
				t.Fatal(err)
			}
			if got := len(e.heic.idle); got != tt.idle {
				t.Errorf("%d idle instances, want %d", got, tt.idle)
			}
		})
	}
}

// TestSetDefaultLimit checks, in a process of its own (Default is made
// once per process), that SetDefaultLimit sets the limit of Default's
// engine when called first, and changes nothing once Default was made.
func TestSetDefaultLimit(t *testing.T) {
	if os.Getenv("THUMBS_TEST_DEFAULT_LIMIT") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSetDefaultLimit$", "-test.count=1")
		cmd.Env = append(os.Environ(), "THUMBS_TEST_DEFAULT_LIMIT=1")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "PASS") {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	if !SetDefaultLimit(3) {
		t.Fatal("SetDefaultLimit before Default did not take effect")
	}
	if got := Default().limit; got != 3 {
		t.Fatalf("Default's limit %d, want 3", got)
	}
	if SetDefaultLimit(5) || Default().limit != 3 {
		t.Fatal("SetDefaultLimit after Default changed the limit")
	}
	if got := cap(Default().heic.slots); got != 3 {
		t.Errorf("the HEIC pool has %d slots, want 3", got)
	}
}
