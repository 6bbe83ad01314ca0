/**
 * Hand-built IR for tests that must not depend on the DSL (the runtime's, and this package's
 * semantics tables): plain IR objects, in exactly the shape written.
 */
import {
  compare,
  type Expr,
  type Json,
  type JsonObject,
  type KindRef,
  type Match,
  type MessagePart,
  membership,
  type Policy,
  quantifier,
  type Rule,
  ref,
  type Segment,
  stringTest,
} from "@charter/ir";

export { exists, keys, len, literal as lit, orElse } from "@charter/ir";
export const obj = (...path: Segment[]): Expr => ref({ kind: "object" }, path);
// The field the semantics tables' resources keep their values under.
export const data = (...path: Segment[]): Expr => obj("data", ...path);
export const pod = (...path: Segment[]): Expr => ref({ kind: "pod" }, path);
export const containers = (...path: Segment[]): Expr => ref({ kind: "containers" }, path);
export const params = (...path: Segment[]): Expr => ref({ kind: "params" }, path);
export const v = (name: string, ...path: Segment[]): Expr => ref({ kind: "var", name }, path);

type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
export const cmp = (left: Expr, op: CompareOp, right: Expr): Expr => compare(op, left, right);
export const eq = (left: Expr, right: Expr): Expr => cmp(left, "==", right);
export const isIn = (item: Expr, collection: Expr): Expr => membership(item, collection);

type StringOp = "startsWith" | "endsWith" | "contains" | "matches" | "glob";
export const str = (left: Expr, op: StringOp, right: Expr): Expr => stringTest(op, left, right);

// `and`, `or`, `not` and `list` build the node as written, not through the IR's normalising
// factories (which flatten, fold `not any` into `none` and turn a list of literals into one):
// the tests need those exact shapes.
export const list = (...items: Expr[]): Expr => ({ kind: "list", items });
export const and = (...args: Expr[]): Expr => ({ kind: "and", args });
export const or = (...args: Expr[]): Expr => ({ kind: "or", args });
export const not = (arg: Expr): Expr => ({ kind: "not", arg });

type QuantifierKind = "any" | "all" | "none";
export const q = (kind: QuantifierKind, variable: string, collection: Expr, body: Expr): Expr =>
  quantifier(kind, variable, collection, body);
export const any = (variable: string, collection: Expr, body: Expr): Expr =>
  q("any", variable, collection, body);
export const all = (variable: string, collection: Expr, body: Expr): Expr =>
  q("all", variable, collection, body);
export const none = (variable: string, collection: Expr, body: Expr): Expr =>
  q("none", variable, collection, body);

export const text = (t: string): MessagePart => ({ kind: "text", text: t });
export const hole = (expr: Expr): MessagePart => ({ kind: "hole", expr, source: "…" });

/** A message from text and holes: `message("image ", v("c", "image"))`. */
export function message(...pieces: (string | Expr)[]): Rule["message"] {
  const parts = pieces.map((piece) => (typeof piece === "string" ? text(piece) : hole(piece)));
  const template = pieces.map((p) => (typeof p === "string" ? p : "{{…}}")).join("");
  return { template, parts };
}

/**
 * A rule. Its message: `message(…)`, or bare parts (`[text("a "), hole(x)]`) under an empty
 * template.
 */
export function rule(
  name: string,
  condition: Expr,
  msg: Rule["message"] | MessagePart[] = message(name),
): Rule {
  return { name, condition, message: Array.isArray(msg) ? { template: "", parts: msg } : msg };
}

export const podMatch = (controllers = true, namespaces?: Match["namespaces"]): Match => ({
  subject: "pod",
  controllers,
  ...(namespaces ? { namespaces } : {}),
});

export const kindsMatch = (kinds: KindRef[], namespaces?: Match["namespaces"]): Match => ({
  subject: "kinds",
  kinds,
  ...(namespaces ? { namespaces } : {}),
});

export function policy(
  name: string,
  rules: Rule[],
  options: { match?: Match; params?: JsonObject; enforcement?: Policy["enforcement"] } = {},
): Policy {
  return {
    name,
    title: name,
    description: "",
    severity: "high",
    category: "test",
    controls: [],
    enforcement: options.enforcement ?? "deny",
    match: options.match ?? podMatch(),
    parameters: { schema: { type: "object" }, values: options.params ?? {} },
    rules,
    cases: [],
  };
}

export function podObject(spec: Json, metadata: JsonObject = { name: "p" }): JsonObject {
  return { apiVersion: "v1", kind: "Pod", metadata, spec };
}
