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
});
