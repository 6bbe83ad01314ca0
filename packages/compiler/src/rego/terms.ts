/** JSON values and references written as Rego terms. */
import type { Json, Segment } from "@charter/ir";
import { regoString } from "./escape.js";

/** Words Rego v1 reserves; they cannot follow a dot in a reference. */
const KEYWORDS = new Set([
  "as",
  "contains",
  "default",
  "else",
  "every",
  "false",
  "if",
  "import",
  "in",
  "not",
  "null",
  "package",
  "some",
  "true",
  "with",
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `name` may stand as a bare Rego identifier (a variable, a rule, a ref step). */
export function isRegoIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !KEYWORDS.has(name);
}

/** A JSON value as a Rego term. Numbers keep JavaScript's spelling, which Rego accepts. */
export function regoTerm(value: Json): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return JSON.stringify(value);
  if (typeof value === "string") return regoString(value);
  if (Array.isArray(value)) return `[${value.map(regoTerm).join(", ")}]`;
  const entries = Object.entries(value as Record<string, Json>);
  if (entries.length === 0) return "{}";
  return `{${entries.map(([key, item]) => `${regoString(key)}: ${regoTerm(item)}`).join(", ")}}`;
}

/**
 * One step of a reference, as `opa fmt` writes it: `.key` for identifiers, `["key"]` for
 * other keys, `[0]` for list indices. A string step never indexes a list and a number step
 * never indexes an object in OPA, as the IR requires.
 */
export function regoRefStep(segment: Segment): string {
  if (typeof segment === "number") return `[${segment}]`;
  return isRegoIdentifier(segment) ? `.${segment}` : `[${regoString(segment)}]`;
}

export function regoRef(head: string, path: readonly Segment[]): string {
  return head + path.map(regoRefStep).join("");
}
