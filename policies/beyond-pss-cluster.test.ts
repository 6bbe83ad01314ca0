/**
 * The library's policies on cluster objects other than pods (Services, Ingress,
 * NetworkPolicy, Istio PeerAuthentication, RBAC, EncryptionConfiguration), before they join the
 * index: each policy's own cases give their verdicts on the IR engine, and every engine meets
 * every case and agrees with the others on every rule and message.
 */
import type { JsonObject, Policy } from "@charter/ir";
import { validatePolicySet } from "@charter/ir";
import { caseResources, createIrEngine } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { runCases } from "../packages/cli/src/case-runner.js";
import { chooseEngines, ENGINE_NAMES } from "../packages/cli/src/engines.js";
import disallowAllowAllIngressNetworkpolicy from "./disallow-allow-all-ingress-networkpolicy.js";
import disallowAnonymousBindings from "./disallow-anonymous-bindings.js";
import { FORMS } from "./forms/beyond-pss-cluster.js";
import requireEncryptionConfig from "./require-encryption-config.js";
import requireIngressTls from "./require-ingress-tls.js";
import requirePeerAuthenticationStrict from "./require-peer-authentication-strict.js";
import restrictClusterAdminBindings from "./restrict-cluster-admin-bindings.js";
import restrictRbacEscalationVerbs from "./restrict-rbac-escalation-verbs.js";
import restrictRbacWildcards from "./restrict-rbac-wildcards.js";
import restrictSecretsRead from "./restrict-secrets-read.js";
import restrictServiceExternalAccess from "./restrict-service-external-access.js";

const policies: readonly Policy[] = [
  disallowAllowAllIngressNetworkpolicy,
  disallowAnonymousBindings,
  requireEncryptionConfig,
  requireIngressTls,
  requirePeerAuthenticationStrict,
  restrictClusterAdminBindings,
  restrictRbacEscalationVerbs,
  restrictRbacWildcards,
  restrictSecretsRead,
  restrictServiceExternalAccess,
];

describe("beyond PSS: cluster objects", () => {
  it("is valid IR with unique names", () => {
    expect(() => validatePolicySet({ irVersion: 1, policies }, "beyond-pss-cluster")).not.toThrow();
  });

  describe.each(policies.map((policy) => [policy.name, policy] as const))("%s", (_, policy) => {
    it("gives every case its verdict on the IR engine", () => {
      const findings = createIrEngine([policy]).evaluateSync(caseResources([policy]));
      policy.cases.forEach((testCase, index) => {
        const rows = findings.filter((finding) => finding.resourceIndex === index);
        expect(rows.length, `${testCase.name}: one row per rule`).toBe(policy.rules.length);
        expect(rows.filter((row) => row.result !== "pass" && row.result !== "fail")).toEqual([]);
        const failing = rows.filter((row) => row.result === "fail").map((row) => row.rule);
        if (testCase.expect === "pass") expect(failing, testCase.name).toEqual([]);
        else expect(failing.sort(), testCase.name).toEqual([...(testCase.rules ?? [])].sort());
      });
    });

    it("has at least 3 pass and 3 fail cases, a YAML case file, and a fail case per rule", () => {
      for (const expected of ["pass", "fail"] as const) {
        const cases = policy.cases.filter((testCase) => testCase.expect === expected);
        expect(cases.length, expected).toBeGreaterThanOrEqual(3);
      }
      const names = policy.cases.map((testCase) => testCase.name);
      expect(new Set(names).size, "case names are unique").toBe(names.length);
      const yamlFiles = policy.cases.flatMap((testCase) => testCase.source?.file ?? []);
      expect(
        yamlFiles.some((file) => file.includes(`/cases/${policy.name}/`) && file.endsWith(".yaml")),
        "a case from policies/cases/<policy>/",
      ).toBe(true);
      const named = new Set(policy.cases.flatMap((testCase) => testCase.rules ?? []));
      for (const rule of policy.rules) {
        expect(named, `a fail case for ${rule.name}`).toContain(rule.name);
        expect(rule.remediation, `${rule.name} remediation`).toBeTruthy();
        const text = rule.message.template.replace(/\{\{.*?\}\}/g, "");
        expect(text, `${rule.name} names a field`).toMatch(/[a-z][a-zA-Z]*(\.[a-zA-Z]|\[\])/);
        expect(text, `${rule.name} says how to fix`).toMatch(
          /\b(set|remove|use|add|list|bind|grant|move|make)\b/,
        );
      }
    });

    it("has a builder form for every rule, giving the rule's IR (forms/beyond-pss-cluster.ts)", () => {
      expect(Object.keys(FORMS[policy.name] ?? {}).sort()).toEqual(
        policy.rules.map((rule) => rule.name).sort(),
      );
      for (const rule of policy.rules) {
        const forms = FORMS[policy.name]?.[rule.name];
        expect(forms?.builder.toIR(), rule.name).toEqual(rule.condition);
        if (forms?.template) expect(forms.template.toIR(), rule.name).toEqual(rule.condition);
      }
    });

    it("names controls only in the grammar of controls.md", () => {
      expect(policy.controls.length).toBeGreaterThan(0);
      for (const control of policy.controls)
        expect(control).toMatch(/^(cis:[0-9.]+|nsa:[a-z-]+(:[a-z-]+)?|area:[a-z-]+)$/);
      expect(policy.controls.some((control) => control.startsWith("area:"))).toBe(true);
    });

    it("every case resource is of a kind the policy matches", () => {
      if (policy.match.subject !== "kinds") throw new Error("expected a kinds match");
      const kinds = policy.match.kinds.map((kind) => kind.kind);
      for (const testCase of policy.cases)
        expect(kinds, testCase.name).toContain((testCase.resource as JsonObject).kind);
    });
  });
});

it("forms/beyond-pss-cluster.ts covers exactly these policies", () => {
  expect(Object.keys(FORMS).sort()).toEqual(policies.map((policy) => policy.name).sort());
});

describe("every engine", () => {
  it("meets every case and agrees on every rule and message", async () => {
    const { engines } = chooseEngines(policies, [...ENGINE_NAMES], true);
    expect(engines.map((engine) => engine.name).sort()).toEqual([...ENGINE_NAMES].sort());
    const reports = await runCases(policies, engines);
    expect(reports.flatMap((report) => report.problems)).toEqual([]);
    expect(reports.length).toBe(policies.length);
  }, 180_000);
});
