/** Exceptions reach every target; those without a clock are rebuilt once one expires. */
import type { PolicyException } from "@charter/ir";
import { describe, expect, it } from "vitest";
import policies from "../../../policies/index.js";
import { compileTargets, DEFAULT_TARGET_OPTIONS, expiredStillShipped } from "./targets.js";

const policy = policies.find((p) => p.name === "disallow-latest-tag");
if (!policy) throw new Error("disallow-latest-tag is not in the library");
const exception: PolicyException = {
  name: "legacy-latest",
  policy: policy.name,
  match: { namespaces: ["legacy"] },
  reason: "r",
  owner: "o",
  expires: "2027-01-25",
};
const before = Date.parse("2027-01-25T23:59:59Z");
const after = Date.parse("2027-01-26T00:00:00Z");
const build = (now: number) =>
  compileTargets([policy], ["vap", "kyverno"], DEFAULT_TARGET_OPTIONS, [exception], now);

describe("exceptions on targets without a clock", () => {
  it("ship while in force and are left out once expired", () => {
    const inForce = build(before);
    expect(inForce.get("vap")?.get("disallow-latest-tag.yaml")).toContain("legacy-latest until");
    expect(inForce.get("kyverno")?.get("exceptions/legacy-latest.yaml")).toContain(
      'expiresAt: "2027-01-26T00:00:00Z"',
    );
    const expired = build(after);
    expect(expired.get("vap")?.get("disallow-latest-tag.yaml")).not.toContain("legacy-latest");
    expect(expired.get("kyverno")?.has("exceptions/legacy-latest.yaml")).toBe(false);
  });

  it("are named by build --check while the committed output still carries them", () => {
    const committed = build(before);
    for (const target of ["vap", "kyverno"] as const) {
      const files = committed.get(target);
      const shipped = (now: number, read: (file: string) => string | undefined) =>
        expiredStillShipped([policy], target, DEFAULT_TARGET_OPTIONS, [exception], now, read).map(
          (e) => e.name,
        );
      expect(shipped(after, (file) => files?.get(file))).toEqual(["legacy-latest"]);
      expect(shipped(before, (file) => files?.get(file))).toEqual([]);
      const rebuilt = build(after).get(target);
      expect(shipped(after, (file) => rebuilt?.get(file))).toEqual([]);
    }
  });
});
