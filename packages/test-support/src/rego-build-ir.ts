/** Small IR builders for tests of the Rego target (plain IR objects, no DSL). */
import type { Expr, Json, Match, MessagePart, Policy, Rule, Segment } from "@charter/ir";

export const lit = (value: Json): Expr => ({ kind: "literal", value });
export const obj = (...path: Segment[]): Expr => ({ kind: "ref", root: { kind: "object" }, path });
export const data = (...path: Segment[]): Expr => obj("data", ...path);
export const v = (name: string, ...path: Segment[]): Expr => ({
  kind: "ref",
  root: { kind: "var", name },
  path,
});
export const params = (...path: Segment[]): Expr => ({
  kind: "ref",
  root: { kind: "params" },
  path,
});
export const pod = (...path: Segment[]): Expr => ({ kind: "ref", root: { kind: "pod" }, path });
export const containers: Expr = { kind: "ref", root: { kind: "containers" }, path: [] };
export const cmp = (left: Expr, op: "==" | "!=" | "<" | "<=" | ">" | ">=", right: Expr): Expr => ({
  kind: "compare",
  op,
  left,
  right,
});
export const str = (
  left: Expr,
  op: "startsWith" | "endsWith" | "contains" | "matches" | "glob",
  right: Expr,
): Expr => ({ kind: "string", op, left, right });
export const isIn = (item: Expr, collection: Expr): Expr => ({ kind: "in", item, collection });
export const and = (...args: Expr[]): Expr => ({ kind: "and", args });
export const or = (...args: Expr[]): Expr => ({ kind: "or", args });
export const not = (arg: Expr): Expr => ({ kind: "not", arg });
export const exists = (arg: Expr): Expr => ({ kind: "exists", arg });
export const len = (arg: Expr): Expr => ({ kind: "len", arg });
export const orElse = (value: Expr, fallback: Expr): Expr => ({ kind: "default", value, fallback });
export const list = (...items: Expr[]): Expr => ({ kind: "list", items });
export const q = (
  quantifier: "any" | "all" | "none",
  variable: string,
  collection: Expr,
  body: Expr,
): Expr => ({ kind: "quantifier", quantifier, variable, collection, body });

export const text = (t: string): MessagePart => ({ kind: "text", text: t });
export const hole = (expr: Expr): MessagePart => ({ kind: "hole", expr, source: "" });

export function rule(name: string, condition: Expr, parts: MessagePart[] = [text(name)]): Rule {
  return { name, condition, message: { template: "", parts } };
}

export function policy(
  name: string,
  match: Match,
  rules: Rule[],
  values: Record<string, Json> = {},
): Policy {
  return {
    name,
    title: name,
    description: "",
    severity: "high",
    category: "test",
    controls: [],
    enforcement: "deny",
    match,
    parameters: { schema: { type: "object" }, values },
    rules,
    cases: [],
  };
}

export const podMatch = (namespaces?: { include?: string[]; exclude?: string[] }): Match => ({
  subject: "pod",
  controllers: true,
  ...(namespaces ? { namespaces } : {}),
});
export const kindsMatch = (group: string, kind: string): Match => ({
  subject: "kinds",
  kinds: [{ group, kind }],
});
