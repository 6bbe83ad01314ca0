#!/usr/bin/env bash
# Installs Gatekeeper's `gator` CLI, pinned, into <repo>/.tools:
#   .tools/gator/v3.23.1/gator   built with the machine's Go (go install), kept by version
#   .tools/bin/gator             a symlink to the pinned build (what findGator() looks for)
# Idempotent: a build already in place that reports the pinned version is kept.
# Gatekeeper v3.23.1 needs Go >= 1.26.0 (its go.mod's `go` line).
set -euo pipefail

GATOR_VERSION="3.23.1"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${CHARTER_TOOLS_DIR:-$repo/.tools}"
[[ "$tools" == /* ]] || tools="$PWD/$tools"
gator_dir="$tools/gator/v$GATOR_VERSION"
gator_bin="$gator_dir/gator"

gator_is_pinned() {
  # Read the whole output first: `grep -q` closing the pipe early would fail under pipefail.
  [[ -x "$gator_bin" ]] || return 1
  # `go version -m` reads the module version Go stamped into the binary at build time.
  local reported
  reported="$(go version -m "$gator_bin" 2>/dev/null)" || return 1
  grep -qE "^[[:space:]]+mod[[:space:]]+github.com/open-policy-agent/gatekeeper/v3[[:space:]]+v$GATOR_VERSION([[:space:]]|$)" <<<"$reported"
}

if gator_is_pinned; then
  echo "install-gator: gator $GATOR_VERSION already at $gator_bin"
else
  if ! command -v go >/dev/null 2>&1; then
    echo "install-gator: Go is needed to build gator $GATOR_VERSION and is not on PATH" >&2
    exit 1
  fi
  echo "install-gator: building gator $GATOR_VERSION with $(go version)"
  mkdir -p "$gator_dir"
  started=$SECONDS
  GOBIN="$gator_dir" go install "github.com/open-policy-agent/gatekeeper/v3/cmd/gator@v$GATOR_VERSION"
  echo "install-gator: built in $((SECONDS - started)) s"
  if ! gator_is_pinned; then
    echo "install-gator: $gator_bin does not report version $GATOR_VERSION" >&2
    exit 1
  fi
  echo "install-gator: built $gator_bin"
fi

mkdir -p "$tools/bin"
ln -sfn "../gator/v$GATOR_VERSION/gator" "$tools/bin/gator"
echo "install-gator: $tools/bin/gator -> gator/v$GATOR_VERSION/gator"
