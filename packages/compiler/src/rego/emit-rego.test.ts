import { CharterError, type Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { emitRego } from "./emit-rego.js";
import { regoString } from "./escape.js";
import { globToRegex } from "./glob.js";

function policy(name: string, condition: Policy["rules"][number]["condition"]): Policy {
  return {
    name,
    title: name,
    description: "",
    severity: "low",
    category: "test",
    controls: [],
    enforcement: "warn",
    match: { subject: "pod", controllers: true },
    parameters: { schema: {}, values: { b: 1, a: ["x"] } },
    rules: [
      { name: "r", condition, message: { template: "m", parts: [{ kind: "text", text: "m" }] } },
    ],
    cases: [],
  };
}

const privileged = policy("no-privileged", {
  kind: "quantifier",
  quantifier: "any",
  variable: "c",
  collection: { kind: "ref", root: { kind: "containers" }, path: [] },
  body: { kind: "exists", arg: { kind: "ref", root: { kind: "var", name: "c" }, path: ["image"] } },
});
const other = policy("a-first", { kind: "literal", value: true });

describe("emitRego", () => {
  it("is deterministic and sorted whatever the input order", () => {
    const once = emitRego([privileged, other]);
    const twice = emitRego([other, privileged]);
    expect([...once.keys()]).toEqual([
      "charter/lib.rego",
      "charter/policies/a_first.rego",
      "charter/policies/no_privileged.rego",
      "charter/violations.rego",
    ]);
    expect([...twice.entries()]).toEqual([...once.entries()]);
  });

  it("names each package after its policy", () => {
    const text = emitRego([privileged]).get("charter/policies/no_privileged.rego") ?? "";
    expect(text).toContain("package charter.policies.no_privileged\n");
    expect(text).toContain('"policy": "no-privileged"');
    expect(text).toContain('params := {"b": 1, "a": ["x"]}');
  });

  it("raises a CharterError naming policy, rule and target for an unbound variable", () => {
    const broken = policy("broken", {
      kind: "exists",
      arg: { kind: "ref", root: { kind: "var", name: "x" }, path: [] },
    });
    expect(() => emitRego([broken])).toThrow(CharterError);
    expect(() => emitRego([broken])).toThrow(/policy "broken", rule "r": .*target "rego"/);
  });

  it("rejects two policies with the same package", () => {
    expect(() => emitRego([other, other])).toThrow(CharterError);
  });
});

describe("regoString", () => {
  it.each([
    { note: "quotes and backslashes", input: 'a"b\\c', output: '"a\\"b\\\\c"' },
    { note: "newline, tab, carriage return", input: "\n\t\r", output: '"\\n\\t\\r"' },
    { note: "control characters", input: "\u0000\u001f\u007f", output: '"\\u0000\\u001f\\u007f"' },
    { note: "template braces stay", input: "{{x}}", output: '"{{x}}"' },
    { note: "non-ASCII", input: "é\ufeff", output: '"\\u00e9\\ufeff"' },
    { note: "astral as a surrogate pair", input: "😀", output: '"\\ud83d\\ude00"' },
  ])("$note", ({ input, output }) => {
    expect(regoString(input)).toBe(output);
  });
});

describe("globToRegex", () => {
  it.each([
    { glob: "registry.example.com/*", regex: "^(?s:registry\\.example\\.com/.*)$" },
    { glob: "v?", regex: "^(?s:v.)$" },
    { glob: "a+b(c)[d]{e}|^$\\", regex: "^(?s:a\\+b\\(c\\)\\[d\\]\\{e\\}\\|\\^\\$\\\\)$" },
    { glob: "", regex: "^(?s:)$" },
  ])("$glob", ({ glob, regex }) => {
    expect(globToRegex(glob)).toBe(regex);
  });
});
