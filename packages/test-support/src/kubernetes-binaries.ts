/**
 * The Kubernetes control plane for the tests that need a real API server: kube-apiserver,
 * kube-controller-manager, kubectl and etcd, as scripts/install-kubernetes.sh builds them (one
 * `go build` in tools/kubernetes at the release its go.mod pins) into
 * `.tools/kubernetes/v<release>/` and links them from `.tools/bin/`.
 *
 * Where each is: `$CHARTER_KUBE_APISERVER`, `$CHARTER_KUBE_CONTROLLER_MANAGER`,
 * `$CHARTER_KUBECTL`, `$CHARTER_ETCD` (an explicit choice that does not exist is not replaced by
 * another binary), else `.tools/bin/<name>` of this checkout. Never PATH: a kubectl or an etcd that
 * happens to be on the machine is another release, and its answers would prove nothing about the
 * pinned one. Missing, the tests say so loudly and skip; under CI=true (where
 * scripts/install-engines.sh built them) a missing binary fails.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type FindPinnedToolOptions, findPinnedTool, missingForTests } from "./pinned-tool.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const KUBERNETES_BINARIES = [
  "kube-apiserver",
  "kube-controller-manager",
  "kubectl",
  "etcd",
] as const;

export type KubernetesBinary = (typeof KUBERNETES_BINARIES)[number];

/** The path of each binary. */
export type KubernetesBinaries = Readonly<Record<KubernetesBinary, string>>;

/** The environment variable that names each binary explicitly. */
export const KUBERNETES_BINARY_ENV: Readonly<Record<KubernetesBinary, string>> = {
  "kube-apiserver": "CHARTER_KUBE_APISERVER",
  "kube-controller-manager": "CHARTER_KUBE_CONTROLLER_MANAGER",
  kubectl: "CHARTER_KUBECTL",
  etcd: "CHARTER_ETCD",
};

/** The releases tools/kubernetes/go.mod pins: what the binaries in .tools report. */
export interface PinnedKubernetes {
  /** k8s.io/kubernetes, e.g. "1.35.8" (the staging modules k8s.io/* are at "0.35.8"). */
  readonly kubernetes: string;
  /** go.etcd.io/etcd/server/v3, e.g. "3.6.5". */
  readonly etcd: string;
}

export type FindKubernetesOptions = FindPinnedToolOptions;

/** The releases pinned by tools/kubernetes/go.mod (one place says which; the scripts read it too). */
export function pinnedKubernetes(checkout: string = repo): PinnedKubernetes {
  const goMod = readFileSync(join(checkout, "tools", "kubernetes", "go.mod"), "utf8");
  const required = (module: string): string => {
    const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const match = new RegExp(`^\\s*${escaped} v(\\S+)`, "m").exec(goMod);
    if (!match?.[1]) throw new Error(`tools/kubernetes/go.mod does not require ${module}`);
    return match[1];
  };
  return { kubernetes: required("k8s.io/kubernetes"), etcd: required("go.etcd.io/etcd/server/v3") };
}

/** The path of one binary, or undefined when there is none (PATH is never searched). */
export function findKubernetesBinary(
  name: KubernetesBinary,
  options: FindKubernetesOptions = {},
): string | undefined {
  return findPinnedTool(name, KUBERNETES_BINARY_ENV[name], options);
}

/** All four binaries, or undefined when one is missing. */
export function findKubernetesBinaries(
  options: FindKubernetesOptions = {},
): KubernetesBinaries | undefined {
  const found: Partial<Record<KubernetesBinary, string>> = {};
  for (const name of KUBERNETES_BINARIES) {
    const path = findKubernetesBinary(name, options);
    if (path === undefined) return undefined;
    found[name] = path;
  }
  return found as KubernetesBinaries;
}

/**
 * For tests that need the real control plane: the four binaries, or undefined after a loud
 * warning naming what is skipped. Under CI=true a missing binary is an error.
 */
export function kubernetesBinariesForTests(
  what: string,
  options: FindKubernetesOptions = {},
): KubernetesBinaries | undefined {
  const binaries = findKubernetesBinaries(options);
  if (binaries !== undefined) return binaries;
  const missing = KUBERNETES_BINARIES.filter(
    (name) => findKubernetesBinary(name, options) === undefined,
  )
    .map((name) => `${name} ($${KUBERNETES_BINARY_ENV[name]}, .tools/bin/${name})`)
    .join(", ");
  return missingForTests(
    `the Kubernetes control plane is not installed — missing ${missing}: run scripts/install-kubernetes.sh (part of scripts/install-engines.sh)`,
    what,
    options.env,
  );
}
