/**
 * The one place IR expression nodes are made, shared by the template parser and the builder
 * so that both forms of a condition give deep-equal IR: `and`/`or` flatten nested nodes of
 * their own kind, and a list whose items are all literals becomes one literal.
 */
import type {
  Compare,
  Expr,
  Inventory,
  Literal,
  Quantifier,
  Root,
  Segment,
  StringTest,
} from "./expr.js";
import type { Json } from "./json.js";

export const literal = (value: Json): Literal => ({ kind: "literal", value });

export const ref = (root: Root, path: readonly Segment[] = []): Expr => ({
  kind: "ref",
  root,
  path,
});

/**
 * `[a, b]`: one literal when every item is a non-null literal, else a `list` node. A null
 * item stays in a `list` node because a list expression drops missing items and a literal
 * does not (`[null]` is the empty list, `lit([null])` is a list holding null).
 */
export function list(items: readonly Expr[]): Expr {
  const values: Json[] = [];
  for (const item of items) {
    if (item.kind !== "literal" || item.value === null) return { kind: "list", items };
    values.push(item.value);
  }
  return literal(values);
}

export const compare = (op: Compare["op"], left: Expr, right: Expr): Expr => ({
  kind: "compare",
  op,
  left,
  right,
});

export const membership = (item: Expr, collection: Expr): Expr => ({
  kind: "in",
  item,
  collection,
});

export const stringTest = (op: StringTest["op"], left: Expr, right: Expr): Expr => ({
  kind: "string",
  op,
  left,
  right,
});

function flatten(kind: "and" | "or", args: readonly Expr[]): Expr[] {
  return args.flatMap((arg) => (arg.kind === kind ? arg.args : [arg]));
}

/** `a and b and c` is one node with three arguments, however it was grouped. */
export function and(args: readonly Expr[]): Expr {
  const flat = flatten("and", args);
  return flat.length === 1 ? (flat[0] as Expr) : { kind: "and", args: flat };
}

export function or(args: readonly Expr[]): Expr {
  const flat = flatten("or", args);
  return flat.length === 1 ? (flat[0] as Expr) : { kind: "or", args: flat };
}

/**
 * `not any x in C: p` is `none x in C: p` (and `not none` is `any`): the same truth, and one
 * spelling for emitters and for the builder's `none(…)` to agree on.
 */
export function not(arg: Expr): Expr {
  if (arg.kind === "quantifier" && arg.quantifier !== "all") {
    return { ...arg, quantifier: arg.quantifier === "any" ? "none" : "any" };
  }
  return { kind: "not", arg };
}

export const quantifier = (
  kind: Quantifier["quantifier"],
  variable: string,
  collection: Expr,
  body: Expr,
): Expr => ({ kind: "quantifier", quantifier: kind, variable, collection, body });

export const exists = (arg: Expr): Expr => ({ kind: "exists", arg });

export const orElse = (value: Expr, fallback: Expr): Expr => ({
  kind: "default",
  value,
  fallback,
});

export const len = (arg: Expr): Expr => ({ kind: "len", arg });

export const keys = (arg: Expr): Expr => ({ kind: "keys", arg });

export const index = (value: Expr, key: Expr): Expr => ({ kind: "index", value, key });

/** `inventory(apiVersion, kind[, namespace])`: no `namespace` key at all for a cluster-scoped kind. */
export const inventory = (apiVersion: string, resource: string, namespace?: Expr): Inventory => ({
  kind: "inventory",
  apiVersion,
  resource,
  ...(namespace ? { namespace } : {}),
});
