/**
 * The scanned sets of a batch as the real-OPA engines hand them to Rego: each distinct index
 * serialised once in Gatekeeper's `data.inventory` layout, and for each resource which one it
 * is judged with (`with data.inventory as …`).
 */
import type { JsonObject } from "@charter/ir";
import type { InventoryIndex } from "../inventory/inventory-index.js";

export interface BatchInventories {
  /** The distinct indexes' data; the last entry is the empty inventory. */
  readonly data: readonly JsonObject[];
  /** For each resource, its entry in `data`. */
  readonly entryOf: readonly number[];
}

const EMPTY: JsonObject = { cluster: {}, namespace: {} };

export function batchInventories(
  indexes: readonly (InventoryIndex | undefined)[],
): BatchInventories {
  const positions = new Map<InventoryIndex, number>();
  const data: JsonObject[] = [];
  const entryOf: number[] = [];
  const pending: number[] = [];
  indexes.forEach((index, resource) => {
    if (index === undefined) {
      pending.push(resource);
      entryOf.push(-1);
      return;
    }
    let position = positions.get(index);
    if (position === undefined) {
      position = data.push(index.toGatekeeperData()) - 1;
      positions.set(index, position);
    }
    entryOf.push(position);
  });
  const empty = data.push(EMPTY) - 1;
  for (const resource of pending) entryOf[resource] = empty;
  return { data, entryOf };
}
