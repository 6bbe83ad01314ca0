import type { Json } from "@charter/ir";
import type { CelExpr } from "./cel-expr.js";

/** A compiled value: a CEL expression, and the JSON value when it is a literal (null: missing). */
export interface CelValue {
  readonly expr: CelExpr;
  readonly literal?: { readonly value: Json };
  /**
   * Set on `keys(m)`: the value of `m`. The expression then lists m's keys in the order CEL iterates
   * the map — random on the API server, where the IR's list is sorted by code point. Kubernetes
   * CEL at 1.31 has no sort, so wherever the order shows (`==`, `!=`, membership of the list
   * itself, a message's first witness) the emitter compares it as the set it is.
   */
  readonly keysOf?: CelValue;
}
