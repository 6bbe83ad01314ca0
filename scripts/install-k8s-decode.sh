#!/usr/bin/env bash
# Builds kubectl's manifest decoder (tools/k8s-decode: cli-runtime and apimachinery at a pinned
# Kubernetes release) into .tools/bin/k8s-decode. A cold build takes about 3 minutes on 2 cores.
# Built and kept by hash as every repo tool is: see install-go-tool.sh.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-go-tool.sh" k8s-decode "k8s-decode kubernetes=v"
