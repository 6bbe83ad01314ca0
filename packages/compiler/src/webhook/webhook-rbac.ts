/**
 * Least privilege for the webhook: a ClusterRole that may `list` and `watch` exactly the kinds its
 * policies read beyond the request (the Namespace for the `namespace` root, each `inventory(…)`
 * kind: `inventoryKinds`, the set the Gatekeeper target syncs; the Trivy Operator's
 * VulnerabilityReports when an image rule reads scans, webhook-images.ts), and nothing else. Its watch
 * caches are @kubernetes/client-node 1.4 informers, whose ListWatch only lists and watches (it
 * never GETs one object), so `get` is not granted. Cluster-wide, because a namespaced inventory
 * kind is read in every namespace. None at all when no policy reads beyond the request: the Pod
 * then gets no service account token either.
 */
import { groupOf, type InventoryKind, inventoryKinds, type Policy } from "@charter/ir";
import { kindInfo } from "../admission/kinds.js";
import { readsScans, VULNERABILITY_REPORT_KIND } from "./webhook-images.js";
import { WEBHOOK_LABELS, WEBHOOK_NAME } from "./webhook-names.js";

interface ReadRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

export const READ_VERBS = ["list", "watch"] as const;

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every kind some policy reads, each once (by API group and kind: any version is one kind). */
export function readKinds(policies: readonly Policy[]): InventoryKind[] {
  const kinds = new Map<string, InventoryKind>();
  const scans = policies.some(readsScans) ? [VULNERABILITY_REPORT_KIND] : [];
  for (const kind of [...policies.flatMap(inventoryKinds), ...scans]) {
    const key = `${groupOf(kind.apiVersion)}/${kind.kind}`;
    if (!kinds.has(key)) kinds.set(key, kind);
  }
  return [...kinds.values()];
}

/** One rule per API group, its resources in code point order. */
export function readRules(kinds: readonly InventoryKind[]): ReadRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const kind of kinds) {
    const group = groupOf(kind.apiVersion);
    const resources = byGroup.get(group) ?? new Set<string>();
    resources.add(kindInfo({ group, kind: kind.kind }).resource);
    byGroup.set(group, resources);
  }
  return [...byGroup.keys()].sort(byCodePoint).map((group) => ({
    apiGroups: [group],
    resources: [...(byGroup.get(group) ?? [])].sort(byCodePoint),
    verbs: [...READ_VERBS],
  }));
}

/** The ClusterRole and its binding to the webhook's ServiceAccount, or none. */
export function rbacDocuments(policies: readonly Policy[], namespace: string): object[] {
  const rules = readRules(readKinds(policies));
  if (rules.length === 0) return [];
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: WEBHOOK_NAME, labels: WEBHOOK_LABELS },
      rules,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: WEBHOOK_NAME, labels: WEBHOOK_LABELS },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: WEBHOOK_NAME },
      subjects: [{ kind: "ServiceAccount", name: WEBHOOK_NAME, namespace }],
    },
  ];
}
