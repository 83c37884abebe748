# thumbs — see README.md.
GO       ?= go
BIN      ?= bin/thumbs
# nodynamic: decode HEIC and AVIF with the WebAssembly builds inside the
# binary, never a libheif or libavif that the machine happens to have, so
# every machine gives the same results.
TAGS     ?= nodynamic
FUZZTIME ?= 30s
# One worker: the WebAssembly HEIC and AVIF decoders stall several workers.
FUZZPARALLEL ?= 1

.PHONY: all build install test lint demo bench conformance fuzz clean

all: build

## build: a static thumbs binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -tags $(TAGS) -trimpath -buildvcs=auto -o $(BIN) ./cmd/thumbs

## install: thumbs into $(go env GOPATH)/bin
install:
	CGO_ENABLED=0 $(GO) install -tags $(TAGS) -trimpath -buildvcs=auto ./cmd/thumbs

## test: vet, formatting, and every test with the race detector
test: lint
	$(GO) test -tags $(TAGS) -race -count=1 ./...

## lint: go vet and a gofmt check
lint:
	$(GO) vet -tags $(TAGS) ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

## demo: build thumbs and run it on the sample photos in testdata/photos
demo: build
	rm -rf demo-thumbs
	$(BIN) resize --progress never -s 256,640 -o demo-thumbs testdata/photos
	@echo "Thumbnails of testdata/photos are in ./demo-thumbs:"
	@find demo-thumbs -type f -not -name '.*' | sort

## bench: Go benchmarks, thumbs against vipsthumbnail and ImageMagick on real photos, and each format's decode
bench: build
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem -count 1 ./internal/...
	bench/compare.sh
	bench/formats.sh

## conformance: which images of public decoder test suites thumbs reads, and how well, against vipsthumbnail and ImageMagick (CONFORMANCE_DIR: one folder per corpus)
conformance:
	@test -n "$(CONFORMANCE_DIR)" || { echo "set CONFORMANCE_DIR to a folder of corpora (see BENCHMARKS.md)"; exit 1; }
	$(MAKE) build
	CONFORMANCE_DIR="$(CONFORMANCE_DIR)" bench/conformance.sh

## fuzz: each fuzz target for $(FUZZTIME)
fuzz:
	@$(GO) list -f '{{.ImportPath}} {{.Dir}}' ./... | while read pkg dir; do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f"; \
			$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -parallel $(FUZZPARALLEL) $$pkg || exit 1; \
		done; \
	done

clean:
	rm -rf bin demo-thumbs
