/**
 * The pinned Kubernetes builds the dev cluster runs (scripts/install-kubernetes.sh puts them in
 * `.tools/bin`). Never a binary that happens to be on PATH: the cluster must be the release every
 * Go tool of the repo is built at, or its verdicts prove nothing about that release.
 */
import { CharterError } from "@charter/ir";
import { type FindToolOptions, findTool } from "@charter/runtime";

export const KUBERNETES_PROGRAMS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kubectl",
] as const;

export type KubernetesProgram = (typeof KUBERNETES_PROGRAMS)[number];

export type KubernetesBinaries = Readonly<Record<KubernetesProgram, string>>;

const ENV_VAR: Readonly<Record<KubernetesProgram, string>> = {
  etcd: "CHARTER_ETCD",
  "kube-apiserver": "CHARTER_KUBE_APISERVER",
  "kube-controller-manager": "CHARTER_KUBE_CONTROLLER_MANAGER",
  kubectl: "CHARTER_KUBECTL",
};

/** Each program's path, or undefined when any is missing. */
export function findKubernetesBinaries(
  options: Omit<FindToolOptions, "onPath"> = {},
): KubernetesBinaries | undefined {
  const found: Partial<Record<KubernetesProgram, string>> = {};
  for (const program of KUBERNETES_PROGRAMS) {
    const path = findTool(program, ENV_VAR[program], { ...options, onPath: false });
    if (path === undefined) return undefined;
    found[program] = path;
  }
  return found as KubernetesBinaries;
}

/** Each program's path, or an error saying how to install them. */
export function requireKubernetesBinaries(
  options: Omit<FindToolOptions, "onPath"> = {},
): KubernetesBinaries {
  const found = findKubernetesBinaries(options);
  if (found !== undefined) return found;
  const missing = KUBERNETES_PROGRAMS.filter(
    (program) => findTool(program, ENV_VAR[program], { ...options, onPath: false }) === undefined,
  );
  throw new CharterError(
    `the dev cluster needs the pinned Kubernetes builds, and ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not in .tools/bin: run scripts/install-engines.sh (or set ${missing.map((program) => ENV_VAR[program]).join(", ")})`,
  );
}
