#!/usr/bin/env bash
# Installs the real engines Charter's tests judge against, pinned, into <repo>/.tools:
#   .tools/opa/v1.22.3/opa   built with the machine's Go (go install), kept by version
#   .tools/bin/opa           a symlink to the pinned build (what findOpa() looks for)
# then every other engine, each by its own script (below), the signing rig's tools (cosign, crane,
# registry, referrers-registry), and the Kubernetes control plane
# (kube-apiserver, kube-controller-manager, kubectl, etcd) at the release tools/kubernetes pins.
# Idempotent: a build already in place that reports the pinned version is kept. Prints the wall
# time of each engine at the end (the cold figures in the README come from this summary).
# CHARTER_TOOLS_DIR (an absolute path, or relative to the current folder) installs somewhere
# other than <repo>/.tools, for every engine: a cold measurement, a cache kept elsewhere. Tests
# find engines in .tools/bin, so point them at such a folder with CHARTER_OPA, CHARTER_CEL_JUDGE…
set -euo pipefail

OPA_VERSION="1.22.3"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${CHARTER_TOOLS_DIR:-$repo/.tools}"
[[ "$tools" == /* ]] || tools="$PWD/$tools"
opa_dir="$tools/opa/v$OPA_VERSION"
opa_bin="$opa_dir/opa"

# "name wall-seconds cpu-seconds" of each engine, for the summary at the end. The CPU time (user +
# system of every finished child: go, compile, link) says what a build costs on a busy machine,
# where wall time depends on who else runs.
timings=()
total_start=$SECONDS
cpu_file="$(mktemp)"
trap 'rm -f "$cpu_file"' EXIT
# Sets cpu to the seconds of CPU the finished children of this shell used so far. `times` must
# run in this shell, not in a $(…) subshell, whose children are not ours; its second line is the
# children's user and system time, e.g. "12m3.456s 1m2.345s".
cpu=0
children_cpu() {
  times >"$cpu_file"
  local user system
  read -r user system < <(tail -n 1 "$cpu_file")
  cpu=$((10#${user%%m*} * 60 + 10#$(cut -d. -f1 <<<"${user#*m}")))
  cpu=$((cpu + 10#${system%%m*} * 60 + 10#$(cut -d. -f1 <<<"${system#*m}")))
}
timed() {
  local label="$1" start=$SECONDS cpu_start
  children_cpu
  cpu_start=$cpu
  shift
  "$@"
  children_cpu
  timings+=("$label $((SECONDS - start)) $((cpu - cpu_start))")
}
minutes() { echo "$(($1 / 60))m$(($1 % 60))s"; }

opa_is_pinned() {
  # Read the whole output first: `grep -q` closing the pipe early would fail under pipefail.
  [[ -x "$opa_bin" ]] || return 1
  local reported
  reported="$("$opa_bin" version 2>/dev/null)" || return 1
  grep -qx "Version: $OPA_VERSION" <<<"$reported"
}

# An older layout kept a bare binary at .tools/opa; the versioned folder replaces it.
if [[ -e "$tools/opa" && ! -d "$tools/opa" ]]; then
  echo "install-engines: removing $tools/opa (not a folder; versions live in $tools/opa/vX.Y.Z)"
  rm -f "$tools/opa"
fi

install_opa() {
  if opa_is_pinned; then
    echo "install-engines: opa $OPA_VERSION already at $opa_bin"
  else
    if ! command -v go >/dev/null 2>&1; then
      echo "install-engines: Go is needed to build opa $OPA_VERSION and is not on PATH" >&2
      exit 1
    fi
    echo "install-engines: building opa $OPA_VERSION with $(go version) (about 2 minutes)"
    mkdir -p "$opa_dir"
    GOBIN="$opa_dir" go install "github.com/open-policy-agent/opa@v$OPA_VERSION"
    if ! opa_is_pinned; then
      echo "install-engines: $opa_bin does not report version $OPA_VERSION" >&2
      exit 1
    fi
    echo "install-engines: built $opa_bin"
  fi

  mkdir -p "$tools/bin"
  ln -sfn "../opa/v$OPA_VERSION/opa" "$tools/bin/opa"
  echo "install-engines: $tools/bin/opa -> opa/v$OPA_VERSION/opa"
}
timed opa install_opa

# The Kubernetes CEL judge (tools/kubernetes/cel-judge), built from pinned k8s.io/apiserver
# sources.
timed cel-judge bash "$repo/scripts/install-cel-judge.sh"

# The OPA bundle verifier (tools/opa-bundle-verify): OPA's own v1/bundle reader at the pinned OPA
# release, judging many signed bundles in one process (the proof of `charter bundle verify`).
timed opa-bundle-verify bash "$repo/scripts/install-opa-bundle-verify.sh"

# Gatekeeper's gator CLI, pinned (its cold build is the longest: several minutes).
timed gator bash "$repo/scripts/install-gator.sh"

# The Kyverno CLI, pinned (built from the release's module source; several minutes cold).
timed kyverno bash "$repo/scripts/install-kyverno.sh"

# kubectl's manifest decoder (tools/kubernetes/k8s-decode), built from pinned k8s.io/cli-runtime
# sources: the judge of what Charter's loader reads.
timed k8s-decode bash "$repo/scripts/install-k8s-decode.sh"

# The signing rig's tools (packages/test-support/src/signing-rig): cosign v3.1.3, crane and the
# stock in-memory registry of go-containerregistry v0.22.1, and tools/referrers-registry (that
# registry with the OCI referrers API on). cosign's cold build is the long one (several minutes).
for signing_tool in cosign crane registry referrers-registry; do
  timed "$signing_tool" bash "$repo/scripts/install-signing-rig.sh" "$signing_tool"
done

# The Kubernetes control plane for the tests that need a real API server: kube-apiserver,
# kube-controller-manager, kubectl and etcd, built in tools/kubernetes — the module of the CEL
# judge and the decoder above, so much of it is already in the compile cache.
timed kubernetes bash "$repo/scripts/install-kubernetes.sh"

summary=""
for timing in "${timings[@]}"; do
  read -r label seconds step_cpu <<<"$timing"
  summary+="$label $(minutes "$seconds") (CPU $(minutes "$step_cpu")), "
done
children_cpu
echo "install-engines: done in $(minutes $((SECONDS - total_start))) of wall time, $(minutes "$cpu") of CPU: ${summary%, }"
