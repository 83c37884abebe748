#!/usr/bin/env bash
# Installs thumbs for the thumbs GitHub Action (action.yml): the release
# binary for the runner, verified against the release's checksums file, or,
# when the release has none, a build by "go install".
#
# Environment: THUMBS_VERSION (vX.Y.Z, "latest", a branch or a commit; empty:
# the action's ref, THUMBS_ACTION_REF or the last element of
# GITHUB_ACTION_PATH, else "latest"), RUNNER_OS, RUNNER_ARCH,
# RUNNER_TEMP, GITHUB_PATH and GITHUB_OUTPUT as the runner sets them, and
# THUMBS_RELEASES_URL (default: the GitHub releases of thumbs-dev/thumbs).
# It adds the binary's directory to GITHUB_PATH and writes version=, the
# version thumbs reports, to GITHUB_OUTPUT.
set -euo pipefail

releases=${THUMBS_RELEASES_URL:-https://github.com/thumbs-dev/thumbs/releases}
module=github.com/thumbs-dev/thumbs

version=${THUMBS_VERSION:-}
if [ -z "$version" ]; then
  ref=${THUMBS_ACTION_REF:-}
  # github.action_ref is not promised to composite actions
  # (actions/runner#2473); the runner keeps an action used at a ref in
  # .../_actions/OWNER/REPO/REF.
  action_path=${GITHUB_ACTION_PATH:-}
  action_path=${action_path//\\//}
  if [ -z "$ref" ] && [[ $action_path == */_actions/*/*/* ]]; then
    ref=${action_path##*/}
  fi
  version=${ref:-latest}
fi
if [ "$version" = latest ]; then
  # .../releases/latest redirects to the newest release's tag page, or to
  # .../releases when there is none: then "go install ...@latest".
  url=$(curl -fsSLI -o /dev/null -w '%{url_effective}' "$releases/latest" || true)
  case $url in
    */releases/tag/v*) version=${url##*/} ;;
  esac
fi

case $RUNNER_OS in
  Linux) os=linux ;;
  macOS) os=darwin ;;
  Windows) os=windows ;;
  *) os= ;;
esac
case $RUNNER_ARCH in
  X64) arch=amd64 ;;
  ARM64) arch=arm64 ;;
  *) arch= ;;
esac
exe=thumbs
ext=tar.gz
if [ "$os" = windows ]; then
  exe=thumbs.exe
  ext=zip
fi
bin_dir=$RUNNER_TEMP/thumbs-bin
rm -rf "$bin_dir"
mkdir -p "$bin_dir"

installed=false
if [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] && [ -n "$os" ] && [ -n "$arch" ]; then
  archive=thumbs_${version#v}_${os}_${arch}.$ext
  sums=thumbs_${version#v}_checksums.txt
  work=$RUNNER_TEMP/thumbs-download
  rm -rf "$work"
  mkdir -p "$work"
  if curl -fsSL --retry 3 -o "$work/$sums" "$releases/download/$version/$sums" &&
    curl -fsSL --retry 3 -o "$work/$archive" "$releases/download/$version/$archive"; then
    cd "$work"
    # An asset that does not match its checksum is an error, never a reason
    # to fall back to another source.
    line=$(awk -v f="$archive" '$2 == f || $2 == "*" f' "$sums")
    if [ -z "$line" ]; then
      echo "::error::$sums has no checksum for $archive"
      exit 1
    fi
    if command -v sha256sum >/dev/null; then
      printf '%s\n' "$line" | sha256sum -c -
    else
      printf '%s\n' "$line" | shasum -a 256 -c -
    fi
    if [ "$ext" = zip ]; then
      unzip -q -o "$archive" "$exe" -d "$bin_dir"
    else
      tar -xzf "$archive" -C "$bin_dir" "$exe"
    fi
    cd - >/dev/null
    installed=true
  else
    echo "No release asset $archive for $version; building thumbs with go install."
  fi
fi

if [ "$installed" = false ]; then
  if ! command -v go >/dev/null; then
    echo "::error::no thumbs release binary for $version on $RUNNER_OS/$RUNNER_ARCH, and no Go to build one: run actions/setup-go before this action"
    exit 1
  fi
  GOBIN=$bin_dir CGO_ENABLED=0 go install -tags nodynamic -trimpath "$module/cmd/thumbs@$version"
fi

echo "$bin_dir" >>"$GITHUB_PATH"
line=$("$bin_dir/$exe" --version)
echo "$line"
read -r _ reported _ <<<"$line"
echo "version=$reported" >>"$GITHUB_OUTPUT"
