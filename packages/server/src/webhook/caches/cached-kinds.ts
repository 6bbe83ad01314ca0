/**
 * What the webhook caches: the kinds the loaded policies read beyond the resource under review
 * (packages/ir README, item 14) — the Namespace when a rule reads the `namespace` root, each
 * `inventory(…)` kind — one watch per group and kind, at the first apiVersion the policies name
 * it at (the version admission targets sync, as Gatekeeper's SyncSet lists it). No separate
 * sync configuration: the policies say what to cache.
 */
import { groupOf, type InventoryKind, type Policy } from "@charter/ir";
import { inventoryKindsOf } from "@charter/runtime";

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
  for (const kind of inventoryKindsOf(policies)) {
    const key = cachedKindKey(kind);
    if (!kinds.has(key)) kinds.set(key, kind);
  }
  return [...kinds.values()];
}
