#!/usr/bin/env bash
# Builds one of the repo's own Go tools (a main package with pinned dependencies) into
# <repo>/.tools:
#   .tools/<name>/<hash>/<name>   kept by a hash of its source and the Go version
#   .tools/bin/<name>             a symlink to the current build (what findTool() looks for)
# The package is tools/<name> (its own module) unless a third argument names its folder inside a
# shared module (tools/kubernetes/cel-judge: a package of the module tools/kubernetes).
# The hash covers the module's go.mod and go.sum, the package's non-test .go files and
# `go version`, so any change to the tool's source or its pinned modules rebuilds it (a package
# that imported another package of its module would have to add that one's files here).
# Idempotent: a build already in place for the hash is kept, and the build is checked by the
# first line of `<name> -version`. Built with -mod=readonly -trimpath, the flags
# install-kubernetes.sh and `pnpm test`'s `go test` use too, so every build of tools/kubernetes
# shares the compile cache.
#
# Usage: install-go-tool.sh NAME VERSION_PREFIX [PACKAGE_DIR]
#   e.g. install-go-tool.sh cel-judge "cel-judge kubernetes=v" tools/kubernetes/cel-judge
set -euo pipefail

name="$1"
version_prefix="$2"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package_dir="$repo/${3:-tools/$name}"
tools="${CHARTER_TOOLS_DIR:-$repo/.tools}"
[[ "$tools" == /* ]] || tools="$PWD/$tools"
say() { echo "install-$name: $*"; }

# The module the package belongs to: the nearest folder upwards with a go.mod.
module="$package_dir"
while [[ ! -f "$module/go.mod" ]]; do
  if [[ "$module" == "$repo" || "$module" == / ]]; then
    say "no go.mod at or above $package_dir" >&2
    exit 1
  fi
  module="$(dirname "$module")"
done
package="${package_dir#"$module"}"
package=".${package:-/}"   # ./ for a package at the module's root, else ./sub/folder
package="${package%/}"

if ! command -v go >/dev/null 2>&1; then
  say "Go is needed to build ${package_dir#"$repo/"} and is not on PATH" >&2
  exit 1
fi

source_hash() {
  local file prefix=""
  # A package at the module's root hashes its files as they are named there (`main.go`), so the
  # hashes of the tools that are their own module stay what they were.
  [[ "$package" != "." ]] && prefix="${package#./}/"
  (
    cd "$module"
    go version
    for file in go.mod go.sum "$prefix"*.go; do
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
  (cd "$module" && go build -mod=readonly -trimpath -o "$partial" "$package")
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
