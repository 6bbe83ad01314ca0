import { describe, expect, it, vi } from "vitest";
import { pod } from "./builder.js";
import { CharterErrors, policy } from "./policy.js";
import { RuleTypeError } from "./typecheck/index.js";
import { when } from "./when.js";

const reported = vi.hoisted(() => ({ errors: [] as unknown[] }));
vi.mock("./typecheck/index.js", async (original) => ({
  ...(await original<typeof import("./typecheck/index.js")>()),
  checkPolicyTypes: () => reported.errors,
}));

const spec = () => ({
  title: "T",
  severity: "high" as const,
  category: "c",
  match: pod,
  rules: { r: { fail: when`pod.spec.hostPID == true`, message: "m" } },
});

describe("policy() reports the type checker's errors", () => {
  it("throws the only error, naming the policy and the rule", () => {
    const where = { file: "f.ts", line: 3, column: 9 };
    reported.errors = [new RuleTypeError("r", "unknown field `hostPid`", where, "did you mean?")];
    try {
      policy("p", spec());
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        message: 'policy "p", rule "r": unknown field `hostPid`',
        location: where,
        hint: "did you mean?",
      });
    }
  });

  it("throws one CharterErrors listing several", () => {
    const first = new RuleTypeError("r", "one", { file: "f.ts", line: 1, column: 2 }, undefined);
    const second = new RuleTypeError("r", "two", { file: "f.ts", line: 3, column: 4 }, undefined);
    reported.errors = [first, second];
    try {
      policy("p", spec());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CharterErrors);
      expect((error as CharterErrors).errors.map((e) => e.message)).toEqual([
        'policy "p", rule "r": one',
        'policy "p", rule "r": two',
      ]);
      expect((error as CharterErrors).location).toEqual(first.location);
      expect((error as CharterErrors).message).toBe(
        '2 errors:\n  f.ts:1:2: error: policy "p", rule "r": one\n  f.ts:3:4: error: policy "p", rule "r": two',
      );
    }
  });
});
