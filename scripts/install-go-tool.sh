#!/usr/bin/env bash
# Builds one of the repo's own Go tools (tools/<name>, a Go module with pinned dependencies) into
# <repo>/.tools:
#   .tools/<name>/<hash>/<name>   kept by a hash of its source and the Go version
#   .tools/bin/<name>             a symlink to the current build (what findTool() looks for)
# The hash covers go.mod, go.sum, the non-test .go files and `go version`, so any change to the
# tool's source or its pinned modules rebuilds it. Idempotent: a build already in place for the
# hash is kept, and the build is checked by the first line of `<name> -version`.
#
# Usage: install-go-tool.sh NAME VERSION_PREFIX   (e.g. cel-judge "cel-judge kubernetes=v")
set -euo pipefail

name="$1"
version_prefix="$2"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$repo/tools/$name"
tools="$repo/.tools"
say() { echo "install-$name: $*"; }

if ! command -v go >/dev/null 2>&1; then
  say "Go is needed to build tools/$name and is not on PATH" >&2
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
build_dir="$tools/$name/$hash"
binary="$build_dir/$name"

tool_works() {
  # Read the whole output first: `grep -q` closing the pipe early would fail under pipefail.
  [[ -x "$binary" ]] || return 1
  local reported
  reported="$("$binary" -version 2>/dev/null)" || return 1
  grep -q "^$version_prefix" <<<"$reported"
}

if tool_works; then
  say "$name $hash already at $binary"
else
  say "building $name $hash with $(go version)"
  mkdir -p "$build_dir"
  # Build next to the target under a name of this run and rename: an interrupted build never
  # leaves a broken binary, and two installs running at once do not take each other's file.
  partial="$binary.partial.$$"
  (cd "$src" && go build -mod=readonly -trimpath -o "$partial" .)
  mv -f "$partial" "$binary"
  if ! tool_works; then
    say "$binary does not run" >&2
    exit 1
  fi
  say "built $binary ($("$binary" -version))"
fi

mkdir -p "$tools/bin"
ln -sfn "../$name/$hash/$name" "$tools/bin/$name"
say "$tools/bin/$name -> $name/$hash/$name"
