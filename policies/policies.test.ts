/**
 * The policy library holds together: every policy file is in the index, the set is valid IR,
 * each policy is documented and tagged by the rules of reference/controls.md, its cases cover
 * Pods and controllers, and every case gives the verdict it claims on the IR engine. The todo
 * example is judged too: `hardened/` passes everything, and `insecure/` fails exactly the rows
 * its README lists.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Json,
  type JsonObject,
  type Policy,
  ruleNamesOf,
  unconfiguredReason,
  validatePolicySet,
  withParams,
} from "@charter/ir";
import {
  caseResource,
  caseResources,
  createIrEngine,
  type Finding,
  inventoryKindsOf,
  NOT_VERIFIED,
} from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import policies from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));
const examples = join(here, "..", "examples", "todo-app");
/** Kubernetes' own PSA fixtures (v1.37), kept beside the repository. */
const psaFixtures = join(here, "..", "..", "shared", "conformance", "psa");

const POD_CONTROLLER_KINDS = [
  "Deployment",
  "ReplicaSet",
  "ReplicationController",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
];

/** The 12 `area:` slugs of controls.md §4. */
const AREAS = [
  "image-scanning",
  "runtime-monitoring",
  "network",
  "rbac",
  "pod-security",
  "admission",
  "secrets-encryption",
  "compliance-audit",
  "runtime-hardening",
  "image-signing",
  "monitoring-alerting",
  "escape-prevention",
];

/** The tag grammar of controls.md §0. */
const CONTROL_TAG = new RegExp(
  [
    "^pss:baseline:[A-Za-z_]+$",
    "^pss:restricted:[A-Za-z_]+$",
    "^cis:[0-9]+(\\.[0-9]+)*$",
    "^nsa:[a-z-]+(:[a-z-]+)?$",
    `^area:(${AREAS.join("|")})$`,
  ].join("|"),
);

function kindOf(resource: Json): string {
  return (resource as JsonObject).kind as string;
}

/** The findings of one policy's own cases, grouped by case. */
function judgeCases(policy: Policy): Map<number, readonly Finding[]> {
  const findings = createIrEngine([policy]).evaluateSync(caseResources([policy]));
  const byCase = new Map<number, Finding[]>();
  for (const finding of findings) {
    const list = byCase.get(finding.resourceIndex) ?? [];
    list.push(finding);
    byCase.set(finding.resourceIndex, list);
  }
  // A case written for other parameter values is judged with them, as charter test does.
  const kinds = inventoryKindsOf([policy]);
  policy.cases.forEach((testCase, index) => {
    if (testCase.params === undefined) return;
    const bound = withParams(policy, testCase.params);
    byCase.set(index, [...createIrEngine([bound]).evaluateSync([caseResource(testCase, kinds)])]);
  });
  return byCase;
}

