/**
 * The seam between the webhook's handler and what it judges with beyond the reviewed object.
 * The handler's engineer owns packages/server/src/webhook/judging-context.ts; until the lead
 * reconciles the two, this is the shape the caches implement (cluster-judging-context.ts) and
 * the shape a test double of the handler can implement without a cluster.
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
  /** Stops the watches. */
  stop(): Promise<void>;
}
