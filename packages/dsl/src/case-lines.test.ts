import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pod } from "./builder.js";
import { caseLines } from "./case-lines.js";
import { podWith } from "./cases.js";
import { policy } from "./policy.js";
import { when } from "./when.js";

const self = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
const lineOf = (marker: string): number => self.findIndex((line) => line.includes(marker)) + 1;

describe("caseLines", () => {
  it("finds each entry past strings, templates, comments and regular expressions", () => {
    const text = [
      'policy("p", {',
      // A template with an interpolation that holds braces of its own.
      `  title: "a { [ ( string", note: \`tpl \${ { a: "}" }.a } [\`, re: /[/(]{/g,`,
      "  // cases: { pass: [x] } in a comment",
      "  cases: {",
      "    pass: [",
      "      a,",
      '      { name: "two", resource: b },',
      "    ],",
      "    /* fail: [] */ fail: [c, d(1, [2])],",
      "  },",
      "});",
      "cases: { pass: [e] }",
    ].join("\n");
    expect(caseLines(text, 0)).toEqual({ pass: [6, 7], fail: [9, 9] });
  });

  it("gives up on what it cannot follow for certain", () => {
    expect(caseLines('policy("p", { cases: myCases })', 0)).toBeUndefined();
    expect(caseLines('policy("p", { cases: { pass: [...many] } })', 0)).toBeUndefined();
    expect(caseLines('policy("p", { title: "unterminated', 0)).toBeUndefined();
  });

  it("places the cases a policy file writes at their own lines", () => {
    const p = policy("p", {
      title: "t",
      severity: "low",
      category: "c",
      match: pod,
      rules: { r: { fail: when`any c in pod.containers: c.image == "x"`, message: "m" } },
      cases: {
        pass: [podWith({ image: "y" }) /* first pass case */],
        fail: [
          { name: "named", resource: podWith({ image: "x" }) }, // the fail case
        ],
      },
    });
    expect(p.cases.map((c) => c.source?.line)).toEqual([
      lineOf("/* first pass case */"),
      lineOf("// the fail case"),
    ]);
  });
});
