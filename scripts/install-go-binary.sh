#!/usr/bin/env bash
# Builds a released Go command, pinned, with `go install PACKAGE@VERSION` into <repo>/.tools:
#   .tools/<name>/<version>/<name>   kept by version
#   .tools/bin/<name>                a symlink to the pinned build (what the tests look for)
# For commands whose module has no `replace` directives (`go install pkg@version` refuses those:
# see install-kyverno.sh). The binary is checked by the build information Go writes into it
# (`go version -m`: the main package's path and its module's version), which every Go command
# carries, also those that have no version flag of their own (go-containerregistry's registry).
# Idempotent: a build in place whose build information names the pinned package and version is
# kept.
#
# Usage: install-go-binary.sh NAME PACKAGE@VERSION
#   e.g. install-go-binary.sh cosign github.com/sigstore/cosign/v3/cmd/cosign@v3.1.3
set -euo pipefail

name="$1"
spec="$2"
package="${spec%@*}"
version="${spec##*@}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${CHARTER_TOOLS_DIR:-$repo/.tools}"
[[ "$tools" == /* ]] || tools="$PWD/$tools"
dir="$tools/$name/$version"
binary="$dir/$name"
say() { echo "install-$name: $*"; }

if [[ "$package" == "$spec" || "${package##*/}" != "$name" ]]; then
  say "usage: install-go-binary.sh NAME PACKAGE@VERSION, where PACKAGE ends in /NAME (got $spec)" >&2
  exit 2
fi

is_pinned() {
  # Read the whole output first: `grep -q` closing the pipe early would fail under pipefail.
  [[ -x "$binary" ]] || return 1
  command -v go >/dev/null 2>&1 || return 1
  local info
  info="$(go version -m "$binary" 2>/dev/null)" || return 1
  # Lines "<tab>path<tab>PACKAGE" and "<tab>mod<tab>MODULE<tab>VERSION<tab>SUM".
  awk -F'\t' -v package="$package" -v version="$version" '
    $2 == "path" { path = $3 }
    $2 == "mod" { mod = $4 }
    END { exit !(path == package && mod == version) }' <<<"$info"
}

if is_pinned; then
  say "$name $version already at $binary"
else
  if ! command -v go >/dev/null 2>&1; then
    say "Go is needed to build $name $version and is not on PATH" >&2
    exit 1
  fi
  say "building $package@$version with $(go version)"
  mkdir -p "$dir"
  GOBIN="$dir" go install "$package@$version"
  if ! is_pinned; then
    say "$binary does not carry the build information of $package@$version" >&2
    exit 1
  fi
  say "built $binary"
fi

mkdir -p "$tools/bin"
ln -sfn "../$name/$version/$name" "$tools/bin/$name"
say "$tools/bin/$name -> $name/$version/$name"
