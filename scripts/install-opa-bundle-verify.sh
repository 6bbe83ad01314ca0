#!/usr/bin/env bash
# Builds the OPA bundle verifier (tools/opa-bundle-verify, a Go module pinned to OPA's release: it
# judges signed bundles with OPA's own v1/bundle reader) into <repo>/.tools:
#   .tools/opa-bundle-verify/<hash>/opa-bundle-verify   kept by a hash of its source and the Go version
#   .tools/bin/opa-bundle-verify                        a symlink to the current build (what findOpaBundleVerify() looks for)
# The hash covers go.mod, go.sum, the non-test .go files and `go version`, so any change to the
# verifier's source or its pinned OPA module rebuilds it. Idempotent: a build already in
# place for the hash is kept. A cold build (empty module and build caches) takes about a minute.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$repo/tools/opa-bundle-verify"
tools="$repo/.tools"

if ! command -v go >/dev/null 2>&1; then
  echo "install-opa-bundle-verify: Go is needed to build the OPA bundle verifier and is not on PATH" >&2
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
build_dir="$tools/opa-bundle-verify/$hash"
binary="$build_dir/opa-bundle-verify"

verifier_works() {
  [[ -x "$binary" ]] && "$binary" -version 2>/dev/null | grep -q '^opa-bundle-verify opa=v'
}

if verifier_works; then
  echo "install-opa-bundle-verify: opa-bundle-verify $hash already at $binary"
else
  echo "install-opa-bundle-verify: building opa-bundle-verify $hash with $(go version)"
  mkdir -p "$build_dir"
  # Build next to the target under a name of this run and rename: an interrupted build never
  # leaves a broken binary, and two installs running at once do not take each other's file.
  partial="$binary.partial.$$"
  (cd "$src" && go build -mod=readonly -trimpath -o "$partial" .)
  mv -f "$partial" "$binary"
  if ! verifier_works; then
    echo "install-opa-bundle-verify: $binary does not run" >&2
    exit 1
  fi
  echo "install-opa-bundle-verify: built $binary ($("$binary" -version))"
fi

mkdir -p "$tools/bin"
ln -sfn "../opa-bundle-verify/$hash/opa-bundle-verify" "$tools/bin/opa-bundle-verify"
echo "install-opa-bundle-verify: $tools/bin/opa-bundle-verify -> opa-bundle-verify/$hash/opa-bundle-verify"
