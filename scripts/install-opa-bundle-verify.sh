#!/usr/bin/env bash
# Builds the OPA bundle verifier (tools/opa-bundle-verify: OPA's own v1/bundle reader at the pinned
# OPA release) into .tools/bin/opa-bundle-verify.
# Built and kept by hash as every repo tool is: see install-go-tool.sh.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-go-tool.sh" opa-bundle-verify "opa-bundle-verify opa=v"
