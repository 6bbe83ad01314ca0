/**
 * The IR's operations on values known when compiling (literals, inline parameters), so the
 * emitted CEL carries their result instead of the computation. Each means what the IR says:
 * a missing value is null, `keys` are sorted by code point.
 */
import type { Json, Segment } from "@charter/ir";
import { codePointLength, compareCodePoints } from "@charter/ir";

export type JsonType = "null" | "boolean" | "number" | "string" | "list" | "map";

export function jsonType(value: Json): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "map";
  return typeof value as "boolean" | "number" | "string";
}

/** A path known at compile time (inline parameters): its value, or null when missing. */
export function resolve(value: Json, path: readonly Segment[]): Json {
  let current: Json = value;
  for (const segment of path) {
    if (typeof segment === "number") {
      if (!Array.isArray(current) || segment >= current.length) return null;
      current = current[segment] as Json;
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current)) return null;
      if (!Object.hasOwn(current, segment)) return null;
      current = (current as Record<string, Json>)[segment] as Json;
    }
  }
  return current;
}

export function literalLength(value: Json): Json {
  if (typeof value === "string") return codePointLength(value);
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === "object") return Object.keys(value).length;
  return null;
}

/** `keys` of a value known when compiling: sorted by code point, null for a non-object. */
export function literalKeys(value: Json): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  return Object.keys(value).sort(compareCodePoints);
}

/** `m[k]` of values known when compiling: null unless m is an object with an entry k. */
export function literalIndex(map: Json, key: Json): Json {
  if (!isJsonObject(map) || typeof key !== "string" || !Object.hasOwn(map, key)) return null;
  return map[key] ?? null;
}

export function isJsonObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Whether a literal can equal some object's `keys`: distinct strings ascending by code point. */
export function isSortedKeyList(value: Json): value is string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) return false;
  return value.every((item, i) => i === 0 || compareCodePoints(value[i - 1] as string, item) < 0);
}
