/**
 * The streaming splitter against JSON.parse of the whole body (differential, fast-check):
 * for any text cut into any pieces, splitting then parsing each element accepts exactly what
 * JSON.parse accepts as an array, with the same elements.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createArraySplitter } from "./json-array-splitter.js";

type Outcome = { ok: true; elements: unknown[] } | { ok: false };

/** Splits the UTF-8 bytes of `text`, cut at byte offsets (inside characters too). */
function viaSplitter(text: string, cuts: readonly number[]): Outcome {
  const elements: unknown[] = [];
  const bytes = Buffer.from(text, "utf8");
  try {
    const splitter = createArraySplitter({
      onElement: (element) => elements.push(JSON.parse(element.toString("utf8"))),
      maxElementBytes: Number.MAX_SAFE_INTEGER,
    });
    let at = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      const to = Math.min(Math.max(at, cut), bytes.length);
      splitter.write(bytes.subarray(at, to));
      at = to;
    }
    splitter.write(bytes.subarray(at));
    splitter.end();
    return { ok: true, elements };
  } catch {
    return { ok: false };
  }
}

function viaParse(text: string): Outcome {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? { ok: true, elements: value } : { ok: false };
  } catch {
    return { ok: false };
  }
}

const seed = Number(process.env.CHARTER_SEED ?? Date.now() % 2 ** 31);

/** Characters that matter to JSON structure, to make near-misses likely. */
const structural = fc
  .array(
    fc.constantFrom(
      "[",
      "]",
      "{",
      "}",
      ",",
      ":",
      '"',
      "\\",
      " ",
      "\n",
      "1",
      "a",
      "null",
      "\\u0041",
      "𝄞",
    ),
    {
      maxLength: 30,
    },
  )
  .map((parts) => parts.join(""));

describe("createArraySplitter ≡ JSON.parse", () => {
  it(`agrees on valid arrays cut anywhere (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 4, stringUnit: "binary" }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constantFrom("", " ", "\n\t "),
        (values, cuts, space) => {
          const text = space + JSON.stringify(values, null, space ? 1 : undefined) + space;
          const scaled = cuts.map((c) => c % (Buffer.byteLength(text) + 1));
          expect(viaSplitter(text, scaled)).toEqual(viaParse(text));
        },
      ),
      { seed, numRuns: 500 },
    );
  });

  it(`agrees on near-miss and hostile text (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        structural,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.boolean(),
        (inner, cuts, bracket) => {
          const text = bracket ? `[${inner}]` : inner;
          const scaled = cuts.map((c) => c % (Buffer.byteLength(text) + 1));
          expect(viaSplitter(text, scaled)).toEqual(viaParse(text));
        },
      ),
      { seed, numRuns: 3000 },
    );
  });

  it("holds no more than the element being read", () => {
    const splitter = createArraySplitter({ onElement: () => {}, maxElementBytes: 100 });
    splitter.write(Buffer.from('[{"a":"'));
    expect(splitter.held()).toBe(6);
    splitter.write(Buffer.from('xyz"},'));
    expect(splitter.held()).toBe(0);
    expect(() => splitter.write(Buffer.from(`{"b":"${"x".repeat(200)}`))).toThrow(
      /larger than 100/,
    );
  });
});
