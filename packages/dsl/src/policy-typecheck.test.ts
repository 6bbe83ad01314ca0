import { CharterError } from "@charter/ir";
import { describe, expect, it, vi } from "vitest";
import { pod } from "./builder.js";
import { CharterErrors, policy } from "./policy.js";
import { when } from "./when.js";

const reported = vi.hoisted(() => ({ errors: [] as unknown[] }));
vi.mock("./typecheck/index.js", () => ({ checkPolicyTypes: () => reported.errors }));

const spec = () => ({
  title: "T",
  severity: "high" as const,
  category: "c",
  match: pod,
  rules: { r: { fail: when`pod.spec.hostPID == true`, message: "m" } },
});

describe("policy() reports the type checker's errors", () => {
  it("throws the only error as it is", () => {
    const only = new CharterError("unknown field `hostPid`", { file: "f.ts", line: 3, column: 9 });
    reported.errors = [only];
    expect(() => policy("p", spec())).toThrow(only);
  });

  it("throws one CharterErrors listing several", () => {
    const first = new CharterError("one", { file: "f.ts", line: 1, column: 2 });
    const second = new CharterError("two", { file: "f.ts", line: 3, column: 4 });
    reported.errors = [first, second];
    try {
      policy("p", spec());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CharterErrors);
      expect((error as CharterErrors).errors).toEqual([first, second]);
      expect((error as CharterErrors).location).toEqual(first.location);
      expect((error as CharterErrors).message).toBe(
        "2 errors:\n  f.ts:1:2: error: one\n  f.ts:3:4: error: two",
      );
    }
  });
});