describe("the policy library", () => {
  it("is valid IR with unique names", () => {
    expect(() => validatePolicySet({ irVersion: 1, policies }, "policies/index.ts")).not.toThrow();
    const names = policies.map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("indexes every policy file, each under its own name", () => {
    const files = readdirSync(here)
      .filter((name) => name.endsWith(".ts") && name !== "index.ts" && !name.endsWith(".test.ts"))
      .map((name) => name.replace(/\.ts$/, ""))
      .sort();
    expect(policies.map((policy) => policy.name).sort()).toEqual(files);
    for (const policy of policies) {
      expect(policy.source?.file, policy.name).toMatch(new RegExp(`${policy.name}\\.ts$`));
    }
  });
});

describe.each(policies.map((policy) => [policy.name, policy] as const))("%s", (_name, policy) => {
  it("is documented, tagged by controls.md and enforced with deny", () => {
    expect(policy.title.length).toBeGreaterThan(0);
    expect(policy.description.length).toBeGreaterThan(40);
    expect(policy.enforcement).toBe("deny");
    expect(policy.controls.length).toBeGreaterThan(0);
    for (const tag of policy.controls) expect(tag, "control tag").toMatch(CONTROL_TAG);
    expect(policy.controls.some((tag) => tag.startsWith("area:"))).toBe(true);
    for (const rule of policy.rules) {
      expect(rule.remediation, `${rule.name} remediation`).toBeTruthy();
      expect(rule.message.template, `${rule.name} says how to fix`).toMatch(
        /\b(set|remove|use|push|add|list|replace|drop|pin|move|bind|create|delete)\b/,
      );
    }
  });

  it("has at least 3 pass and 3 fail cases (over Pods and pod controllers for pod policies)", () => {
    for (const expect_ of ["pass", "fail"] as const) {
      const cases = policy.cases.filter((testCase) => testCase.expect === expect_);
      expect(cases.length, `${expect_} cases`).toBeGreaterThanOrEqual(3);
      if (policy.match.subject !== "pod") continue;
      const kinds = cases.map((testCase) => kindOf(testCase.resource));
      expect(kinds, `${expect_} cases include a Pod`).toContain("Pod");
      expect(
        kinds.some((kind) => POD_CONTROLLER_KINDS.includes(kind)),
        `${expect_} cases include a pod controller`,
      ).toBe(true);
    }
    const names = policy.cases.map((testCase) => testCase.name);
    expect(new Set(names).size, "case names are unique").toBe(names.length);
  });

  it("names only its own rules in fail cases", () => {
    const rules = new Set(ruleNamesOf(policy));
    for (const testCase of policy.cases) {
      for (const rule of testCase.rules ?? []) expect(rules, testCase.name).toContain(rule);
    }
  });

  it("gives every case its verdict on the IR engine", () => {
    const byCase = judgeCases(policy);
    policy.cases.forEach((testCase, index) => {
      const rows = byCase.get(index) ?? [];
      expect(rows.length, `${testCase.name}: one row per rule`).toBe(ruleNamesOf(policy).length);
      const failing = rows.filter((row) => row.result === "fail").map((row) => row.rule);
      expect(
        rows.filter((row) => row.result === "error"),
        testCase.name,
      ).toEqual([]);
      if (testCase.expect === "pass") {
        expect(failing, `${testCase.name} passes`).toEqual([]);
      } else if (testCase.rules) {
        // The rules a fail case names fail, and no others.
        expect(failing.sort(), testCase.name).toEqual([...testCase.rules].sort());
      } else {
        expect(failing.length, `${testCase.name} fails`).toBeGreaterThan(0);
      }
    });
  });
});

/**
 * Baseline checks a restricted check replaces at restricted level (the MANIFEST's "Checks at
 * v1.37"): PSA does not run them there.
 */
const OVERRIDDEN_AT_RESTRICTED = ["capabilities_baseline", "seccompProfile_baseline", "procMount"];

/**
 * Each policy tagged with a PSS check must agree with Pod Security Admission on all 148 v1.37
 * fixtures: it fails a fixture exactly when the MANIFEST's "Fires" column names that check.
 */
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
    const pssPolicies = policies.flatMap((policy) => {
      const tag = policy.controls.find((control) => control.startsWith("pss:"));
      if (!tag) return [];
      const [, level, check] = tag.split(":") as [string, string, string];
      return [[policy.name, policy, level, check] as const];
    });

    it("are all read", () => {
      expect(rows.length).toBe(148);
      // Every PSS v1.37 check, one policy each.
      expect(pssPolicies.length).toBe(19);
    });

    it.each(pssPolicies)(
      "%s fails exactly the fixtures its check fires on",
      (_name, policy, level, check) => {
        // A restricted check is not run at baseline, and an overridden baseline check is not
        // run at restricted: those fixtures say nothing about it.
        const judged = rows.filter((row) =>
          row.file.startsWith("restricted/")
            ? !OVERRIDDEN_AT_RESTRICTED.includes(check)
            : level === "baseline",
        );
        const resources = judged.map((row) => ({
          object: parseAllDocuments(
            readFileSync(join(psaFixtures, "test", "testdata", row.file), "utf8"),
          )[0]?.toJS() as Json,
        }));
        const failed = new Set(
          createIrEngine([policy])
            .evaluateSync(resources)
            .filter((finding) => finding.result === "fail")
            .map((finding) => judged[finding.resourceIndex]?.file),
        );
        const expected = judged.filter((row) => row.fires.includes(check)).map((row) => row.file);
        expect(expected.length).toBeGreaterThan(0);
        expect([...failed].sort()).toEqual(expected.sort());
      },
    );
  },
);

describe("examples/todo-app", () => {
  // What `charter check` judges: the policies still waiting for their signing keys are not.
  const checked = policies.filter((policy) => unconfiguredReason(policy) === undefined);

  function load(variant: "hardened" | "insecure") {
    const folder = join(examples, variant);
    return readdirSync(folder)
      .filter((name) => name.endsWith(".yaml"))
      .sort()
      .flatMap((name) =>
        parseAllDocuments(readFileSync(join(folder, name), "utf8")).map((doc) => ({
          object: doc.toJS() as Json,
        })),
      );
  }

  function failingRows(variant: "hardened" | "insecure"): string[] {
    return createIrEngine(checked)
      .evaluateSync(load(variant))
      .filter((finding) => finding.result === "fail")
      .map(
        (f) =>
          `${f.policy} | ${f.rule} | ${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ""}${f.resource.name}`,
      )
      .sort();
  }

  /** The "Expected failing (policy, rule, resource) triples" table of the README. */
  function expectedRows(): string[] {
    const readme = readFileSync(join(examples, "README.md"), "utf8");
    const section = readme.split("### Expected failing")[1]?.split("\n\n")[2] ?? "";
    return section
      .split("\n")
      .filter(
        (line) =>
          line.startsWith("| ") && !line.startsWith("| policy") && !line.startsWith("| ---"),
      )
      .map((line) =>
        line
          .split("|")
          .slice(1, 4)
          .map((cell) => cell.trim())
          .join(" | "),
      )
      .sort();
  }

  it("hardened passes every policy", () => {
    const rows = createIrEngine(checked).evaluateSync(load("hardened"));
    expect(rows.length).toBeGreaterThan(0);
    // Image rules on scans are judged only with the scans (--vuln-reports): here they are skips
    // that say so, never passes.
    const imageRules = new Set(checked.filter((p) => p.images).map((p) => p.name));
    const unjudged = rows.filter((row) => imageRules.has(row.policy));
    expect(unjudged.length).toBeGreaterThan(0);
    expect(unjudged.every((row) => row.result === "skip" && row.message === NOT_VERIFIED)).toBe(
      true,
    );
    expect(rows.filter((row) => row.result !== "pass" && !imageRules.has(row.policy))).toEqual([]);
  });

  it("insecure fails exactly the rows its README lists", () => {
    const expected = expectedRows();
    expect(expected.length).toBe(83);
    expect(failingRows("insecure")).toEqual(expected);
  });
});
