#!/usr/bin/env bash
# Builds the Kubernetes manifest decoder (tools/k8s-decode, a Go module pinned to a Kubernetes
# release: kubectl's own reading of YAML/JSON streams) into <repo>/.tools:
#   .tools/k8s-decode/<hash>/k8s-decode   kept by a hash of its source and the Go version
#   .tools/bin/k8s-decode                 a symlink to the current build (what startK8sDecoder() looks for)
# The hash covers go.mod, go.sum, the non-test .go files and `go version`, so any change to the
# decoder's source or its pinned Kubernetes libraries rebuilds it. Idempotent: a build already in
# place for the hash is kept. A cold build (empty build cache, modules downloaded) takes about 3 minutes on 2 cores.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$repo/tools/k8s-decode"
tools="$repo/.tools"

if ! command -v go >/dev/null 2>&1; then
  echo "install-k8s-decode: Go is needed to build the manifest decoder and is not on PATH" >&2
  exit 1
fi

source_hash() {
  local file
  (
    cd "$src"
    go version
    for file in go.mod go.sum *.go; do
      [[ "$file" == *_test.go ]] && continue
      sha256sum "$file"
    done
  ) | sha256sum | cut -c1-16
}

hash="$(source_hash)"
build_dir="$tools/k8s-decode/$hash"
binary="$build_dir/k8s-decode"

decoder_works() {
  [[ -x "$binary" ]] && "$binary" -version 2>/dev/null | grep -q '^k8s-decode kubernetes=v'
}

if decoder_works; then
  echo "install-k8s-decode: k8s-decode $hash already at $binary"
else
  echo "install-k8s-decode: building k8s-decode $hash with $(go version)"
  mkdir -p "$build_dir"
  # Build next to the target under a name of this run and rename: an interrupted build never
  # leaves a broken binary, and two installs running at once do not take each other's file.
  partial="$binary.partial.$$"
  (cd "$src" && go build -mod=readonly -trimpath -o "$partial" .)
  mv -f "$partial" "$binary"
  if ! decoder_works; then
    echo "install-k8s-decode: $binary does not run" >&2
    exit 1
  fi
  echo "install-k8s-decode: built $binary ($("$binary" -version))"
fi

mkdir -p "$tools/bin"
ln -sfn "../k8s-decode/$hash/k8s-decode" "$tools/bin/k8s-decode"
echo "install-k8s-decode: $tools/bin/k8s-decode -> k8s-decode/$hash/k8s-decode"
