package heif

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// An Engine runs the HEIC and AVIF decoders: it compiles each module once,
// on its first use, in a wazero runtime whose compiled code is kept in a
// cache directory when it has one, and keeps the instances of each module
// that finished a decode for the next. At most the limit given to
// NewEngine of instances of each module are alive at once; a decode waits
// for one to be free. An Engine is safe for concurrent use.
type Engine struct {
	cacheDir string
	limit    int

	startOnce sync.Once
	runtime   wazero.Runtime
	cache     wazero.CompilationCache
	startErr  error

	heic, avif *pool
}

// DefaultInstanceMemory is the size of linear memory up to which an AVIF
// instance is kept for the next decode; one that grew larger for a large
// picture is closed, so that idle instances hold little memory.
const DefaultInstanceMemory = 48 << 20

// HEICInstanceMemory is the smaller size up to which a HEIC instance is
// kept: gen2brain/heic's decode function never frees the picture it
// decoded, so each decode leaves its picture in the instance's memory, and
// an instance that decodes the tiles of grids one after another (see
// internal/decode) grows by each tile.
const HEICInstanceMemory = 16 << 20

// NewEngine returns an Engine that keeps compiled code in cacheDir (none
// when cacheDir is ""), a directory of its own, and lets at most limit
// instances of each module be alive at once (runtime.GOMAXPROCS(0) when
// limit < 1). A cache directory that cannot be created or written is not
// an error: the Engine then compiles without one.
func NewEngine(cacheDir string, limit int) *Engine {
	if limit < 1 {
		limit = runtime.GOMAXPROCS(0)
	}
	e := &Engine{cacheDir: cacheDir, limit: limit}
	e.heic = newPool(e, "heic", heicWasm, HEICInstanceMemory)
	e.avif = newPool(e, "avif", avifWasm, DefaultInstanceMemory)
	return e
}

var (
	defaultOnce   sync.Once
	defaultEngine *Engine
	defaultMu     sync.Mutex
	defaultLimit  int
	defaultMade   bool
)

// Default returns the Engine that DecodeHEIC and DecodeAVIF use: its cache
// directory is DefaultCacheDir, and its limit the one SetDefaultLimit set,
// or else runtime.GOMAXPROCS(0).
func Default() *Engine {
	defaultOnce.Do(func() {
		defaultMu.Lock()
		defer defaultMu.Unlock()
		defaultEngine, defaultMade = NewEngine(DefaultCacheDir(), defaultLimit), true
	})
	return defaultEngine
}

// SetDefaultLimit sets the limit of Default's Engine to n (see NewEngine),
// for a process whose decodes run in n workers, so that there are never
// more instances than workers. It takes effect only before Default is
// first called, and reports whether it did. It is safe for concurrent use.
func SetDefaultLimit(n int) bool {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultMade {
		return false
	}
	defaultLimit = n
	return true
}

// DefaultCacheDir returns the directory where compiled modules are kept:
// thumbs/wasm under os.UserCacheDir, or "" when there is no user cache
// directory.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		return ""
	}
	return filepath.Join(dir, "thumbs", "wasm")
}

// start makes the runtime, once.
func (e *Engine) start(ctx context.Context) error {
	e.startOnce.Do(func() {
		cfg := wazero.NewRuntimeConfig()
		if e.cacheDir != "" && writableDir(e.cacheDir) {
			if cache, err := wazero.NewCompilationCacheWithDir(e.cacheDir); err == nil {
				e.cache = cache
				cfg = cfg.WithCompilationCache(cache)
			}
		}
		e.runtime = wazero.NewRuntimeWithConfig(ctx, cfg)
		if _, err := wasi_snapshot_preview1.Instantiate(ctx, e.runtime); err != nil {
			e.startErr = fmt.Errorf("start WebAssembly runtime: %w", err)
		}
	})
	return e.startErr
}

// writableDir reports whether dir exists or can be made, and a file can be
// created in it.
func writableDir(dir string) bool {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false
	}
	f, err := os.CreateTemp(dir, "probe-*")
	if err != nil {
		return false
	}
	name := f.Name()
	err = f.Close()
	return os.Remove(name) == nil && err == nil
}

// compile compiles the gzipped module gz. If the cache fails it (a file
// that cannot be written or read, such as one left damaged), it removes
// the cache directory, so that the next process starts a new one, and
// compiles the module again in a runtime of its own without a cache
// rather than fail the decode.
func (e *Engine) compile(ctx context.Context, gz []byte) (wazero.Runtime, wazero.CompiledModule, error) {
	if err := e.start(ctx); err != nil {
		return nil, nil, err
	}
	wasm, err := gunzip(gz)
	if err != nil {
		return nil, nil, fmt.Errorf("unpack WebAssembly module: %w", err)
	}
	cm, err := e.runtime.CompileModule(ctx, wasm)
	if err == nil || e.cache == nil {
		return e.runtime, cm, err
	}
	os.RemoveAll(e.cacheDir)
	rt := wazero.NewRuntime(ctx)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return nil, nil, err
	}
	cm, err = rt.CompileModule(ctx, wasm)
	return rt, cm, err
}

