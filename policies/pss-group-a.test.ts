/**
 * Pod Security Standards policies, group A, before they join the index: each policy's own
 * cases give their verdicts on the IR engine and agree on every engine, and each policy agrees
 * with Pod Security Admission on the v1.37 fixtures of its check.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Json, JsonObject, Policy } from "@charter/ir";
import { validatePolicySet } from "@charter/ir";
import { createIrEngine } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCases } from "../packages/cli/src/case-runner.js";
import { chooseEngines, ENGINE_NAMES } from "../packages/cli/src/engines.js";
import disallowCapabilities from "./disallow-capabilities.js";
import disallowCapabilitiesStrict from "./disallow-capabilities-strict.js";
import disallowHostPorts from "./disallow-host-ports.js";
import disallowHostProbes from "./disallow-host-probes.js";
import disallowHostProcess from "./disallow-host-process.js";
import disallowPrivilegeEscalation from "./disallow-privilege-escalation.js";
import requireRunAsNonRootUser from "./require-run-as-non-root-user.js";

const policies: readonly Policy[] = [
  disallowCapabilities,
  disallowCapabilitiesStrict,
  disallowHostPorts,
  disallowHostProbes,
  disallowHostProcess,
  disallowPrivilegeEscalation,
  requireRunAsNonRootUser,
];

const here = dirname(fileURLToPath(import.meta.url));
const psaFixtures = join(here, "..", "..", "shared", "conformance", "psa");

/**
 * The baseline checks a restricted check replaces (controls.md §1.3, the MANIFEST's three):
 * PSA does not run them at restricted level, so the restricted fixtures never name them.
 */
const OVERRIDDEN_AT_RESTRICTED: Readonly<Record<string, string>> = {
  capabilities_baseline: "capabilities_restricted",
  seccompProfile_baseline: "seccompProfile_restricted",
  procMount: "procMount_restricted",
};

function pssCheckOf(policy: Policy): { level: string; check: string } {
  const tag = policy.controls.find((control) => control.startsWith("pss:"));
  if (!tag) throw new Error(`${policy.name} has no pss: tag`);
  const [, level, check] = tag.split(":") as [string, string, string];
  return { level, check };
}

describe("PSS group A", () => {
  it("is valid IR with unique names", () => {
    expect(() => validatePolicySet({ irVersion: 1, policies }, "pss-group-a")).not.toThrow();
  });

  describe.each(policies.map((policy) => [policy.name, policy] as const))("%s", (_, policy) => {
    it("gives every case its verdict on the IR engine", () => {
      const findings = createIrEngine([policy]).evaluateSync(
        policy.cases.map((testCase) => ({ object: testCase.resource })),
      );
      policy.cases.forEach((testCase, index) => {
        const rows = findings.filter((finding) => finding.resourceIndex === index);
        expect(rows.length, `${testCase.name}: one row per rule`).toBe(policy.rules.length);
        expect(rows.filter((row) => row.result === "error")).toEqual([]);
        const failing = rows.filter((row) => row.result === "fail").map((row) => row.rule);
        if (testCase.expect === "pass") expect(failing, testCase.name).toEqual([]);
        else expect(failing.sort(), testCase.name).toEqual([...(testCase.rules ?? [])].sort());
      });
    });

    it("has at least 3 pass and 3 fail cases, one from a YAML file, naming every rule", () => {
      for (const expect_ of ["pass", "fail"] as const) {
        const cases = policy.cases.filter((testCase) => testCase.expect === expect_);
        expect(cases.length).toBeGreaterThanOrEqual(3);
        const kinds = cases.map((testCase) => (testCase.resource as JsonObject).kind);
        expect(kinds, `${expect_} cases include a Pod`).toContain("Pod");
        expect(
          kinds.some((kind) => kind !== "Pod"),
          `${expect_} cases include a controller`,
        ).toBe(true);
      }
      const names = policy.cases.map((testCase) => testCase.name);
      expect(new Set(names).size, "case names are unique").toBe(names.length);
      for (const rule of policy.rules) {
        expect(rule.remediation, `${rule.name} remediation`).toBeTruthy();
        expect(rule.message.template, `${rule.name} says how to fix`).toMatch(/set|remove|use/);
      }
      expect(policy.cases.some((testCase) => testCase.source?.file.endsWith(".yaml"))).toBe(true);
      const named = new Set(policy.cases.flatMap((testCase) => testCase.rules ?? []));
      for (const rule of policy.rules)
        expect(named, `a fail case for ${rule.name}`).toContain(rule.name);
    });
  });
});

describe.skipIf(!existsSync(psaFixtures) && process.env.CI !== "true")(
  "Pod Security Admission v1.37 fixtures",
  () => {
    const rows = readFileSync(join(psaFixtures, "MANIFEST.md"), "utf8")
      .split("\n")
      .filter((line) => /^\| (baseline|restricted)\/v1\.37\//.test(line))
      .map((line) => line.split("|").map((cell) => cell.trim()))
      .map((cells) => ({
        file: cells[1] as string,
        fires: (cells[5] as string)
          .split(",")
          .map((check) => check.trim())
          .filter(Boolean),
      }));

    function failedFixtures(policy: Policy, judged: readonly { file: string }[]): string[] {
      const resources = judged.map((row) => ({
        object: parseAllDocuments(
          readFileSync(join(psaFixtures, "test", "testdata", row.file), "utf8"),
        )[0]?.toJS() as Json,
      }));
      const failed = createIrEngine([policy])
        .evaluateSync(resources)
        .filter((finding) => finding.result === "fail")
        .map((finding) => judged[finding.resourceIndex]?.file as string);
      return [...new Set(failed)].sort();
    }

    it("are all read", () => {
      expect(rows.length).toBe(148);
    });

    it.each(policies.map((policy) => [policy.name, policy] as const))(
      "%s fails exactly the fixtures its check fires on",
      (_, policy) => {
        const { level, check } = pssCheckOf(policy);
        const overrider = OVERRIDDEN_AT_RESTRICTED[check];
        // A restricted check is not run at baseline, and an overridden baseline check is not run
        // at restricted: there the fixtures speak only of the check that replaces it.
        const judged = rows.filter((row) =>
          level === "restricted"
            ? row.file.startsWith("restricted/")
            : !overrider || row.file.startsWith("baseline/"),
        );
        const expected = judged.filter((row) => row.fires.includes(check)).map((row) => row.file);
        expect(expected.length).toBeGreaterThan(0);
        expect(failedFixtures(policy, judged)).toEqual(expected.sort());
        if (overrider) {
          // At restricted, the pods it denies are ones its replacement denies too.
          const restricted = rows.filter((row) => row.file.startsWith("restricted/"));
          const denied = new Set(
            restricted.filter((row) => row.fires.includes(overrider)).map((row) => row.file),
          );
          const failed = failedFixtures(policy, restricted);
          expect(failed.length).toBeGreaterThan(0);
          for (const file of failed) expect(denied, file).toContain(file);
        }
      },
    );
  },
);

describe("every engine", () => {
  it("meets every case and agrees on every rule and message", async () => {
    const { engines } = chooseEngines(policies, [...ENGINE_NAMES], true);
    expect(engines.map((engine) => engine.name).sort()).toEqual([...ENGINE_NAMES].sort());
    const reports = await runCases(policies, engines);
    expect(reports.flatMap((report) => report.problems)).toEqual([]);
    expect(reports.length).toBe(policies.length);
  }, 180_000);
});
