/** What compiled closures read while judging one resource against one policy. */
import type { Json, JsonObject } from "@charter/ir";
import { CONTAINER_LISTS } from "@charter/ir";
import type { InventoryIndex } from "../inventory/inventory-index.js";
import { isObject, MISSING, type Value } from "../value.js";

/** The roots of an evaluation: the object, its pod view (pod policies only), the parameters. */
export interface EvalInput {
  readonly object: Json;
  /** The pod view `{metadata, spec}` (see podView in match.ts); absent reads as missing. */
  readonly pod?: Json;
  readonly params: JsonObject;
  /** The resource's Namespace object (the `namespace` root); absent reads as missing. */
  readonly namespaceObject?: Json;
  /** The `request` root `{operation, userInfo, oldObject}` (request-value.ts); absent: offline. */
  readonly request?: JsonObject;
  /** The scanned set, for `inventory(…)`; absent, every inventory list is empty. */
  readonly inventory?: InventoryIndex;
}

/** One evaluation's mutable state: the quantifier variables by slot, and cached roots. */
export class Frame {
  /** Values bound by quantifiers, indexed by the slot the compiler gave each one. */
  readonly vars: Json[] = [];
  #containers: Value | undefined;

  constructor(readonly input: EvalInput) {}

  /** `spec.containers ++ spec.initContainers ++ spec.ephemeralContainers` of the pod view. */
  get containers(): Value {
    this.#containers ??= containersOf(this.input.pod);
    return this.#containers;
  }
}

function containersOf(pod: Json | undefined): Value {
  if (!isObject(pod)) return MISSING;
  const spec = pod.spec;
  const all: Json[] = [];
  if (!isObject(spec)) return all;
  for (const list of CONTAINER_LISTS) {
    const items = spec[list];
    if (Array.isArray(items)) all.push(...items);
  }
  return all;
}
