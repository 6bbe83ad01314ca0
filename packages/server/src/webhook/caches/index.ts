/**
 * `@charter/server/webhook-caches`: the watch caches Charter's admission webhook judges with.
 * An entry of its own: it loads @kubernetes/client-node, which only cluster commands need.
 */
export { Backoff, type BackoffOptions } from "./backoff.js";
export { renderCacheMetrics } from "./cache-metrics.js";
export type { KindCacheState } from "./cache-state.js";
export {
  cachedKindKey,
  cachedKindsOf,
  indexedKindsOf,
  kindLabel,
  policyCachedKinds,
  readsScans,
  VULNERABILITY_REPORT_KIND,
} from "./cached-kinds.js";
export {
  ClusterJudgingContext,
  type ClusterJudgingContextOptions,
} from "./cluster-judging-context.js";
export { InventoryCaches, type InventoryCachesOptions } from "./inventory-caches.js";
export { KindCache } from "./kind-cache.js";
export {
  readsCachedManagedFields,
  refusePoliciesReadingManagedFields,
} from "./managed-fields.js";
export { resolveCachedKind, UnservedKind } from "./resolve-cached-kind.js";
export {
  decideUnsynced,
  UNSYNCED_MODES,
  type UnsyncedDecision,
  type UnsyncedMode,
  unsyncedMessage,
} from "./unsynced-decision.js";