// Close closes every instance and the runtime. The Engine must not be used
// after.
func (e *Engine) Close(ctx context.Context) error {
	e.heic.close(ctx)
	e.avif.close(ctx)
	var err error
	if e.runtime != nil {
		err = e.runtime.Close(ctx)
	}
	if e.cache != nil {
		err = errors.Join(err, e.cache.Close(ctx))
	}
	return err
}

// A pool holds the compiled form of one module and its idle instances,
// which it keeps while their memory is at most keep bytes.
type pool struct {
	engine *Engine
	name   string
	gz     []byte
	keep   uint32

	compileOnce sync.Once
	runtime     wazero.Runtime
	compiled    wazero.CompiledModule
	compileErr  error

	slots chan struct{} // a token per live instance
	mu    sync.Mutex
	idle  []*instance
}

func newPool(e *Engine, name string, gz []byte, keep uint32) *pool {
	return &pool{engine: e, name: name, gz: gz, keep: keep, slots: make(chan struct{}, e.limit)}
}

// An instance is one instantiated module and its exported functions.
type instance struct {
	mod                  api.Module
	malloc, free, decode api.Function
}

// get returns an idle instance or a new one, once fewer than the limit are
// alive; put must be called with it after use.
func (p *pool) get(ctx context.Context) (*instance, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		in := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return in, nil
	}
	p.mu.Unlock()
	in, err := p.instantiate(ctx)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return in, nil
}

// put returns in to the pool after a decode; reusable is false after a
// failed call, whose instance may be in any state, and the instance is then
// closed, as it is when its memory grew past the pool's keep size.
func (p *pool) put(ctx context.Context, in *instance, reusable bool) {
	if reusable && in.mod.Memory().Size() <= p.keep {
		p.mu.Lock()
		p.idle = append(p.idle, in)
		p.mu.Unlock()
	} else {
		in.mod.Close(ctx)
	}
	<-p.slots
}

// decode runs decode on data in an instance of the pool, taken with get
// and given back with put; decode reports whether the instance may decode
// again.
func (p *pool) decode(ctx context.Context, data []byte, decode func(*instance, context.Context, []byte) (image.Image, bool, error)) (image.Image, error) {
	in, err := p.get(ctx)
	if err != nil {
		return nil, err
	}
	reusable := false
	defer func() { p.put(ctx, in, reusable) }()
	img, reusable, err := decode(in, ctx, data)
	return img, err
}

func (p *pool) instantiate(ctx context.Context) (*instance, error) {
	p.compileOnce.Do(func() {
		// Compiled once for every caller: one caller's cancellation must
		// not fail the others.
		p.runtime, p.compiled, p.compileErr = p.engine.compile(context.WithoutCancel(ctx), p.gz)
		if p.compileErr != nil {
			p.compileErr = fmt.Errorf("compile %s decoder: %w", p.name, p.compileErr)
		}
	})
	if p.compileErr != nil {
		return nil, p.compileErr
	}
	// An anonymous module, so that instances do not clash by name; the
	// libraries' messages must not reach stdout, which carries results.
	cfg := wazero.NewModuleConfig().WithName("").WithStdout(io.Discard).WithStderr(io.Discard).
		WithStartFunctions("_initialize")
	mod, err := p.runtime.InstantiateModule(withLinearMemory(ctx), p.compiled, cfg)
	if err != nil {
		return nil, fmt.Errorf("start %s decoder: %w", p.name, err)
	}
	in := &instance{
		mod:    mod,
		malloc: mod.ExportedFunction("malloc"),
		free:   mod.ExportedFunction("free"),
		decode: mod.ExportedFunction("decode"),
	}
	if in.malloc == nil || in.free == nil || in.decode == nil {
		mod.Close(ctx)
		return nil, fmt.Errorf("%s decoder: the module lacks malloc, free or decode", p.name)
	}
	return in, nil
}

// close closes the idle instances, and the runtime of the pool's own
// when compile made one.
func (p *pool) close(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, in := range p.idle {
		in.mod.Close(ctx)
	}
	p.idle = nil
	if p.runtime != nil && p.runtime != p.engine.runtime {
		p.runtime.Close(ctx)
	}
}

// alloc returns the address of n new bytes of the instance's memory.
func (in *instance) alloc(ctx context.Context, n int) (uint32, error) {
	if n < 0 || uint64(n) > 1<<32-1 {
		return 0, errors.New("picture too large for a WebAssembly decoder")
	}
	res, err := in.malloc.Call(ctx, uint64(n))
	if err != nil {
		return 0, err
	}
	if res[0] == 0 {
		return 0, fmt.Errorf("out of WebAssembly memory allocating %d bytes", n)
	}
	return uint32(res[0]), nil
}

// copyIn returns the address of a copy of data in the instance's memory,
// allocated with alloc.
func (in *instance) copyIn(ctx context.Context, data []byte) (uint32, error) {
	p, err := in.alloc(ctx, len(data))
	if err != nil {
		return 0, err
	}
	if !in.mod.Memory().Write(p, data) {
		return 0, errors.New("the decoder's memory cannot hold the file")
	}
	return p, nil
}

// release frees addresses from alloc.
func (in *instance) release(ctx context.Context, ptrs ...uint32) error {
	for _, p := range ptrs {
		if _, err := in.free.Call(ctx, uint64(p)); err != nil {
			return err
		}
	}
	return nil
}
