import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExcerptedError, excerptOf } from "./source-excerpt.js";

const file = join(mkdtempSync(join(tmpdir(), "charter-excerpt-")), "p.ts");
writeFileSync(file, "line one\n\tfail: when`c.privilegd == true`,\n");

describe("the source line under an error", () => {
  it("puts a caret under the whole token, tabs kept so it lines up", () => {
    expect(excerptOf({ file, line: 2, column: 15 })).toBe(
      "  2 | \tfail: when`c.privilegd == true`,\n    | \t             ^^^^^^^^^",
    );
    expect(excerptOf({ file, line: 2, column: 25 })).toMatch(/\| \t {23}\^\^$/);
  });

  it("is left out when the place is unknown or not in the file", () => {
    expect(excerptOf({ file, line: 2 })).toBeUndefined();
    expect(excerptOf({ file, line: 9, column: 1 })).toBeUndefined();
    expect(excerptOf({ file: join(file, "missing"), line: 1, column: 1 })).toBeUndefined();
  });

  it("format() shows message, line, caret, then the hint", () => {
    const error = new ExcerptedError(
      "unknown field",
      { file, line: 1, column: 6 },
      "did you mean?",
    );
    expect(error.format()).toBe(
      `${file}:1:6: error: unknown field\n  1 | line one\n    |      ^^^\n  hint: did you mean?`,
    );
  });
});
