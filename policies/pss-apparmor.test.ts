/**
 * The Pod Security Standards AppArmor policy (the one PSS check that reads a map's values under
 * keys known only at run time): every case holds on the IR engine, it agrees with Pod Security
 * Admission on the v1.37 fixtures (the approach of policies.test.ts), and every case holds on
 * every engine through the CLI's case runner.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Json, type JsonObject, type Policy, validatePolicySet } from "@charter/ir";
import { createIrEngine, type Finding } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCases } from "../packages/cli/src/case-runner.js";
import { chooseEngines, ENGINE_NAMES } from "../packages/cli/src/engines.js";
import restrictApparmorProfiles from "./restrict-apparmor-profiles.js";

const here = dirname(fileURLToPath(import.meta.url));
/** Kubernetes' own PSA fixtures (v1.37), kept beside the repository. */
const psaFixtures = join(here, "..", "..", "shared", "conformance", "psa");

/**
 * Baseline checks a restricted check replaces at restricted level (the MANIFEST's "Checks at
 * v1.37"): they are not run there, so restricted fixtures say nothing about them.
 */
const OVERRIDDEN_AT_RESTRICTED = ["capabilities_baseline", "seccompProfile_baseline", "procMount"];

const appArmor: readonly Policy[] = [restrictApparmorProfiles];

describe("PSS AppArmor", () => {
  it("is valid IR, each policy tagged with exactly one PSS check", () => {
    expect(() =>
      validatePolicySet({ irVersion: 1, policies: appArmor }, "policies/pss-apparmor"),
    ).not.toThrow();
    for (const policy of appArmor) {
      expect(
        policy.controls.filter((tag) => tag.startsWith("pss:")),
        policy.name,
      ).toHaveLength(1);
    }
  });

  it.each(appArmor.map((policy) => [policy.name, policy] as const))(
    "%s: meets the library's rules (policies.test.ts)",
    (_name, policy) => {
      expect(policy.description.length).toBeGreaterThan(40);
      expect(policy.enforcement).toBe("deny");
      expect(policy.controls.some((tag) => tag.startsWith("area:"))).toBe(true);
      for (const rule of policy.rules) {
        expect(rule.remediation, `${rule.name} remediation`).toBeTruthy();
        expect(rule.message.template, `${rule.name} says how to fix`).toMatch(/set|remove|use/);
      }
      for (const expect_ of ["pass", "fail"] as const) {
        const cases = policy.cases.filter((testCase) => testCase.expect === expect_);
        expect(cases.length, `${expect_} cases`).toBeGreaterThanOrEqual(3);
        const kinds = cases.map((testCase) => (testCase.resource as JsonObject).kind as string);
        expect(kinds, `${expect_} cases include a Pod`).toContain("Pod");
        expect(kinds.some((kind) => kind !== "Pod")).toBe(true);
      }
      expect(
        policy.cases.some((testCase) => testCase.source?.file.endsWith(".yaml")),
        "a case from a YAML file",
      ).toBe(true);
      const names = policy.cases.map((testCase) => testCase.name);
      expect(new Set(names).size, "case names are unique").toBe(names.length);
    },
  );

  it.each(appArmor.map((policy) => [policy.name, policy] as const))(
    "%s: every case gives its verdict on the IR engine",
    (_name, policy) => {
      const findings = createIrEngine([policy]).evaluateSync(
        policy.cases.map((testCase) => ({ object: testCase.resource })),
      );
      policy.cases.forEach((testCase, index) => {
        const rows = findings.filter((finding) => finding.resourceIndex === index);
        expect(rows.length, `${testCase.name}: one row per rule`).toBe(policy.rules.length);
        expect(
          rows.filter((row) => row.result === "error"),
          testCase.name,
        ).toEqual([]);
        const failing = rows.filter((row) => row.result === "fail").map((row) => row.rule);
        if (testCase.expect === "pass") expect(failing, `${testCase.name} passes`).toEqual([]);
        else expect(failing.sort(), testCase.name).toEqual([...(testCase.rules ?? ["?"])].sort());
      });
    },
  );
});

/**
 * Each policy agrees with Pod Security Admission on the v1.37 fixtures of the levels that run
 * its check (a restricted check is not run at baseline, an overridden baseline check not at
 * restricted): it fails a fixture exactly when the MANIFEST's "Fires" column names its check.
 */
describe.skipIf(!existsSync(psaFixtures) && process.env.CI !== "true")(
  "PSS AppArmor on the Pod Security Admission v1.37 fixtures",
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

    it("are all read", () => expect(rows.length).toBe(148));

    /** The fixtures that judge `policy`, and the ones its check fires on. */
    function fixturesOf(policy: Policy) {
      const tag = policy.controls.find((control) => control.startsWith("pss:")) ?? "";
      const [, level, check] = tag.split(":") as [string, string, string];
      const judged = rows.filter((row) =>
        row.file.startsWith("baseline/")
          ? level === "baseline"
          : !OVERRIDDEN_AT_RESTRICTED.includes(check),
      );
      const resources = judged.map((row) => ({
        object: parseAllDocuments(
          readFileSync(join(psaFixtures, "test", "testdata", row.file), "utf8"),
        )[0]?.toJS() as Json,
      }));
      const expected = judged.filter((row) => row.fires.includes(check)).map((row) => row.file);
      return { judged, resources, expected: expected.sort() };
    }

    function failedFixtures(findings: readonly Finding[], judged: readonly { file: string }[]) {
      const failed = findings
        .filter((finding) => finding.result === "fail")
        .map((finding) => judged[finding.resourceIndex]?.file);
      return [...new Set(failed)].sort();
    }

    it.each(appArmor.map((policy) => [policy.name, policy] as const))(
      "%s fails exactly the fixtures its check fires on",
      (_name, policy) => {
        const { judged, resources, expected } = fixturesOf(policy);
        expect(expected.length).toBeGreaterThan(0);
        const findings = createIrEngine([policy]).evaluateSync(resources);
        expect(findings.filter((finding) => finding.result === "error")).toEqual([]);
        expect(failedFixtures(findings, judged)).toEqual(expected);
      },
    );

    it("every engine agrees with PSA on every fixture", async () => {
      const { engines } = chooseEngines(appArmor, [...ENGINE_NAMES], true);
      for (const policy of appArmor) {
        const { judged, resources, expected } = fixturesOf(policy);
        for (const engine of engines.filter((e) => e.name !== "ir")) {
          const findings = (await engine.evaluate(resources)).filter(
            (finding) => finding.policy === policy.name,
          );
          expect(findings.length, `${policy.name} [${engine.name}]`).toBe(
            resources.length * policy.rules.length,
          );
          expect(failedFixtures(findings, judged), `${policy.name} [${engine.name}]`).toEqual(
            expected,
          );
        }
      }
    }, 300_000);
  },
);

describe("PSS AppArmor on every engine", () => {
  it("meets every case, with the engines agreeing on results and messages", async () => {
    const { engines } = chooseEngines(appArmor, [...ENGINE_NAMES], true);
    expect(engines.map((engine) => engine.name)).toEqual([...ENGINE_NAMES]);
    const reports = await runCases(appArmor, engines);
    expect(reports.map((report) => [report.policy.name, report.problems])).toEqual(
      appArmor.map((policy) => [policy.name, []]),
    );
  }, 300_000);
});
