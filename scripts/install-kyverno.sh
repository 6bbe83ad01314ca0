#!/usr/bin/env bash
# Builds the Kyverno CLI, pinned, into <repo>/.tools:
#   .tools/kyverno/v1.19.1/kyverno   built from the release's module source, kept by version
#   .tools/bin/kyverno               a symlink to the pinned build (what the tests look for)
#
# Why not `go install`: Kyverno's go.mod has `replace` directives, and `go install pkg@version`
# refuses a module that has them. So the release is fetched through the Go module proxy with
# `go mod download`, copied out of the (read-only) module cache, and built there as the main
# module, where its replace directives apply.
#
# 1.19.1: the newest release the proxy serves that is >= 1.17 (ValidatingPolicy v1); the CRDs in
# ../shared/schemas/kyverno are those of 1.19.0. Its go line is 1.26.6; when a pinned release
# needs a newer Go than the machine's, GOTOOLCHAIN takes it from the module proxy.
#
# Cold build, measured on the 2-core machine (empty GOCACHE, `nice`, sharing the cores with
# another cold Go build): 16 min 29 s wall, 544 s user + 114 s system CPU (an estimated 6-8 min
# wall with both cores to itself), 2.6 GB peak memory, 1.3 GB build cache. Idempotent: a build
# in place that reports the pinned version is kept.
set -euo pipefail

KYVERNO_VERSION="1.19.1"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${CHARTER_TOOLS_DIR:-$repo/.tools}"
[[ "$tools" == /* ]] || tools="$PWD/$tools"
kyverno_dir="$tools/kyverno/v$KYVERNO_VERSION"
kyverno_bin="$kyverno_dir/kyverno"

kyverno_is_pinned() {
  [[ -x "$kyverno_bin" ]] || return 1
  local reported
  reported="$("$kyverno_bin" version 2>/dev/null)" || return 1
  grep -q "Version: $KYVERNO_VERSION\$" <<<"$reported"
}

# The toolchain a go line needs: the machine's when it is new enough, else one from the proxy.
toolchain_for() {
  local wanted="$1" have
  have="$(go env GOVERSION)"
  have="${have#go}"
  if [[ "$(printf '%s\n%s\n' "$wanted" "$have" | sort -V | tail -n1)" == "$have" ]]; then
    echo "local"
  elif [[ "$wanted" == 1.26* ]]; then
    echo "auto"
  else
    # The one newer toolchain this environment approves (see README, "On a fresh machine").
    echo "go1.27.3"
  fi
}

if kyverno_is_pinned; then
  echo "install-kyverno: kyverno $KYVERNO_VERSION already at $kyverno_bin"
else
  if ! command -v go >/dev/null 2>&1; then
    echo "install-kyverno: Go is needed to build kyverno $KYVERNO_VERSION and is not on PATH" >&2
    exit 1
  fi
  module_dir="$(go mod download -json "github.com/kyverno/kyverno@v$KYVERNO_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  if [[ -z "$module_dir" || ! -f "$module_dir/go.mod" ]]; then
    echo "install-kyverno: go mod download gave no module folder for kyverno $KYVERNO_VERSION" >&2
    exit 1
  fi
  go_line="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$module_dir/go.mod")"
  toolchain="$(toolchain_for "$go_line")"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -R "$module_dir" "$work/kyverno"
  chmod -R u+w "$work/kyverno"
  mkdir -p "$kyverno_dir"
  echo "install-kyverno: building kyverno $KYVERNO_VERSION (go line $go_line, GOTOOLCHAIN=$toolchain; several minutes)"
  (
    cd "$work/kyverno"
    GOTOOLCHAIN="$toolchain" CGO_ENABLED=0 go build \
      -ldflags "-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$KYVERNO_VERSION" \
      -o "$kyverno_bin" ./cmd/cli/kubectl-kyverno
  )
  if ! kyverno_is_pinned; then
    echo "install-kyverno: $kyverno_bin does not report version $KYVERNO_VERSION" >&2
    exit 1
  fi
  echo "install-kyverno: built $kyverno_bin"
fi

mkdir -p "$tools/bin"
ln -sfn "../kyverno/v$KYVERNO_VERSION/kyverno" "$tools/bin/kyverno"
echo "install-kyverno: $tools/bin/kyverno -> kyverno/v$KYVERNO_VERSION/kyverno"
