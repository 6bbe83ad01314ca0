/** Small IR builders for tests of the Rego target (plain IR objects, no DSL). */
import {
  compare,
  type Expr,
  type Json,
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

export { exists, len, literal as lit, orElse } from "@charter/ir";
export const obj = (...path: Segment[]): Expr => ref({ kind: "object" }, path);
export const data = (...path: Segment[]): Expr => obj("data", ...path);
export const v = (name: string, ...path: Segment[]): Expr => ref({ kind: "var", name }, path);
export const params = (...path: Segment[]): Expr => ref({ kind: "params" }, path);
export const pod = (...path: Segment[]): Expr => ref({ kind: "pod" }, path);
export const containers: Expr = ref({ kind: "containers" });
export const cmp = (left: Expr, op: "==" | "!=" | "<" | "<=" | ">" | ">=", right: Expr): Expr =>
  compare(op, left, right);
export const str = (
  left: Expr,
  op: "startsWith" | "endsWith" | "contains" | "matches" | "glob",
  right: Expr,
): Expr => stringTest(op, left, right);
export const isIn = (item: Expr, collection: Expr): Expr => membership(item, collection);
// `and`, `or`, `not` and `list` build the node as written, not through the IR's normalising
// factories (which flatten, fold `not any` into `none` and turn a list of literals into one):
// the tests need those exact shapes.
export const and = (...args: Expr[]): Expr => ({ kind: "and", args });
export const or = (...args: Expr[]): Expr => ({ kind: "or", args });
export const not = (arg: Expr): Expr => ({ kind: "not", arg });
export const list = (...items: Expr[]): Expr => ({ kind: "list", items });
export const q = (
  kind: "any" | "all" | "none",
  variable: string,
  collection: Expr,
  body: Expr,
): Expr => quantifier(kind, variable, collection, body);

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
