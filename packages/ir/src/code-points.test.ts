import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codePointLength, compareCodePoints } from "./code-points.js";

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

  it("agrees in sign with the code-point reference on any strings, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(reference(a, b)));
        expect(Math.sign(compareCodePoints(a + b, a))).toBe(Math.sign(reference(a + b, a)));
      }),
    );
  });

  it("differs from JavaScript's UTF-16 order where it must", () => {
    expect("\uFFFF" < "😀").toBe(false); // what JavaScript says
    expect(compareCodePoints("\uFFFF", "😀")).toBeLessThan(0);
  });
});

describe("codePointLength", () => {
  it("counts what the compiler's former spread counted", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(codePointLength(s)).toBe([...s].length);
      }),
    );
  });

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
