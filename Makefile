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
# Dev-time tools, run at pinned versions through the module proxy; neither is
# a dependency of the thumbs binary.
ACTIONLINT ?= $(GO) run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
GORELEASER ?= $(GO) run github.com/goreleaser/goreleaser/v2@v2.17.0
# The container image (make image): its platforms, and what it is stamped
# and labelled with. VERSION=vX.Y.Z for a release; by default, git describe.
IMAGE_PLATFORMS ?= linux/amd64 linux/arm64
VERSION  ?= $(shell git describe --tags --match 'v[0-9]*' --always --dirty 2>/dev/null || echo devel)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
# The time of every file in the image: the commit's, so that a rebuild of the
# same commit gives the same image digest.
EPOCH    ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: all build install test lint release-check image demo bench conformance fuzz man clean

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

## lint: go vet, a gofmt check, and actionlint on the example workflow
lint:
	$(GO) vet -tags $(TAGS) ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(ACTIONLINT) docs/github-actions.yml

## release-check: check .goreleaser.yaml and build every release binary into dist/ (slow the first time: builds goreleaser)
release-check:
	$(GORELEASER) check
	$(GORELEASER) build --snapshot --clean
	@for bin in dist/thumbs_$$($(GO) env GOOS)_$$($(GO) env GOARCH)*/thumbs; do \
		echo "$$bin: $$($$bin --version)"; \
		$$bin --version | grep -q 'snapshot' || { echo "$$bin does not name the snapshot version"; exit 1; }; \
	done

## image: the container image, with no Docker daemon and no base image: dist/thumbs-image (an OCI layout of $(IMAGE_PLATFORMS), for crane push) and dist/thumbs-image.tar (the same, for docker load), see RELEASING.md
image:
	@for platform in $(IMAGE_PLATFORMS); do \
		os=$${platform%/*}; arch=$${platform#*/}; \
		echo "bin/image/$${os}_$${arch}/thumbs: thumbs $(VERSION)"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -tags $(TAGS) -trimpath -buildvcs=false \
			-ldflags "-s -w -X github.com/thumbs-dev/thumbs/internal/release.stamp=$(VERSION)" \
			-o bin/image/$${os}_$${arch}/thumbs ./cmd/thumbs || exit 1; \
	done
	mkdir -p dist
	$(GO) run ./internal/tools/image -version '$(VERSION)' -revision '$(REVISION)' -epoch '$(EPOCH)' \
		-dir dist/thumbs-image -tar dist/thumbs-image.tar \
		$(foreach platform,$(IMAGE_PLATFORMS),$(platform)=bin/image/$(subst /,_,$(platform))/thumbs)
	@echo "dist/thumbs-image: $$(du -sh dist/thumbs-image | cut -f1); dist/thumbs-image.tar: $$(du -h dist/thumbs-image.tar | cut -f1)"

## man: manual pages of every command, generated from the command tree, into man/
man:
	rm -rf man
	$(GO) run -tags $(TAGS) ./internal/tools/man man

## demo: build thumbs and run it on the sample photos in testdata/photos
demo: build
	rm -rf demo-thumbs
	$(BIN) resize --progress never -s 256,640 -o demo-thumbs testdata/photos
	@echo "Thumbnails of testdata/photos are in ./demo-thumbs:"
	@find demo-thumbs -type f -not -name '.*' | sort

## bench: Go benchmarks, thumbs against vipsthumbnail and ImageMagick on real photos, each format's decode, PNG, WebP, HEIC and AVIF photo sets against vipsthumbnail, colour conversion against ImageMagick, and fidelity over RGB against vipsthumbnail
bench: build
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem -count 1 ./internal/...
	bench/compare.sh
	bench/formats.sh
	FORMAT=png bench/sets.sh
	FORMAT=webp bench/sets.sh
	bench/heif.sh
	bench/colour.sh
	bench/scale.sh
	bench/fidelity.sh

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
	rm -rf bin demo-thumbs dist
	rm -rf bin demo-thumbs man
