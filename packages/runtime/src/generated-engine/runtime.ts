/**
 * What generated code calls besides itself: every function here is handed to `new Function`
 * as a parameter of the same name (policy-function.ts), so the generated engine's semantics
 * come from generated code and this module alone. It deliberately repeats, rather than
 * imports, the closure engine's helpers (value.ts, regex.ts, ir-engine/): the differential
 * test compares two independent implementations of the IR's written semantics
 * (packages/ir/src/expr.ts), not one implementation with itself.
 *
 * A missing value is `undefined` here (JSON has no undefined), never a symbol.
 */
import { CONTAINER_LISTS, globToRe2, type Json, type JsonObject } from "@charter/ir";
import { RE2JS } from "re2js";

/** The `request` root offline: a CREATE with no user and no old object. */
const OFFLINE_REQUEST: Json = Object.freeze({ operation: "CREATE" });

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `==`: same JSON type; numbers by value; lists element-wise; objects by own keys. */
function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const aIsList = Array.isArray(a);
  if (aIsList !== Array.isArray(b)) return false;
  if (aIsList) {
    const bList = b as Json[];
    if (a.length !== bList.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i] as Json, bList[i] as Json)) return false;
    return true;
  }
  const aObject = a as JsonObject;
  const bObject = b as JsonObject;
  let count = 0;
  for (const key in aObject) {
    if (!Object.hasOwn(aObject, key)) continue;
    count++;
    if (!Object.hasOwn(bObject, key)) return false;
    if (!deepEqual(aObject[key] as Json, bObject[key] as Json)) return false;
  }
  return count === Object.keys(bObject).length;
}

/** `item in list`: some element is `==` to it. */
function listIncludes(list: readonly Json[], item: Json): boolean {
  for (let i = 0; i < list.length; i++) if (deepEqual(list[i] as Json, item)) return true;
  return false;
}

/** Order by Unicode code point (Go's and CEL's), not by UTF-16 unit as JS's `<` does. */
function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(j) as number;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

/** `len` of a string: code points, a lone surrogate counting as one. */
function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    count++;
    if ((text.codePointAt(i) as number) > 0xffff) i++;
  }
  return count;
}

/** `keys(x)`: own keys sorted by code point. */
function sortedKeys(object: JsonObject): string[] {
  return Object.keys(object).sort(compareCodePoints);
}

/**
 * The containers of each pod view, made once: every policy judging a resource shares its pod
 * view (podViewOnce), and generated code only reads the list.
 */
const containerLists = new WeakMap<JsonObject, Json[]>();

/** `pod.containers`: the pod view's containers, init containers and ephemeral containers. */
function containersOf(pod: Json | undefined): Json[] | undefined {
  if (!isJsonObject(pod)) return undefined;
  const known = containerLists.get(pod);
  if (known !== undefined) return known;
  const spec = pod.spec;
  const all: Json[] = [];
  if (isJsonObject(spec)) {
    for (const list of CONTAINER_LISTS) {
      const items = spec[list];
      if (Array.isArray(items)) for (const item of items) all.push(item);
    }
  }
  containerLists.set(pod, all);
  return all;
}

/** A literal pattern, compiled when the policy is (the generator has already checked it). */
function compileRe2(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

/** Patterns read from data, bounded so endless distinct patterns cannot grow memory. */
const PATTERN_CACHE_LIMIT = 10_000;
const patterns = new Map<string, RE2JS | null>();

function patternFromData(pattern: string): RE2JS | null {
  let compiled = patterns.get(pattern);
  if (compiled !== undefined) return compiled;
  try {
    compiled = RE2JS.compile(pattern);
  } catch {
    compiled = null; // RE2 rejects it: the test is false
  }
  if (patterns.size >= PATTERN_CACHE_LIMIT) patterns.clear();
  patterns.set(pattern, compiled);
  return compiled;
}

/** `text matches pattern` with a pattern from data: RE2 partial match. */
function re2Matches(pattern: string, text: string): boolean {
  return patternFromData(pattern)?.test(text) ?? false;
}

/** `text glob pattern` with a glob from data: the IR's one glob definition, anchored RE2. */
function globMatches(glob: string, text: string): boolean {
  return re2Matches(globToRe2(glob), text);
}

/** A message hole: a string as itself, missing as "", lists and objects as markers, else JSON. */
function renderValue(value: Json | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "[...]" : "{...}";
  return JSON.stringify(value);
}

/** Go's unicode.IsSpace over UTF-16 units (every such space is in the BMP). */
function isGoSpace(unit: number): boolean {
  return (
    (unit >= 0x09 && unit <= 0x0d) ||
    unit === 0x20 ||
    unit === 0x85 ||
    unit === 0xa0 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000
  );
}

/** strings.TrimSpace. */
function trimGoSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** The API server's limit on a denial message, in UTF-8 bytes. */
const MAX_MESSAGE_BYTES = 5 * 1024;

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3; // a lone surrogate is written as U+FFFD, three bytes
    } else bytes += 3;
  }
  return bytes;
}

/**
 * A rendered message as the API server would show it: one line, Go-trimmed, and the rule's
 * static message (`fallback`) when that leaves nothing or more than 5 KiB.
 */
function finishMessage(text: string, fallback: string): string {
  const message = trimGoSpace(text.includes("\n") ? text.replaceAll("\n", " ") : text);
  // A UTF-16 unit is at most 3 bytes of UTF-8: short messages need no count.
  const tooLong = message.length * 3 > MAX_MESSAGE_BYTES && utf8Length(message) > MAX_MESSAGE_BYTES;
  if (message === "" || tooLong) return trimGoSpace(fallback);
  return message;
}

/** JSON literals that are lists or objects, parsed once when the policy's function is made. */
function parseJson(text: string): Json {
  return JSON.parse(text) as Json;
}

/** Every name generated code may call, as `new Function` receives them. */
export const GENERATED_RUNTIME = {
  OFFLINE_REQUEST,
  isArray: Array.isArray,
  hasOwn: Object.hasOwn,
  ownKeys: Object.keys,
  deepEqual,
  listIncludes,
  compareCodePoints,
  codePointLength,
  sortedKeys,
  containersOf,
  compileRe2,
  re2Matches,
  globMatches,
  renderValue,
  finishMessage,
  parseJson,
} as const;

export type RuntimeName = keyof typeof GENERATED_RUNTIME;
