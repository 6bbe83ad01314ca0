/**
 * Where each IR node was written, for error messages. The parser records every node it
 * builds (absolute file, line and column of the node's first token), and for a path each
 * segment's; builder nodes record the call site. IR nodes stay plain data: positions live
 * beside them, keyed by node identity.
 */
import type { ErrorLocation, Expr } from "@charter/ir";

export class Positions {
  readonly #table = new WeakMap<Expr, ErrorLocation>();
  readonly #segments = new WeakMap<Expr, readonly (ErrorLocation | undefined)[]>();

  set(node: Expr, location: ErrorLocation): void {
    this.#table.set(node, location);
  }

  get(node: Expr): ErrorLocation | undefined {
    return this.#table.get(node);
  }

  /** Where each segment of a reference's path was written (by index; gaps allowed). */
  setSegments(node: Expr, locations: readonly (ErrorLocation | undefined)[]): void {
    this.#segments.set(node, locations);
  }

  /** Where segment `index` of a reference's path was written, if the parser knew. */
  segment(node: Expr, index: number): ErrorLocation | undefined {
    return this.#segments.get(node)?.[index];
  }
}
