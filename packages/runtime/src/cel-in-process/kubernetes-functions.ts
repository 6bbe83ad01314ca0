/**
 * The functions of the Kubernetes CEL environment (k8s.io/apiserver pkg/cel/environment at
 * compatibility 1.31), written with cel-go's semantics where @bufbuild/cel's differ or are
 * missing. Strings are indexed by code point (Go runes), never by UTF-16 unit; order is by code
 * point; regexes are RE2 (re2js); `string(double)` is Go's. Each one is tested against the
 * judge (kubernetes-functions.test.ts).
 */
import {
  type CelFunc,
  type CelList,
  CelScalar,
  type CelValue,
  celFunc,
  celList,
  celMethod,
  listType,
} from "@bufbuild/cel";
import { compareCodePoints } from "@charter/ir";
import { RE2JS } from "re2js";
import { formatGoFloat, trimGoSpace } from "./go-text.js";
import { celEquals } from "./values.js";

const { BOOL, DOUBLE, DYN, INT, STRING } = CelScalar;
const LIST = listType(DYN);

const outOfRange = (index: bigint | number) => new Error(`index out of range: ${index}`);

function runes(text: string): string[] {
  return Array.from(text);
}

function indexOfRunes(haystack: string[], needle: string[], from: number): number {
  for (let i = from; i <= haystack.length - needle.length; i++) {
    let found = true;
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        found = false;
        break;
      }
    }
    if (found) return i;
  }
  return -1;
}

function lastIndexOfRunes(haystack: string[], needle: string[], from: number): number {
  for (let i = Math.min(from, haystack.length - needle.length); i >= 0; i--) {
    let found = true;
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        found = false;
        break;
      }
    }
    if (found) return i;
  }
  return -1;
}

// cel-go v0.26 ext/strings.go (strings extension v2), rune for rune.
function indexOf(text: string, sub: string, offset = 0n): bigint {
  if (sub === "") return offset;
  const all = runes(text);
  if (offset < 0n) throw outOfRange(offset);
  if (offset >= BigInt(all.length)) return -1n;
  return BigInt(indexOfRunes(all, runes(sub), Number(offset)));
}

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

function lastIndexOf(text: string, sub: string, offset?: bigint): bigint {
  const all = runes(text);
  if (offset === undefined) {
    if (sub === "") return BigInt(all.length);
    if (utf8Length(text) < utf8Length(sub)) return -1n;
    offset = BigInt(all.length - 1);
  }
  if (sub === "") return offset;
  if (offset < 0n) throw outOfRange(offset);
  if (offset >= BigInt(all.length)) return -1n;
  return BigInt(lastIndexOfRunes(all, runes(sub), Number(offset)));
}

function mapAscii(text: string, from: number, to: number, shift: number): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += code >= from && code <= to ? String.fromCharCode(code + shift) : char;
  }
  return out;
}

/** Go's strings.Replace: an empty `old` matches before every rune and at the end. */
function replace(text: string, old: string, replacement: string, limit = -1n): string {
  if (limit === 0n || old === replacement) return text;
  let remaining = limit < 0n ? Number.POSITIVE_INFINITY : Number(limit);
  if (old === "") {
    const parts = runes(text);
    let out = "";
    for (let i = 0; i <= parts.length; i++) {
      if (remaining > 0) {
        out += replacement;
        remaining--;
      }
      out += parts[i] ?? "";
    }
    return out;
  }
  let out = "";
  let start = 0;
  for (;;) {
    const at = remaining > 0 ? text.indexOf(old, start) : -1;
    if (at < 0) return out + text.slice(start);
    out += text.slice(start, at) + replacement;
    start = at + old.length;
    remaining--;
  }
}

/** Go's strings.SplitN: n < 0 all pieces, n == 0 none, else at most n (the last the rest). */
function split(text: string, separator: string, limit = -1n): CelList {
  if (limit === 0n) return celList([]);
  const max = limit < 0n ? Number.POSITIVE_INFINITY : Number(limit);
  const pieces: string[] = [];
  if (separator === "") {
    const all = runes(text);
    for (let i = 0; i < all.length; i++) {
      if (pieces.length === max - 1) {
        pieces.push(all.slice(i).join(""));
        break;
      }
      pieces.push(all[i] as string);
    }
    return celList(pieces);
  }
  let start = 0;
  while (pieces.length < max - 1) {
    const at = text.indexOf(separator, start);
    if (at < 0) break;
    pieces.push(text.slice(start, at));
    start = at + separator.length;
  }
  pieces.push(text.slice(start));
  return celList(pieces);
}

