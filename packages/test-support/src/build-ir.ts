/**
 * Hand-built IR for this package's tests (the DSL is not a dependency of the runtime). Not
 * exported from the package.
 */
import type {
  Expr,
  Json,
  JsonObject,
  KindRef,
  Match,
  MessagePart,
  Policy,
  Rule,
  Segment,
} from "@charter/ir";

export const lit = (value: Json): Expr => ({ kind: "literal", value });
export const obj = (...path: Segment[]): Expr => ({ kind: "ref", root: { kind: "object" }, path });
export const pod = (...path: Segment[]): Expr => ({ kind: "ref", root: { kind: "pod" }, path });
export const containers = (...path: Segment[]): Expr => ({
  kind: "ref",
  root: { kind: "containers" },
  path,
});
export const params = (...path: Segment[]): Expr => ({
  kind: "ref",
  root: { kind: "params" },
  path,
});
export const v = (name: string, ...path: Segment[]): Expr => ({
  kind: "ref",
  root: { kind: "var", name },
  path,
});
export const list = (...items: Expr[]): Expr => ({ kind: "list", items });

type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
export const cmp = (left: Expr, op: CompareOp, right: Expr): Expr => ({
  kind: "compare",
  op,
  left,
  right,
});
export const eq = (left: Expr, right: Expr): Expr => cmp(left, "==", right);
export const isIn = (item: Expr, collection: Expr): Expr => ({ kind: "in", item, collection });

type StringOp = "startsWith" | "endsWith" | "contains" | "matches" | "glob";
export const str = (left: Expr, op: StringOp, right: Expr): Expr => ({
  kind: "string",
  op,
  left,
  right,
});
export const and = (...args: Expr[]): Expr => ({ kind: "and", args });
export const or = (...args: Expr[]): Expr => ({ kind: "or", args });
export const not = (arg: Expr): Expr => ({ kind: "not", arg });
export const exists = (arg: Expr): Expr => ({ kind: "exists", arg });
export const orElse = (value: Expr, fallback: Expr): Expr => ({ kind: "default", value, fallback });
export const len = (arg: Expr): Expr => ({ kind: "len", arg });
export const keys = (arg: Expr): Expr => ({ kind: "keys", arg });

function quantifier(q: "any" | "all" | "none") {
  return (variable: string, collection: Expr, body: Expr): Expr => ({
    kind: "quantifier",
    quantifier: q,
    variable,
    collection,
    body,
  });
}
export const any = quantifier("any");
export const all = quantifier("all");
export const none = quantifier("none");

/** A message from text and holes: `message("image ", v("c", "image"))`. */
export function message(...pieces: (string | Expr)[]): Rule["message"] {
  const parts: MessagePart[] = pieces.map((piece) =>
    typeof piece === "string"
      ? { kind: "text", text: piece }
      : { kind: "hole", expr: piece, source: "…" },
  );
  const template = pieces.map((p) => (typeof p === "string" ? p : "{{…}}")).join("");
  return { template, parts };
}

export function rule(name: string, condition: Expr, msg = message(name)): Rule {
  return { name, condition, message: msg };
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
