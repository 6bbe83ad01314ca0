#!/usr/bin/env bash
# Builds the Kubernetes CEL judge (tools/cel-judge: CEL evaluated by k8s.io/apiserver's own
# code at a pinned Kubernetes release) into .tools/bin/cel-judge. A cold build takes a few minutes.
# Built and kept by hash as every repo tool is: see install-go-tool.sh.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-go-tool.sh" cel-judge "cel-judge kubernetes=v"
