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

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Orders two strings by Unicode code point, as Go (OPA) and CEL do. JavaScript's `<` compares
 * UTF-16 code units, which puts U+FFFF above U+1F600; this does not.
 * Returns a negative number, zero or a positive number.
 */
export function compareCodePoints(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  let i = 0;
  while (i < shorter && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === shorter) return a.length - b.length;
  // The first difference may be the low half of a pair whose high half both share: compare
  // the whole code points starting at that shared high half.
  if (
    i > 0 &&
    isHighSurrogate(a.charCodeAt(i - 1)) &&
    (isLowSurrogate(a.charCodeAt(i)) || isLowSurrogate(b.charCodeAt(i)))
  ) {
    i--;
  }
  return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
}

/** The number of code points of a string (a lone surrogate counts as one). */
export function codePointLength(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if (isHighSurrogate(s.charCodeAt(i))) {
      if (isLowSurrogate(s.charCodeAt(i + 1))) {
        count--;
        i++;
      }
    }
  }
  return count;
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
