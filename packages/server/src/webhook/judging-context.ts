/**
 * The seam between the webhook's handler and what it knows of the cluster beyond the object
 * under review: the Namespaces and the inventory kinds its policies read (packages/ir README,
 * item 14). The handler asks only this interface; the watch caches (webhook/caches/) implement
 * it for a live cluster, and `staticJudgingContext` for tests and for policy sets that read
 * nothing beyond the object.
 *
 * Fail closed: a policy that reads a kind whose cache is not synced is not judged (the cache
 * could be missing the Namespace or the NetworkPolicy that decides it): `decide` says what the
 * review gets instead, and /readyz answers 503 until every cache is synced.
 */
import { groupOf, type InventoryKind, type Json, type JsonObject, type Policy } from "@charter/ir";
import { InventoryIndex } from "@charter/runtime";
import type { KindCacheState } from "./caches/cache-state.js";
import { decideUnsynced, type UnsyncedDecision } from "./caches/unsynced-decision.js";

/** How one cached kind stands, for /readyz, the metrics and the logs. */
export type CachedKindState = KindCacheState;

export interface JudgingContext {
  /**
   * The index the resource is judged with (its Namespace, the inventory kinds). The handler
   * calls it once per review that a cross-resource policy judges, after `synced()` said true;
   * undefined then denies the review (fail closed). The index must not change while the review
   * is judged (judging is synchronous, so an index the caches update between events is fine).
   */
  inventoryFor(object: Json): InventoryIndex | undefined;
  /** Whether every cached kind is synced (vacuously true when nothing is cached). */
  synced(): boolean;
  /**
   * For the policies that judge a review, in order: judge each, or — when a cache it reads is
   * not synced yet — what to do instead (caches/unsynced-decision.ts, the written rule).
   */
  decide(policies: readonly Policy[]): UnsyncedDecision[];
  /** Each cached kind's state, in a stable order. */
  kinds(): readonly CachedKindState[];
  /** Stops watching (the caches); a static context has nothing to stop. */
  close(): Promise<void>;
}

/** `group/version/Kind` as the metrics and /readyz name a kind. */
export function kindName(kind: InventoryKind): string {
  return `${kind.apiVersion}/${kind.kind}`;
}

/**
 * A context over fixed objects: what a test gives (its Namespaces and inventory), or nothing
 * at all for a policy set that reads only the object. `synced: false` lets a test see the
 * webhook fail closed.
 */
export function staticJudgingContext(
  kinds: readonly InventoryKind[],
  objects: readonly Json[] = [],
  options: { readonly synced?: boolean } = {},
): JudgingContext {
  const synced = options.synced ?? true;
  const index = kinds.length > 0 ? InventoryIndex.of(kinds, objects) : undefined;
  const states = kinds.map((kind) => ({
    kind: kindName(kind),
    synced,
    connected: synced,
    objects: objects.filter((object) => isOfKind(object, kind)).length,
    restarts: 0,
  }));
  return {
    inventoryFor: () => index,
    synced: () => synced,
    decide: (policies) => decideUnsynced(policies, () => synced),
    kinds: () => states,
    close: async () => {},
  };
}

function isOfKind(value: Json, kind: InventoryKind): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const object = value as JsonObject;
  // Any version of the kind's group, as the index keeps it.
  return (
    typeof object.apiVersion === "string" &&
    groupOf(object.apiVersion) === groupOf(kind.apiVersion) &&
    object.kind === kind.kind
  );
}
