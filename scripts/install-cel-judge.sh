#!/usr/bin/env bash
# Builds the Kubernetes CEL judge (tools/kubernetes/cel-judge: CEL evaluated by k8s.io/apiserver's
# own code at the Kubernetes release tools/kubernetes pins) into .tools/bin/cel-judge. A package of
# the module that also builds the API server, so they share the compile cache; a cold build alone
# takes a few minutes. Built and kept by hash as every repo tool is: see install-go-tool.sh.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-go-tool.sh" cel-judge "cel-judge kubernetes=v" tools/kubernetes/cel-judge
