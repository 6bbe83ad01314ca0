/**
 * Where each IR node was written, for error messages. The parser records every node it
 * builds (absolute file, line and column of the node's first token); builder nodes record the
 * call site. IR nodes stay plain data: positions live beside them, keyed by node identity.
 */
import type { ErrorLocation, Expr } from "@charter/ir";

export class Positions {
  readonly #table = new WeakMap<Expr, ErrorLocation>();

  set(node: Expr, location: ErrorLocation): void {
    this.#table.set(node, location);
  }

  get(node: Expr): ErrorLocation | undefined {
    return this.#table.get(node);
  }
}
