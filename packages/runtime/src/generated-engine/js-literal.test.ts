import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsNumber, jsString } from "./js-literal.js";

/** Evaluates a JS expression as generated code would hold it. */
function evaluated(source: string): unknown {
  return new Function(`"use strict"; return ${source};`)();
}

describe("jsString", () => {
  it("round-trips every string, lone surrogates included, through generated source", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(evaluated(jsString(text))).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });

  it("round-trips strings built from the characters that end or escape a literal", () => {
    const dangerous = fc.constantFrom(
      '"',
      "'",
      "`",
      "\\",
      "\n",
      "\r",
      "\u2028",
      "\u2029",
      "\u0000",
      "${",
      "*/",
      "</script>",
      "\ud800",
      "\udfff",
      "😀",
    );
    fc.assert(
      fc.property(fc.array(dangerous, { maxLength: 12 }), (pieces) => {
        const text = pieces.join("");
        expect(evaluated(jsString(text))).toBe(text);
        // Inside a larger expression too: the literal ends exactly where it should.
        expect(evaluated(`[${jsString(text)}, 1]`)).toEqual([text, 1]);
      }),
      { numRuns: 2000 },
    );
  });

  it("writes U+2028 and U+2029 as escapes, never raw", () => {
    expect(jsString("a\u2028b\u2029c")).toBe('"a\\u2028b\\u2029c"');
  });
});

describe("jsNumber", () => {
  it("round-trips every finite number, -0 with its sign", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(Object.is(evaluated(jsNumber(value)), value)).toBe(true);
        expect(evaluated(`1 - ${jsNumber(value)}`)).toBe(1 - value);
      }),
      { numRuns: 5000 },
    );
  });

  it("refuses what is not a JSON number", () => {
    expect(() => jsNumber(Number.NaN)).toThrow(/not a JSON number/);
    expect(() => jsNumber(Number.POSITIVE_INFINITY)).toThrow(/not a JSON number/);
  });
});
