/**
 * The webhook's JudgingContext over a live cluster: the watch caches of the kinds the
 * policies read (inventory-caches.ts), and the written rule for a review that needs one not
 * synced yet (unsynced-decision.ts), with the mode `--unsynced deny|allow` chose.
 */
import type { Json, Policy } from "@charter/ir";
import type { InventoryIndex } from "@charter/runtime";
import type { JudgingContext } from "../judging-context.js";
import type { KindCacheState } from "./cache-state.js";
import { InventoryCaches, type InventoryCachesOptions } from "./inventory-caches.js";
import { decideUnsynced, type UnsyncedDecision, type UnsyncedMode } from "./unsynced-decision.js";

export interface ClusterJudgingContextOptions extends InventoryCachesOptions {
  /** What a `deny` policy needing an unsynced cache does to the review (default `deny`). */
  readonly unsynced?: UnsyncedMode;
}

export class ClusterJudgingContext implements JudgingContext {
  readonly caches: InventoryCaches;
  readonly #mode: UnsyncedMode;
  readonly #needsInventory: boolean;

  constructor(options: ClusterJudgingContextOptions) {
    this.caches = InventoryCaches.start(options);
    this.#mode = options.unsynced ?? "deny";
    this.#needsInventory = this.caches.kinds.length > 0;
  }

  /**
   * The cluster as synced: the same index for every review. The reviewed object itself is
   * not in it until the API server stores it (as in Gatekeeper's synced data); no library
   * policy reads the kind it judges, so this never changes a library verdict.
   */
  inventoryFor(_object: Json): InventoryIndex | undefined {
    return this.#needsInventory ? this.caches.index : undefined;
  }

  synced(): boolean {
    return this.caches.synced();
  }

  decide(policies: readonly Policy[]): UnsyncedDecision[] {
    return decideUnsynced(policies, (kind) => this.caches.isSynced(kind), this.#mode);
  }

  state(): readonly KindCacheState[] {
    return this.caches.state();
  }

  kinds(): readonly KindCacheState[] {
    return this.caches.state();
  }

  stop(): Promise<void> {
    return this.caches.stop();
  }

  close(): Promise<void> {
    return this.caches.stop();
  }
}
