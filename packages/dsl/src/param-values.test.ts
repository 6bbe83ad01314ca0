import { CharterError, withParams } from "@charter/ir";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pod } from "./builder.js";
import { podWith } from "./cases.js";
import { list, object, string } from "./params.js";
import { type PolicySpec, policy, type RuleSpec } from "./policy.js";
import { when } from "./when.js";

function errorOf(run: () => unknown): CharterError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof CharterError) return error;
    throw error;
  }
}

const spec = (params: PolicySpec["params"], fail: RuleSpec["fail"]) =>
  ({
    title: "t",
    severity: "low",
    category: "c",
    match: pod,
    params,
    rules: { r: { fail, message: "m" } },
  }) as PolicySpec;

describe("parameters used as regular expressions", () => {
  it("a default used directly as a pattern is checked against RE2", () => {
    const error = errorOf(() =>
      policy(
        "p",
        spec(
          { allowed: string().default("^(?!internal).*$") },
          when`any c in pod.containers: c.image matches params.allowed`,
        ),
      ),
    );
    expect(error?.message).toMatch(
      /^policy "p": the default of params\.allowed: the pattern "\^\(\?!internal\)\.\*\$" is not a valid RE2/,
    );
  });

  it("so is each element of a list a quantifier binds, and a nested object's field", () => {
    const p = policy(
      "p",
      spec(
        {
          allowed: list(string()).default(["^a"]),
          rule: object({ pattern: string() }).default({ pattern: "^b" }),
        },
        when`any c in pod.containers: (any r in params.allowed: c.image matches r) or c.name matches (params.rule.pattern ?? "x")`,
      ),
    );
    expect(errorOf(() => withParams(p, { allowed: ["^a", "(?<=x)y"] }))?.message).toMatch(
      /params\.allowed\.1 the pattern "\(\?<=x\)y" is not a valid RE2/,
    );
    expect(errorOf(() => withParams(p, { rule: { pattern: "(a)\\1" } }))?.message).toMatch(
      /params\.rule\.pattern the pattern "\(a\)\\\\1" is not a valid RE2/,
    );
    expect(errorOf(() => withParams(p, { allowed: ["^a", "b$"], rule: { pattern: "c" } }))).toBe(
      undefined,
    );
  });

  it("a parameter used only as a plain string is not read as a pattern", () => {
    const p = policy(
      "p",
      spec(
        { prefix: string().default("(") },
        when`any c in pod.containers: c.image startsWith params.prefix`,
      ),
    );
    expect(p.parameters.values).toEqual({ prefix: "(" });
  });

  it("a case's own params are checked like the defaults", () => {
    const error = errorOf(() =>
      policy("p", {
        ...spec(
          { allowed: string().default("^a") },
          when`any c in pod.containers: c.image matches params.allowed`,
        ),
        cases: { pass: [{ name: "x", resource: podWith(), params: { allowed: "(?!a)" } }] },
      }),
    );
    expect(error?.message).toMatch(
      /case "x": its params do not fit the policy: params\.allowed the pattern/,
    );
  });

  // The property: a pattern is refused as a parameter default exactly when it is refused as a
  // literal in the condition — one RE2 check for both.
  it("a pattern is accepted as a default exactly when it is accepted as a literal", () => {
    const pieces = [
      "a",
      ".",
      "*",
      "+",
      "?",
      "(",
      ")",
      "(?!",
      "(?=",
      "(?<=",
      "\\1",
      "\\d",
      "[",
      "]",
      "^",
      "$",
      "{2}",
      "|",
      "\\p{L}",
      "(?P<n>",
      "(?i)",
    ];
    const outcomes = new Set<boolean>();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 6 }), (parts) => {
        const pattern = parts.join("");
        const literal = errorOf(() =>
          policy("p", spec({}, when`any c in pod.containers: c.image matches ${pattern}`)),
        );
        const asDefault = errorOf(() =>
          policy(
            "p",
            spec(
              { pattern: string().default(pattern) },
              when`any c in pod.containers: c.image matches params.pattern`,
            ),
          ),
        );
        expect(asDefault === undefined).toBe(literal === undefined);
        outcomes.add(literal === undefined);
      }),
      { seed: 12, numRuns: 300 },
    );
    expect(outcomes).toEqual(new Set([true, false])); // both accepted and refused patterns seen
  });
});