function substring(text: string, start: bigint, end?: bigint): string {
  const all = runes(text);
  const length = BigInt(all.length);
  if (end !== undefined && start > end)
    throw new Error(`invalid substring range. start: ${start}, end: ${end}`);
  if (start < 0n || start > length) throw outOfRange(start);
  if (end === undefined) return all.slice(Number(start)).join("");
  if (end < 0n || end > length) throw outOfRange(end);
  return all.slice(Number(start), Number(end)).join("");
}

function charAt(text: string, index: bigint): string {
  const all = runes(text);
  if (index < 0n || index > BigInt(all.length)) throw outOfRange(index);
  return all[Number(index)] ?? "";
}

function join(list: CelList, separator = ""): string {
  const parts: string[] = [];
  for (const item of list) {
    if (typeof item !== "string") throw new Error("no such overload: join(list, string)");
    parts.push(item);
  }
  return parts.join(separator);
}

/** re2js's syntax errors already read like Go's: "error parsing regexp: missing closing ): `(`". */
function compiledRegex(pattern: string, prefix = ""): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    throw new Error(`${prefix}${error instanceof Error ? error.message : String(error)}`);
  }
}

/** k8s library/regex.go: the first match, or "" when there is none. */
function find(text: string, pattern: string): string {
  const matcher = compiledRegex(pattern, "Illegal regex: ").matcher(text);
  return matcher.find() ? (matcher.group() ?? "") : "";
}

function findAll(text: string, pattern: string, limit = -1n): CelList {
  if (limit === 0n) return celList([]);
  const matcher = compiledRegex(pattern, "Illegal regex: ").matcher(text);
  const found: string[] = [];
  while ((limit < 0n || BigInt(found.length) < limit) && matcher.find()) {
    found.push(matcher.group() ?? "");
  }
  return celList(found);
}

