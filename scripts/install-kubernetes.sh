#!/usr/bin/env bash
# Builds a Kubernetes control plane, pinned, into <repo>/.tools, for the tests that need a real
# API server (and for `kubectl` against it — never a kubectl that happens to be on the machine):
#   .tools/kubernetes/v1.35.8/kube-apiserver
#   .tools/kubernetes/v1.35.8/kube-controller-manager
#   .tools/kubernetes/v1.35.8/kubectl
#   .tools/kubernetes/v1.35.8/etcd
#   .tools/bin/<each>   symlinks to the pinned build (what the tests look for)
#
# Built in tools/kubernetes, the one Go module of the repo that pins Kubernetes: it requires
# k8s.io/kubernetes and etcd's server and replaces each staging module with its published release
# (k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces them with folders of its own
# repository). The releases are read from that go.mod, so it is the one place that says which.
# The CEL judge and the manifest decoder are packages of the same module (install-cel-judge.sh,
# install-k8s-decode.sh), built with the same flags (-mod=readonly -trimpath): the compile cache
# serves all of them, and whichever is built first pays for the shared libraries.
#
# `--version` is made honest with the ldflags Kubernetes' own build sets (hack/lib/version.sh):
# git version, major, minor, commit (the tag's commit as the module proxy reports it) for
# k8s.io/component-base/version (what the binaries print) and k8s.io/client-go/pkg/version
# (client-go's user agent); `-s -w` as its release builds. etcd prints its own version (a
# constant of go.etcd.io/etcd/api/v3/version).
#
# Atomic: the four binaries are built into a temporary folder beside the target, each is checked
# for the version it reports, and the folder is renamed into place. Idempotent: a folder in
# place whose four binaries report the pinned versions is kept (seconds). Cold cost: see the
# README ("On a fresh machine") and tools/kubernetes/README.md.
#
# CHARTER_TOOLS_DIR installs somewhere other than <repo>/.tools (every install script honours it).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$repo/tools/kubernetes"
tools="${CHARTER_TOOLS_DIR:-$repo/.tools}"
[[ "$tools" == /* ]] || tools="$PWD/$tools"
say() { echo "install-kubernetes: $*"; }

# The version a module is required at in tools/kubernetes/go.mod (without the leading v).
required() {
  sed -n "s#^[[:space:]]*$1 v\([^[:space:]]*\).*#\1#p" "$module/go.mod" | head -n 1
}
KUBERNETES_VERSION="$(required k8s.io/kubernetes)"
ETCD_VERSION="$(required go.etcd.io/etcd/server/v3)"
if [[ ! "$KUBERNETES_VERSION" =~ ^1\.([0-9]+)\.[0-9]+$ || ! "$ETCD_VERSION" =~ ^3\.[0-9]+\.[0-9]+$ ]]; then
  say "cannot read the pinned releases from $module/go.mod" \
    "(k8s.io/kubernetes '$KUBERNETES_VERSION', go.etcd.io/etcd/server/v3 '$ETCD_VERSION')" >&2
  exit 1
fi
minor="$(cut -d. -f2 <<<"$KUBERNETES_VERSION")"

dir="$tools/kubernetes/v$KUBERNETES_VERSION"
binaries=(kube-apiserver kube-controller-manager kubectl etcd)

# The line each binary must print (exactly, as one line of its output) and how to ask it.
expected_line() {
  case "$1" in
    kube-apiserver | kube-controller-manager) echo "Kubernetes v$KUBERNETES_VERSION" ;;
    kubectl) echo "Client Version: v$KUBERNETES_VERSION" ;;
    etcd) echo "etcd Version: $ETCD_VERSION" ;;
  esac
}
reported() {
  local name="$1" binary="$2"
  case "$name" in
    kubectl) KUBECONFIG=/dev/null "$binary" version --client ;;
    *) "$binary" --version ;;
  esac
}

# Every binary in the folder runs and reports its pinned version. Reads the whole output first:
# `grep -q` closing the pipe early would fail under pipefail.
is_pinned() {
  local folder="$1" name output
  for name in "${binaries[@]}"; do
    [[ -x "$folder/$name" ]] || return 1
    output="$(reported "$name" "$folder/$name" 2>/dev/null)" || return 1
    grep -qxF "$(expected_line "$name")" <<<"$output" || return 1
  done
}

link() {
  local name
  mkdir -p "$tools/bin"
  for name in "${binaries[@]}"; do
    ln -sfn "../kubernetes/v$KUBERNETES_VERSION/$name" "$tools/bin/$name"
  done
  say "$tools/bin/{$(IFS=,; echo "${binaries[*]}")} -> kubernetes/v$KUBERNETES_VERSION/"
}

if is_pinned "$dir"; then
  say "Kubernetes v$KUBERNETES_VERSION and etcd $ETCD_VERSION already at $dir"
  link
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  say "Go is needed to build Kubernetes v$KUBERNETES_VERSION and is not on PATH" >&2
  exit 1
fi

# The commit of the release tag, as the module proxy records it (absent from some proxies: then
# the binaries say "$Format:%H$" for their commit, as any `go build` of Kubernetes does).
commit="$(cd "$module" && go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" |
  sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)",\{0,1\}$/\1/p' | head -n 1)" || commit=""
ldflags="-s -w"
for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $package.gitVersion=v$KUBERNETES_VERSION"
  ldflags+=" -X $package.gitMajor=1 -X $package.gitMinor=$minor"
  if [[ -n "$commit" ]]; then
    ldflags+=" -X $package.gitCommit=$commit -X $package.gitTreeState=clean"
  fi
done

mkdir -p "$tools/kubernetes"
partial="$(mktemp -d "$tools/kubernetes/.v$KUBERNETES_VERSION.partial.XXXXXX")"
trap 'rm -rf "$partial"' EXIT
say "building kube-apiserver, kube-controller-manager, kubectl v$KUBERNETES_VERSION and etcd $ETCD_VERSION with $(go version) (cold, after the CEL judge: about 7 minutes on a busy 2-core machine)"
(
  cd "$module"
  go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$partial/" \
    go.etcd.io/etcd/server/v3 \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl
)
# etcd's main package is go.etcd.io/etcd/server/v3, so go names its binary "server".
mv "$partial/server" "$partial/etcd"
for name in "${binaries[@]}"; do
  output="$(reported "$name" "$partial/$name" 2>&1)" || true
  if ! grep -qxF "$(expected_line "$name")" <<<"$output"; then
    say "$name does not report '$(expected_line "$name")'; it says: $output" >&2
    exit 1
  fi
done

# Into place: a stale folder is moved aside first (renames are atomic; a reader sees the old
# folder or the new one). Another install that got there first with a good build wins.
if [[ -e "$dir" ]]; then
  if is_pinned "$dir"; then
    say "another install put Kubernetes v$KUBERNETES_VERSION in place meanwhile; keeping it"
    link
    exit 0
  fi
  stale="$(mktemp -d "$tools/kubernetes/.v$KUBERNETES_VERSION.stale.XXXXXX")"
  mv -T "$dir" "$stale/old"
  rm -rf "$stale"
fi
mv -T "$partial" "$dir"
trap - EXIT
chmod 755 "$dir"
say "built $dir: $(cd "$dir" && du -sh -- "${binaries[@]}" | awk '{printf "%s %s  ", $2, $1}')"
link
