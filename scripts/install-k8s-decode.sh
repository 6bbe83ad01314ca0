#!/usr/bin/env bash
# Builds kubectl's manifest decoder (tools/kubernetes/k8s-decode: cli-runtime and apimachinery at
# the Kubernetes release tools/kubernetes pins) into .tools/bin/k8s-decode. A package of the module
# that also builds kubectl, so they share the compile cache; a cold build alone takes about
# 3 minutes on 2 cores. Built and kept by hash as every repo tool is: see install-go-tool.sh.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-go-tool.sh" k8s-decode "k8s-decode kubernetes=v" tools/kubernetes/k8s-decode
