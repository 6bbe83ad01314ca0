/**
 * What the webhook caches: the kinds the loaded policies read beyond the resource under review
 * (packages/ir README, item 14) — the Namespace when a rule reads the `namespace` root, each
 * `inventory(…)` kind, and the Trivy Operator's VulnerabilityReports when an image rule has a
 * `vulnerabilities` requirement (item 18: the scans it judges) — one watch per group and kind,
 * at the first apiVersion the policies name it at (the version admission targets sync, as Gatekeeper's SyncSet lists it). No separate
 * sync configuration: the policies say what to cache.
 */
import {
  VULNERABILITY_REPORT_KIND as COMPILER_VULNERABILITY_REPORT_KIND,
  webhookReadsScans,
} from "@charter/compiler";
import { groupOf, type InventoryKind, inventoryKinds, type Policy } from "@charter/ir";
import { inventoryKindsOf } from "@charter/runtime";

/**
 * The Trivy Operator's reports (the kind the emitted RBAC grants: @charter/compiler writes it
 * once), watched in every namespace (one watch serves every Pod); a Pod is judged on the reports
 * of its own namespace only (scan-reports.ts says why).
 */
export const VULNERABILITY_REPORT_KIND: InventoryKind = COMPILER_VULNERABILITY_REPORT_KIND;

/** Whether the policy's image rules judge scans (a `vulnerabilities` requirement). */
export const readsScans: (policy: Policy) => boolean = webhookReadsScans;

/** What one policy needs cached: its inventory kinds, then VulnerabilityReports if it reads scans. */
export function policyCachedKinds(policy: Policy): InventoryKind[] {
  const kinds = inventoryKinds(policy);
  return readsScans(policy) ? [...kinds, VULNERABILITY_REPORT_KIND] : kinds;
}

/** The kinds the shared index keeps for these policies (each at the versions they read it). */
export function indexedKindsOf(policies: readonly Policy[]): InventoryKind[] {
  const kinds = inventoryKindsOf(policies);
  return policies.some(readsScans) ? [...kinds, VULNERABILITY_REPORT_KIND] : kinds;
}

/** `group/Kind`: one watch serves every version of a kind (the server converts between them). */
export function cachedKindKey(kind: Pick<InventoryKind, "apiVersion" | "kind">): string {
  return `${groupOf(kind.apiVersion)}/${kind.kind}`;
}

/** How a kind is shown in messages and metrics: `v1/Namespace`, `networking.k8s.io/v1/NetworkPolicy`. */
export function kindLabel(kind: Pick<InventoryKind, "apiVersion" | "kind">): string {
  return `${kind.apiVersion}/${kind.kind}`;
}

/** Every kind to watch for these policies, one per group and kind, in order of first use. */
export function cachedKindsOf(policies: readonly Policy[]): InventoryKind[] {
  const kinds = new Map<string, InventoryKind>();
  for (const kind of indexedKindsOf(policies)) {
    const key = cachedKindKey(kind);
    if (!kinds.has(key)) kinds.set(key, kind);
  }
  return [...kinds.values()];
}
