#!/usr/bin/env bash
# Installs the tools of the signing rig (packages/test-support/src/signing-rig), pinned, into
# <repo>/.tools, each linked from .tools/bin:
#   cosign              go install github.com/sigstore/cosign/v3/cmd/cosign           v3.1.3
#   crane               go install github.com/google/go-containerregistry/cmd/crane    v0.22.1
#   registry            go install github.com/google/go-containerregistry/cmd/registry v0.22.1
#                       (in-memory, no OCI referrers API)
#   referrers-registry  tools/referrers-registry: the same registry with the referrers API on,
#                       go-containerregistry v0.22.1 pinned by its go.mod (kept by source hash)
# The first three are released commands, installed by install-go-binary.sh and kept by version;
# the last is a repo tool, built by install-go-tool.sh. Idempotent.
#
# Usage: install-signing-rig.sh [cosign|crane|registry|referrers-registry]...   (none: all four)
set -euo pipefail

COSIGN_VERSION="v3.1.3"
GGCR_VERSION="v0.22.1"
here="$(dirname "${BASH_SOURCE[0]}")"

install_one() {
  case "$1" in
    cosign) bash "$here/install-go-binary.sh" cosign "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION" ;;
    crane) bash "$here/install-go-binary.sh" crane "github.com/google/go-containerregistry/cmd/crane@$GGCR_VERSION" ;;
    registry) bash "$here/install-go-binary.sh" registry "github.com/google/go-containerregistry/cmd/registry@$GGCR_VERSION" ;;
    referrers-registry)
      bash "$here/install-go-tool.sh" referrers-registry "referrers-registry go-containerregistry=$GGCR_VERSION"
      ;;
    *)
      echo "install-signing-rig: unknown tool $1 (cosign, crane, registry, referrers-registry)" >&2
      exit 2
      ;;
  esac
}

if [[ $# -eq 0 ]]; then
  set -- cosign crane registry referrers-registry
fi
for tool in "$@"; do
  install_one "$tool"
done
