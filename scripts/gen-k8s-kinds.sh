#!/usr/bin/env bash
# Writes packages/runtime/src/input/api-versions/known-kinds.gen.json: the kinds of every built-in
# Kubernetes group/version, as k8s.io/api (tools/k8s-kinds, pinned) registers them. The runtime
# reads it to tell an object of an unknown version of a built-in kind (`apps/v2 Deployment`)
# from a custom resource; removed-versions.ts says which of these versions are no longer served.
# tools/k8s-kinds pins the newest Kubernetes release Charter knows (k8s.io/api v0.36.3), not the
# release every other Go tool shares (tools/kubernetes, 1.35.8): a table of 1.35 would take the
# kinds 1.36 added for custom resources (tools/kubernetes/README.md has the difference).
#
#   scripts/gen-k8s-kinds.sh           regenerate the table
#   scripts/gen-k8s-kinds.sh --check   exit 1 when the committed table is stale
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/packages/runtime/src/input/api-versions/known-kinds.gen.json"

if ! command -v go >/dev/null 2>&1; then
  echo "gen-k8s-kinds: Go is needed and is not on PATH" >&2
  exit 1
fi

fresh="$(cd "$repo/tools/k8s-kinds" && go run .)"
if [[ "${1:-}" == "--check" ]]; then
  if [[ "$fresh" != "$(cat "$out")" ]]; then
    echo "gen-k8s-kinds: $out is stale; run scripts/gen-k8s-kinds.sh" >&2
    exit 1
  fi
  exit 0
fi
printf '%s\n' "$fresh" > "$out.tmp"
mv "$out.tmp" "$out"
