/**
 * What admission matching needs to know about a kind that the IR does not record: its resource
 * (plural) name, the version to name in a rule, and whether it is namespaced.
 *
 * The IR matches on API group and kind and ignores the version. Kinds Charter knows are named
 * with their stable version (matchPolicy Equivalent, the default, sends requests for other
 * versions of the same resource through too); any other kind gets version `*` and the plural
 * Kubernetes itself guesses for it (`meta.UnsafeGuessKindToResource`), since a CRD's plural is
 * not knowable without the cluster.
 */
import type { KindRef } from "@charter/ir";

export type Scope = "Namespaced" | "Cluster" | "Unknown";

export interface KindInfo extends KindRef {
  /** The resource name admission rules use (`pods`, `deployments`). */
  readonly resource: string;
  /** The version to match (`v1`), or `*` for a kind Charter does not know. */
  readonly version: string;
  readonly scope: Scope;
}

type Known = readonly [group: string, kind: string, resource: string, scope: Scope];

const KNOWN: readonly Known[] = [
  ["", "Pod", "pods", "Namespaced"],
  ["", "ReplicationController", "replicationcontrollers", "Namespaced"],
  ["", "Service", "services", "Namespaced"],
  ["", "ServiceAccount", "serviceaccounts", "Namespaced"],
  ["", "Secret", "secrets", "Namespaced"],
  ["", "ConfigMap", "configmaps", "Namespaced"],
  ["", "PersistentVolumeClaim", "persistentvolumeclaims", "Namespaced"],
  ["", "Namespace", "namespaces", "Cluster"],
  ["", "Node", "nodes", "Cluster"],
  ["", "PersistentVolume", "persistentvolumes", "Cluster"],
  ["apps", "Deployment", "deployments", "Namespaced"],
  ["apps", "ReplicaSet", "replicasets", "Namespaced"],
  ["apps", "StatefulSet", "statefulsets", "Namespaced"],
  ["apps", "DaemonSet", "daemonsets", "Namespaced"],
  ["batch", "Job", "jobs", "Namespaced"],
  ["batch", "CronJob", "cronjobs", "Namespaced"],
  ["rbac.authorization.k8s.io", "Role", "roles", "Namespaced"],
  ["rbac.authorization.k8s.io", "RoleBinding", "rolebindings", "Namespaced"],
  ["rbac.authorization.k8s.io", "ClusterRole", "clusterroles", "Cluster"],
  ["rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", "Cluster"],
  ["networking.k8s.io", "NetworkPolicy", "networkpolicies", "Namespaced"],
  ["networking.k8s.io", "Ingress", "ingresses", "Namespaced"],
  ["networking.k8s.io", "IngressClass", "ingressclasses", "Cluster"],
  ["policy", "PodDisruptionBudget", "poddisruptionbudgets", "Namespaced"],
];

/** Kubernetes' own guess (apimachinery `UnsafeGuessKindToResource`). */
export function guessResource(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith("s")) return `${lower}es`;
  if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

export function kindInfo(ref: KindRef): KindInfo {
  const known = KNOWN.find(([group, kind]) => group === ref.group && kind === ref.kind);
  if (known)
    return { group: ref.group, kind: ref.kind, resource: known[2], version: "v1", scope: known[3] };
  return {
    group: ref.group,
    kind: ref.kind,
    resource: guessResource(ref.kind),
    version: "*",
    scope: "Unknown",
  };
}

/** The core Namespace kind: namespace filters read its own name, not a namespace it lives in. */
export function isNamespaceKind(ref: KindRef): boolean {
  return ref.group === "" && ref.kind === "Namespace";
}
