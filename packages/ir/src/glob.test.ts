import fc from "fast-check";
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import { globToRe2 } from "./glob.js";

describe("globToRe2", () => {
  it.each([
    { glob: "registry.example.com/*", re: "^(?s:registry\\.example\\.com/.*)$" },
    { glob: "v?", re: "^(?s:v.)$" },
    { glob: "", re: "^(?s:)$" },
    { glob: "a[b]{1}(c)|d+e^$\\", re: "^(?s:a\\[b\\]\\{1\\}\\(c\\)\\|d\\+e\\^\\$\\\\)$" },
    { glob: "😀*", re: "^(?s:😀.*)$" },
    { glob: "a+b(c)[d]{e}|^$\\", re: "^(?s:a\\+b\\(c\\)\\[d\\]\\{e\\}\\|\\^\\$\\\\)$" },
  ])("$glob → $re", ({ glob, re }) => {
    expect(globToRe2(glob)).toBe(re);
    expect(() => RE2JS.compile(re)).not.toThrow();
  });

  it("matches only what the written definition says", () => {
    const matches = (glob: string, text: string) => RE2JS.compile(globToRe2(glob)).test(text);
    expect(matches("*", "a/b.c\nd")).toBe(true);
    expect(matches("a*", "ba")).toBe(false);
    expect(matches("?", "😀")).toBe(true);
    expect(matches("??", "😀")).toBe(false);
    expect(matches("a\\b", "a\\b")).toBe(true);
    expect(matches("a\\*", "a\\xyz")).toBe(true); // no escape character: \ is literal, * is a wildcard
    expect(matches("x", "x\n")).toBe(false);
  });

  it("matches a glob without wildcards against exactly its own text", () => {
    const literal = fc.string({ unit: "grapheme" }).map((s) => s.replaceAll(/[*?]/g, ""));
    fc.assert(
      fc.property(literal, fc.string({ unit: "grapheme" }), (glob, other) => {
        const re = RE2JS.compile(globToRe2(glob));
        expect(re.test(glob)).toBe(true);
        expect(re.test(other)).toBe(other === glob);
      }),
    );
  });

  it("matches any text with `*`, and any one code point with `?`", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme" }),
        fc.string({ unit: "grapheme" }),
        (prefix, rest) => {
          const literalPrefix = prefix.replaceAll(/[*?]/g, "");
          expect(RE2JS.compile(globToRe2(`${literalPrefix}*`)).test(literalPrefix + rest)).toBe(
            true,
          );
          const oneMore = `${literalPrefix}?`;
          expect(RE2JS.compile(globToRe2(oneMore)).test(`${literalPrefix}😀`)).toBe(true);
        },
      ),
    );
  });
});
