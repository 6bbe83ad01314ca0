#!/usr/bin/env bash
# Builds the Kubernetes CEL judge (tools/cel-judge, a Go module pinned to a Kubernetes release)
# into <repo>/.tools:
#   .tools/cel-judge/<hash>/cel-judge   kept by a hash of its source and the Go version
#   .tools/bin/cel-judge                a symlink to the current build (what findCelJudge() looks for)
# The hash covers go.mod, go.sum, the non-test .go files and `go version`, so any change to the
# judge's source or its pinned Kubernetes libraries rebuilds it. Idempotent: a build already in
# place for the hash is kept. A cold build (empty module and build caches) takes about a minute.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$repo/tools/cel-judge"
tools="$repo/.tools"

if ! command -v go >/dev/null 2>&1; then
  echo "install-cel-judge: Go is needed to build the CEL judge and is not on PATH" >&2
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
build_dir="$tools/cel-judge/$hash"
binary="$build_dir/cel-judge"

judge_works() {
  [[ -x "$binary" ]] && "$binary" -version 2>/dev/null | grep -q '^cel-judge kubernetes=v'
}

if judge_works; then
  echo "install-cel-judge: cel-judge $hash already at $binary"
else
  echo "install-cel-judge: building cel-judge $hash with $(go version)"
  mkdir -p "$build_dir"
  # Build next to the target under a name of this run and rename: an interrupted build never
  # leaves a broken binary, and two installs running at once do not take each other's file.
  partial="$binary.partial.$$"
  (cd "$src" && go build -mod=readonly -trimpath -o "$partial" .)
  mv -f "$partial" "$binary"
  if ! judge_works; then
    echo "install-cel-judge: $binary does not run" >&2
    exit 1
  fi
  echo "install-cel-judge: built $binary ($("$binary" -version))"
fi

mkdir -p "$tools/bin"
ln -sfn "../cel-judge/$hash/cel-judge" "$tools/bin/cel-judge"
echo "install-cel-judge: $tools/bin/cel-judge -> cel-judge/$hash/cel-judge"
