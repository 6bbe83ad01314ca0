import { describe, expect, it } from "vitest";
import { codePointLength, compareCodePoints, deepEqual, MISSING, renderValue } from "./value.js";

/** The obvious, slow reference: compare arrays of code points. */
function reference(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}

const ALPHABET = [
  "a",
  "z",
  "\u00e9",
  "\uD7FF",
  "\uE000",
  "\uFFFF",
  "😀",
  "😁",
  "𐀀",
  "\uD800",
  "\uDC00",
];

describe("compareCodePoints", () => {
  it("agrees with a code-point reference on every pair of short strings", () => {
    const strings = [""];
    for (const a of ALPHABET) {
      strings.push(a);
      for (const b of ALPHABET) strings.push(a + b);
    }
    for (const a of strings) {
      for (const b of strings) {
        expect(
          Math.sign(compareCodePoints(a, b)),
          `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
        ).toBe(Math.sign(reference(a, b)));
      }
    }
  });

  it("differs from JavaScript's UTF-16 order where it must", () => {
    expect("\uFFFF" < "😀").toBe(false); // what JavaScript says
    expect(compareCodePoints("\uFFFF", "😀")).toBeLessThan(0);
  });
});

describe("codePointLength", () => {
  it.each([
    ["", 0],
    ["abc", 3],
    ["😀", 1],
    ["a😀b😁", 4],
    ["\uD800", 1],
    ["\uDC00\uD800", 2],
    ["\uD800\uD800\uDC00", 2],
  ])("%j has %i code points", (s, n) => {
    expect(codePointLength(s)).toBe(n);
  });
});

describe("deepEqual", () => {
  it("is structural", () => {
    expect(deepEqual({ a: [1, { b: null }] }, { a: [1.0, { b: null }] })).toBe(true);
    expect(deepEqual({ a: undefined as never }, { b: 1 })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual({ 0: 1 }, [1])).toBe(false);
    expect(deepEqual("1", 1)).toBe(false);
  });
});

describe("renderValue", () => {
  it.each([
    [MISSING, ""],
    ["text", "text"],
    ["", ""],
    [1, "1"],
    [1.5, "1.5"],
    [true, "true"],
    [[1, "a", null], "[...]"],
    [[], "[...]"],
    [{ a: { b: "😀" } }, "{...}"],
    [{}, "{...}"],
  ] as const)("%j → %j", (value, text) => {
    expect(renderValue(value)).toBe(text);
  });
});
