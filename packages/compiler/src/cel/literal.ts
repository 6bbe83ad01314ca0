/**
 * JSON values as CEL literals. The Kubernetes CEL environment checks that list and map
 * literals are homogeneous (`cel.HomogeneousAggregateLiterals`), so a literal whose elements
 * have different CEL types wraps each element in `dyn(...)`. Integral numbers are `int`
 * literals (as the API server decodes integral JSON numbers), others `double`.
 */
import type { Json, JsonObject } from "@charter/ir";
import { celString } from "./escape.js";

/** Integers from -2^63 to 2^63 exclusive fit a CEL int; larger ones are written as doubles. */
const INT_LIMIT = 2 ** 63;

function isCelInt(value: number): boolean {
  return Number.isInteger(value) && Math.abs(value) < INT_LIMIT;
}

/** The CEL number literal: `5`, `-3`, `0.5`, `1e+21` (CEL accepts JavaScript's exponent form). */
function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a JSON number: ${value}`);
  const text = String(value);
  if (isCelInt(value)) return text;
  // A double literal needs a dot or an exponent; integral doubles beyond int64 have an exponent
  // (JavaScript writes 2^63 as 9223372036854776000, so add one).
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** The static CEL type of a literal, to decide whether an aggregate is homogeneous. */
function staticType(value: Json): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return isCelInt(value) ? "int" : "double";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return `list(${elementType(value)})`;
  return `map(string, ${elementType(Object.values(value as JsonObject))})`;
}

function elementType(values: readonly Json[]): string {
  const types = new Set(values.map(staticType));
  return types.size === 1 ? ([...types][0] as string) : "dyn";
}

export function celLiteral(value: Json): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return numberLiteral(value);
  if (typeof value === "string") return celString(value);
  const items: readonly Json[] = Array.isArray(value) ? value : Object.values(value as JsonObject);
  const wrap = elementType(items) === "dyn" ? (t: string) => `dyn(${t})` : (t: string) => t;
  if (Array.isArray(value)) return `[${value.map((item) => wrap(celLiteral(item))).join(", ")}]`;
  const entries = Object.entries(value as JsonObject);
  return `{${entries.map(([key, item]) => `${celString(key)}: ${wrap(celLiteral(item))}`).join(", ")}}`;
}
