/** One visitor shape for every consumer of expressions: a handler per node kind. */
import type { Expr, ExprKind } from "./expr.js";

export type ExprVisitor<R> = {
  readonly [K in ExprKind]: (node: Extract<Expr, { kind: K }>) => R;
};

export function visitExpr<R>(expr: Expr, visitor: ExprVisitor<R>): R {
  // The cast is sound: the handler is chosen by the node's own kind.
  const handler = visitor[expr.kind] as (node: Expr) => R;
  return handler(expr);
}

/** The direct sub-expressions of a node, in source order. */
export function childrenOf(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case "literal":
    case "ref":
      return [];
    case "list":
      return expr.items;
    case "compare":
    case "string":
      return [expr.left, expr.right];
    case "in":
      return [expr.item, expr.collection];
    case "and":
    case "or":
      return expr.args;
    case "not":
    case "exists":
    case "len":
    case "keys":
      return [expr.arg];
    case "quantifier":
      return [expr.collection, expr.body];
    case "default":
      return [expr.value, expr.fallback];
    case "index":
      return [expr.value, expr.key];
    case "inventory":
      return expr.namespace ? [expr.namespace] : [];
  }
}

/** Calls `fn` on every node of the tree, parents before children. */
export function walkExpr(expr: Expr, fn: (node: Expr) => void): void {
  fn(expr);
  for (const child of childrenOf(expr)) walkExpr(child, fn);
}