/** Ordering of two CEL values the way cel-go's Compare does for the types JSON yields. */
function compareValues(a: CelValue, b: CelValue): number {
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  const numeric = (v: CelValue) => typeof v === "number" || typeof v === "bigint";
  if (numeric(a) && numeric(b)) {
    const x = a as number | bigint;
    const y = b as number | bigint;
    if (typeof x === "bigint" && typeof y === "bigint") return x < y ? -1 : x > y ? 1 : 0;
    return Number(x) < Number(y) ? -1 : Number(x) > Number(y) ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  throw new Error(`no such overload: compare ${typeof a} with ${typeof b}`);
}

function elements(list: CelList): CelValue[] {
  return [...list];
}

// k8s.io/apiserver pkg/cel/library/lists.go
function isSorted(list: CelList): boolean {
  const items = elements(list);
  for (let i = 1; i < items.length; i++) {
    if (compareValues(items[i - 1] as CelValue, items[i] as CelValue) > 0) return false;
  }
  return true;
}

function sum(list: CelList): bigint | number {
  const items = elements(list);
  if (items.length === 0) return 0n;
  if (items.every((item) => typeof item === "bigint")) {
    const total = (items as bigint[]).reduce((a, b) => a + b, 0n);
    if (total < -(2n ** 63n) || total >= 2n ** 63n) throw new Error("integer overflow");
    return total;
  }
  if (items.every((item) => typeof item === "number")) {
    return (items as number[]).reduce((a, b) => a + b, 0);
  }
  throw new Error("no such overload");
}

function extreme(name: string, list: CelList, sign: number): CelValue {
  const items = elements(list);
  if (items.length === 0) throw new Error(`${name} called on empty list`);
  let best = items[0] as CelValue;
  for (const item of items.slice(1)) {
    if (compareValues(item, best) * sign > 0) best = item;
  }
  return best;
}

function listIndexOf(list: CelList, value: CelValue, last: boolean): bigint {
  const items = elements(list);
  if (last) {
    for (let i = items.length - 1; i >= 0; i--)
      if (celEquals(items[i] as CelValue, value)) return BigInt(i);
    return -1n;
  }
  return BigInt(items.findIndex((item) => celEquals(item, value)));
}

function compare(op: (order: number) => boolean) {
  return (a: string, b: string) => op(compareCodePoints(a, b));
}

/** Functions that replace @bufbuild/cel's own (same overload id) or add Kubernetes ones. */
export const KUBERNETES_FUNCTIONS: readonly CelFunc[] = [
  // Order by code point, not UTF-16 unit.
  celFunc(
    "_<_",
    [STRING, STRING],
    BOOL,
    compare((o) => o < 0),
  ),
  celFunc(
    "_<=_",
    [STRING, STRING],
    BOOL,
    compare((o) => o <= 0),
  ),
  celFunc(
    "_>_",
    [STRING, STRING],
    BOOL,
    compare((o) => o > 0),
  ),
  celFunc(
    "_>=_",
    [STRING, STRING],
    BOOL,
    compare((o) => o >= 0),
  ),
  celFunc("string", [DOUBLE], STRING, formatGoFloat),
  celMethod("matches", STRING, [STRING], BOOL, function (pattern) {
    return compiledRegex(pattern).test(this);
  }),
  celFunc("matches", [STRING, STRING], BOOL, (text, pattern) => compiledRegex(pattern).test(text)),
  // strings extension v2
  celMethod("charAt", STRING, [INT], STRING, function (i) {
    return charAt(this, i);
  }),
  celMethod("indexOf", STRING, [STRING], INT, function (sub) {
    return indexOf(this, sub);
  }),
  celMethod("indexOf", STRING, [STRING, INT], INT, function (sub, offset) {
    return indexOf(this, sub, offset);
  }),
  celMethod("lastIndexOf", STRING, [STRING], INT, function (sub) {
    return lastIndexOf(this, sub);
  }),
  celMethod("lastIndexOf", STRING, [STRING, INT], INT, function (sub, offset) {
    return lastIndexOf(this, sub, offset);
  }),
  celMethod("lowerAscii", STRING, [], STRING, function () {
    return mapAscii(this, 0x41, 0x5a, 32);
  }),
  celMethod("upperAscii", STRING, [], STRING, function () {
    return mapAscii(this, 0x61, 0x7a, -32);
  }),
  celMethod("replace", STRING, [STRING, STRING], STRING, function (old, replacement) {
    return replace(this, old, replacement);
  }),
  celMethod("replace", STRING, [STRING, STRING, INT], STRING, function (old, replacement, n) {
    return replace(this, old, replacement, n);
  }),
  celMethod("split", STRING, [STRING], LIST, function (separator) {
    return split(this, separator);
  }),
  celMethod("split", STRING, [STRING, INT], LIST, function (separator, n) {
    return split(this, separator, n);
  }),
  celMethod("substring", STRING, [INT], STRING, function (start) {
    return substring(this, start);
  }),
  celMethod("substring", STRING, [INT, INT], STRING, function (start, end) {
    return substring(this, start, end);
  }),
  celMethod("trim", STRING, [], STRING, function () {
    return trimGoSpace(this);
  }),
  celMethod("join", LIST, [], STRING, function () {
    return join(this);
  }),
  celMethod("join", LIST, [STRING], STRING, function (separator) {
    return join(this, separator);
  }),
  // Kubernetes regex library
  celMethod("find", STRING, [STRING], STRING, function (pattern) {
    return find(this, pattern);
  }),
  celMethod("findAll", STRING, [STRING], LIST, function (pattern) {
    return findAll(this, pattern);
  }),
  celMethod("findAll", STRING, [STRING, INT], LIST, function (pattern, n) {
    return findAll(this, pattern, n);
  }),
  // Kubernetes lists library
  celMethod("isSorted", LIST, [], BOOL, function () {
    return isSorted(this);
  }),
  celMethod("sum", LIST, [], DYN, function () {
    return sum(this);
  }),
  celMethod("min", LIST, [], DYN, function () {
    return extreme("min", this, -1);
  }),
  celMethod("max", LIST, [], DYN, function () {
    return extreme("max", this, 1);
  }),
  celMethod("indexOf", LIST, [DYN], INT, function (value) {
    return listIndexOf(this, value, false);
  }),
  celMethod("lastIndexOf", LIST, [DYN], INT, function (value) {
    return listIndexOf(this, value, true);
  }),
];
