/**
 * The seam between the webhook's handler and what it judges with beyond the reviewed object.
 * The handler's engineer owns packages/server/src/webhook/judging-context.ts (on their branch:
 * `inventoryFor`, `synced`, `kinds`, `close`); until the lead reconciles the two, this is that
 * shape plus what the caches add — `decide`, the per-policy rule for unsynced caches, and
 * `state`, the full per-kind state — so ClusterJudgingContext fits either.
 */
import type { Json, Policy } from "@charter/ir";
import type { InventoryIndex } from "@charter/runtime";
import type { KindCacheState } from "./cache-state.js";
import type { UnsyncedDecision } from "./unsynced-decision.js";

export interface JudgingContext {
  /**
   * What the IR engine judges the reviewed object with (`Resource.inventory`): the cached
   * Namespaces and inventory kinds. Undefined when no policy reads beyond the resource.
   */
  inventoryFor(object: Json): InventoryIndex | undefined;
  /** True when every cache the policies need has had its first list. */
  synced(): boolean;
  /** For the policies that apply to a review, in order: judge each, or what to do instead. */
  decide(policies: readonly Policy[]): UnsyncedDecision[];
  /** Per cached kind: synced, connected, objects, last event age, restarts (for /metrics). */
  state(): readonly KindCacheState[];
  /** `state()` under the name the handler's seam uses (its CachedKindState is a subset). */
  kinds(): readonly KindCacheState[];
  /** Stops the watches. */
  stop(): Promise<void>;
  /** `stop()` under the name the handler's seam uses. */
  close(): Promise<void>;
}
