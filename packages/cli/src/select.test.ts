import type { Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { RESTRICTED_OVERRIDES, selectorMatches, selectPolicies } from "./select.js";

function tagged(name: string, controls: string[]): Policy {
  return {
    name,
    title: name,
    description: "",
    severity: "high",
    category: "test",
    controls,
    enforcement: "deny",
    match: { subject: "pod", controllers: true },
    parameters: { schema: {}, values: {} },
    rules: [],
    cases: [],
  };
}

const names = (policies: readonly Policy[]) => policies.map((policy) => policy.name);

// One policy per PSA v1.37 check, as the library tags them, plus two outside PSS.
const BASELINE_CHECKS = [
  "hostNamespaces",
  "privileged",
  "capabilities_baseline",
  "hostPathVolumes",
  "hostPorts",
  "hostProbesAndHostLifecycle",
  "appArmorProfile",
  "seLinuxOptions",
  "procMount",
  "seccompProfile_baseline",
  "sysctls",
  "windowsHostProcess",
];
const RESTRICTED_CHECKS = [
  "restrictedVolumes",
  "allowPrivilegeEscalation",
  "runAsNonRoot",
  "runAsUser",
  "seccompProfile_restricted",
  "capabilities_restricted",
  "procMount_restricted",
];
const library = [
  ...BASELINE_CHECKS.map((check) => tagged(`b-${check}`, [`pss:baseline:${check}`])),
  ...RESTRICTED_CHECKS.map((check) => tagged(`r-${check}`, [`pss:restricted:${check}`])),
  tagged("cis-5-2-1", ["cis:5.2.1", "area:admission"]),
  tagged("cis-5-2-10", ["cis:5.2.10"]),
  tagged("registries", ["nsa:pod-security:secure-images", "area:image-signing"]),
];

describe("selectorMatches", () => {
  it("matches equal tags and prefixes at a segment boundary only", () => {
    expect(selectorMatches("cis:5.2.1", "cis:5.2.1")).toBe(true);
    expect(selectorMatches("cis:5.2", "cis:5.2.10")).toBe(true);
    expect(selectorMatches("nsa:pod-security", "nsa:pod-security:non-root")).toBe(true);
    expect(selectorMatches("cis:5.2.1", "cis:5.2.10")).toBe(false);
    expect(selectorMatches("cis:5.1.1", "cis:5.1.13")).toBe(false);
    expect(selectorMatches("pss:base", "pss:baseline:privileged")).toBe(false);
    expect(selectorMatches("cis:5.2.10", "cis:5.2.1")).toBe(false);
  });
});

describe("selectPolicies", () => {
  it("keeps everything without --select", () => {
    expect(selectPolicies(library, undefined)).toEqual(library);
    expect(selectPolicies(library, "")).toEqual(library);
  });

  it("never lets cis:5.2.1 select cis:5.2.10", () => {
    expect(names(selectPolicies(library, "cis:5.2.1"))).toEqual(["cis-5-2-1"]);
    expect(names(selectPolicies(library, "cis:5.2.10"))).toEqual(["cis-5-2-10"]);
    expect(names(selectPolicies(library, "cis:5.2"))).toEqual(["cis-5-2-1", "cis-5-2-10"]);
  });

  it("takes comma-separated selectors, trimmed, as a union", () => {
    expect(names(selectPolicies(library, " area:image-signing , cis:5.2.10 "))).toEqual([
      "cis-5-2-10",
      "registries",
    ]);
  });

  it("pss:baseline is the 12 baseline checks", () => {
    expect(names(selectPolicies(library, "pss:baseline"))).toEqual(
      BASELINE_CHECKS.map((check) => `b-${check}`),
    );
  });

  it("pss:restricted is the PSA restricted profile: the four overridden baseline checks are out", () => {
    const selected = names(selectPolicies(library, "pss:restricted"));
    const overridden = [
      "capabilities_baseline",
      "seccompProfile_baseline",
      "procMount",
      "hostPathVolumes",
    ];
    expect(Object.values(RESTRICTED_OVERRIDES).sort()).toEqual([...overridden].sort());
    expect(selected).toEqual([
      ...BASELINE_CHECKS.filter((check) => !overridden.includes(check)).map((c) => `b-${c}`),
      ...RESTRICTED_CHECKS.map((check) => `r-${check}`),
    ]);
    expect(selected).toHaveLength(8 + 7);
  });

  it("a single restricted check is selected by the plain prefix rule, with no baseline", () => {
    expect(names(selectPolicies(library, "pss:restricted:runAsNonRoot"))).toEqual([
      "r-runAsNonRoot",
    ]);
    expect(names(selectPolicies(library, "pss:baseline:procMount"))).toEqual(["b-procMount"]);
  });

  it("keeps an overridden baseline check when nothing in the set replaces it", () => {
    const withoutStrictCapabilities = library.filter(
      (policy) => policy.name !== "r-capabilities_restricted",
    );
    const selected = names(selectPolicies(withoutStrictCapabilities, "pss:restricted"));
    expect(selected).toContain("b-capabilities_baseline");
    expect(selected).not.toContain("b-procMount");
  });

  it("selects a policy citing an overridden check when another of its tags is selected", () => {
    const both = tagged("both", ["pss:baseline:procMount", "cis:5.2.2"]);
    expect(names(selectPolicies([...library, both], "pss:restricted"))).not.toContain("both");
    expect(names(selectPolicies([...library, both], "pss:restricted,cis:5.2.2"))).toContain("both");
  });

  it("pss selects both levels; pss:restricted does not reach non-PSS tags", () => {
    expect(selectPolicies(library, "pss")).toHaveLength(19);
    expect(names(selectPolicies(library, "pss:restricted"))).not.toContain("registries");
  });
});
