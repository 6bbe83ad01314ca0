/**
 * Values during evaluation: a JSON value, or MISSING (a path that does not resolve, or that
 * resolves to `null`). The helpers here are the IR's written semantics for equality, order
 * and length (packages/ir/src/expr.ts); every operator in compile.ts goes through them.
 */
import type { Json, JsonObject } from "@charter/ir";

/** The one missing value. A unique symbol, so no JSON value can ever be mistaken for it. */
export const MISSING: unique symbol = Symbol("charter.missing");
export type Missing = typeof MISSING;

/** What an expression evaluates to. `null` never appears at the top: it is MISSING. */
export type Value = Json | Missing;

/** `null` (and `undefined`, for an absent key) read as missing. */
export function present(value: Json | undefined): Value {
  return value === null || value === undefined ? MISSING : value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Deep JSON equality: same JSON type, numbers by value (1 == 1.0 in JSON, and JS has one
 * number type), lists element by element, objects with the same keys and equal values.
 * `null` inside a list or object equals `null` (it is data there, not a missing operand).
 */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!deepEqual(a[i] as Json, b[i] as Json)) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  const bObject = b as JsonObject;
  for (const key of aKeys) {
    if (!Object.hasOwn(bObject, key)) return false;
    if (!deepEqual((a as JsonObject)[key] as Json, bObject[key] as Json)) return false;
  }
  return true;
}

/** How a message hole shows a value: a string as itself, missing as "", else compact JSON. */
export function renderValue(value: Value): string {
  if (value === MISSING) return "";
  if (typeof value === "string") return value;
  // Lists and objects render as markers: CEL targets cannot serialise JSON, and every engine
  // must write the same message.
  if (Array.isArray(value)) return "[...]";
  if (typeof value === "object" && value !== null) return "{...}";
  return JSON.stringify(value);
}
