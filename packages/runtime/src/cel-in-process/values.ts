/**
 * JSON values as the Kubernetes API server hands them to CEL, built for @bufbuild/cel.
 *
 * - Numbers: the server decodes a request body with k8s.io/apimachinery's json, which makes a
 *   number whose JSON text has no fraction or exponent and fits int64 a CEL `int`, and every
 *   other number a `double`. A JS number has lost its text, so we use the text JSON.stringify
 *   gives it: that is exactly what the judge (and a client sending the object) receives.
 * - Strings: a lone surrogate cannot cross UTF-8 (Go reads it as U+FFFD); we do the same.
 * - Objects: a CelMap whose `has` counts a key holding `null` as present (cel-go's `has()` and
 *   `in` do; @bufbuild/cel's own map treats a null value as absent).
 */
import {
  type CelInput,
  type CelValue,
  celList,
  isCelError,
  isCelList,
  isCelMap,
} from "@bufbuild/cel";
import type { Json } from "@charter/ir";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^-?\d+$/;

/** A JSON number as the API server types it: bigint (CEL int) or number (CEL double). */
export function celNumber(value: number): bigint | number {
  if (!Number.isFinite(value)) return value;
  const text = JSON.stringify(value);
  if (!INTEGER_TEXT.test(text)) return value;
  const integer = BigInt(text);
  return integer >= INT64_MIN && integer <= INT64_MAX ? integer : value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lone surrogates become U+FFFD, as a round trip through UTF-8 does in Go. */
export function wellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, "\uFFFD");
}

// @bufbuild/cel recognises its maps by this registered symbol (map.js: isCelMap).
const CEL_MAP = Symbol.for("@bufbuild/cel/map");

type MapKey = bigint | string | boolean;

/** A CelMap of string keys; `lookup` may compute values lazily (see variables.ts). */
export abstract class StringKeyedCelMap {
  readonly [CEL_MAP] = {};

  /** The value of `key`, or undefined when the map has no such key. */
  protected abstract lookup(key: string): CelValue | undefined;
  abstract keys(): IterableIterator<string>;
  abstract get size(): number;

  get(key: unknown): CelValue | undefined {
    return typeof key === "string" ? this.lookup(key) : undefined;
  }

  has(key: unknown): boolean {
    const value = this.get(key);
    return value !== undefined && !isCelError(value);
  }

  *entries(): IterableIterator<[MapKey, CelValue]> {
    for (const key of this.keys()) yield [key, this.lookup(key) as CelValue];
  }

  *values(): IterableIterator<CelValue> {
    for (const key of this.keys()) yield this.lookup(key) as CelValue;
  }

  forEach(callback: (value: CelValue, key: MapKey, map: this) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  [Symbol.iterator](): IterableIterator<[MapKey, CelValue]> {
    return this.entries();
  }
}

/** A JSON object as a CEL map; its values are converted once, on first read. */
class JsonObjectMap extends StringKeyedCelMap {
  private readonly converted = new Map<string, CelValue>();

  constructor(private readonly object: { readonly [key: string]: Json }) {
    super();
  }

  protected lookup(key: string): CelValue | undefined {
    if (!Object.hasOwn(this.object, key)) return undefined;
    let value = this.converted.get(key);
    if (value === undefined) {
      value = toCelValue(this.object[key] as Json);
      this.converted.set(key, value);
    }
    return value;
  }

  keys(): IterableIterator<string> {
    return Object.keys(this.object).values();
  }

  get size(): number {
    return Object.keys(this.object).length;
  }
}

/** A JSON value as the Kubernetes CEL environment sees it. */
export function toCelValue(value: Json): CelValue {
  if (value === null) return null;
  switch (typeof value) {
    case "boolean":
      return value;
    case "number":
      return celNumber(value);
    case "string":
      return wellFormed(value);
  }
  if (Array.isArray(value)) return celList(value.map((item: Json) => toCelValue(item) as CelInput));
  // JSON object keys are strings; a lone surrogate in a key is repaired like a value.
  const object = value as { readonly [key: string]: Json };
  const keys = Object.keys(object);
  if (keys.every((key) => wellFormed(key) === key)) return new JsonObjectMap(object) as never;
  return new JsonObjectMap(
    Object.fromEntries(keys.map((key) => [wellFormed(key), object[key] as Json])),
  ) as never;
}

/** CEL equality on the values JSON yields: numbers across int and double, deep on lists and maps. */
export function celEquals(a: CelValue, b: CelValue): boolean {
  if (a === b) return true;
  const numeric = (v: CelValue) => typeof v === "number" || typeof v === "bigint";
  if (numeric(a) && numeric(b)) return numbersEqual(a as number | bigint, b as number | bigint);
  if (isCelList(a)) {
    if (!isCelList(b) || a.size !== b.size) return false;
    for (let i = 0; i < a.size; i++) {
      if (!celEquals(a.get(i) as CelValue, b.get(i) as CelValue)) return false;
    }
    return true;
  }
  if (isCelMap(a)) {
    if (!isCelMap(b) || a.size !== b.size) return false;
    for (const [key, value] of a) {
      const other = b.get(key);
      if (other === undefined || !celEquals(value, other)) return false;
    }
    return true;
  }
  return false;
}

/** An int equals a double of the same value (1 == 1.0); never through JS's loose `==`. */
function numbersEqual(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === typeof b) return a === b;
  const [int, double] = (typeof a === "bigint" ? [a, b] : [b, a]) as [bigint, number];
  return Number.isInteger(double) && BigInt(double) === int;
}
