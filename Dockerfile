# syntax=docker/dockerfile:1
# The thumbs container image for those who have Docker: the static binary
# FROM scratch, run as the non-root user 65532. It holds what "make image"
# builds without Docker (internal/tools/image, whose tests check that this
# file matches it): /thumbs, /etc/passwd and /etc/group naming the user
# nonroot, and /work owned by it. Build (see RELEASING.md):
#
#	docker build --build-arg VERSION=v1.2.3 -t thumbs .
#	docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" thumbs resize photos -o thumbs

# The Go version of go.mod; the build stage runs on the builder's platform
# and cross-compiles for the target's, so a multi-platform build needs no
# emulation.
ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS
ARG TARGETARCH
# The release version, vX.Y.Z: what "thumbs version" prints and what the
# manifest records. Empty: "(devel)".
ARG VERSION=
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# The Makefile's flags (static, nodynamic, trimpath) plus the release stamp;
# .git is not in the context, so the go command cannot version the build.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -tags nodynamic -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/thumbs-dev/thumbs/internal/release.stamp=${VERSION}" \
      -o /out/thumbs ./cmd/thumbs \
 && mkdir /out/work /out/etc \
 && printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
      'nonroot:x:65532:65532:nonroot:/work:/sbin/nologin' >/out/etc/passwd \
 && printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >/out/etc/group

# Nothing but thumbs: no base image to pull or patch, no shell.
FROM scratch
ARG VERSION=
# The commit and its time (git rev-parse HEAD; git log -1 --format=%cI).
ARG REVISION=
ARG CREATED=
# The project has no licence file yet: set LICENSES to its SPDX expression.
ARG LICENSES=NOASSERTION
LABEL org.opencontainers.image.title="thumbs" \
      org.opencontainers.image.description="Makes thumbnails of many images at once: JPEG, PNG, GIF, TIFF, BMP, WebP, HEIC and AVIF, incrementally" \
      org.opencontainers.image.source="https://github.com/thumbs-dev/thumbs" \
      org.opencontainers.image.url="https://github.com/thumbs-dev/thumbs" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
COPY --from=build /out/etc/ /etc/
COPY --from=build /out/thumbs /thumbs
# A writable working directory for runs without a volume; a volume mounted
# at /work (docker run -v "$PWD:/work") replaces it.
COPY --from=build --chown=65532:65532 /out/work /work
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["/thumbs"]
