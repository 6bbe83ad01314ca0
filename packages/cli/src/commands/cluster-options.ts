/**
 * The options of `charter check --cluster` and their usage errors, apart from check-cluster.ts
 * so that a scan of files never loads the Kubernetes client.
 */
import { CharterError } from "@charter/ir";

export interface ClusterOptions {
  /** `--cluster`: scan the live cluster instead of manifests. */
  readonly cluster?: boolean;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  /** `--apply-reports`: write the policy reports into the scanned cluster. */
  readonly applyReports?: boolean;
}

const CLUSTER_ONLY: readonly [keyof ClusterOptions, string][] = [
  ["kubeconfig", "--kubeconfig"],
  ["context", "--context"],
  ["namespace", "--namespace"],
  ["allNamespaces", "--all-namespaces"],
  ["applyReports", "--apply-reports"],
];

/** Usage errors of the cluster options, before anything is read. */
export function checkClusterOptions(
  paths: readonly string[],
  options: ClusterOptions,
  format: string,
): void {
  if (!options.cluster) {
    const given = CLUSTER_ONLY.filter(([key]) => options[key] !== undefined).map(([, f]) => f);
    if (given.length > 0) {
      throw new CharterError(
        `${given.join(", ")} ${given.length === 1 ? "is" : "are"} for scanning a cluster`,
        {},
        "add --cluster: charter check --cluster --all-namespaces",
      );
    }
    return;
  }
  if (paths.length > 0) {
    throw new CharterError(
      "check --cluster scans the cluster, not files",
      {},
      "leave out the paths, or scan them in a separate run",
    );
  }
  if (options.namespace !== undefined && options.allNamespaces) {
    throw new CharterError(
      "--namespace and --all-namespaces contradict each other",
      {},
      "pass one of them",
    );
  }
  if (options.applyReports && format !== "policyreport" && format !== "openreports") {
    throw new CharterError(
      "--apply-reports writes policy reports",
      {},
      "add --format policyreport or --format openreports",
    );
  }
}
