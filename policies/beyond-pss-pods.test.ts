/**
 * The container-security policies beyond the Pod Security Standards that judge pods (issue 4,
 * requirement 3): each meets the library's rules of policies.test.ts, every case holds on the
 * IR engine, every rule has its builder form in forms/beyond-pss-pods.ts, and every case holds
 * on every engine, which agree on results and messages.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { emitGatekeeper, emitKyverno, emitRego, emitVap, KYVERNO_APIS } from "@charter/compiler";
import { withParams } from "@charter/dsl";
import { type Json, type JsonObject, type Policy, validatePolicySet } from "@charter/ir";
import { createIrEngine } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCases } from "../packages/cli/src/case-runner.js";
import { chooseEngines, ENGINE_NAMES } from "../packages/cli/src/engines.js";
import disallowDefaultNamespace from "./disallow-default-namespace.js";
import disallowLatestTag from "./disallow-latest-tag.js";
import disallowSecretsInEnv from "./disallow-secrets-in-env.js";
import { FORMS } from "./forms/beyond-pss-pods.js";
import requireImageDigest from "./require-image-digest.js";
import requireImagePullPolicyAlways from "./require-image-pull-policy-always.js";
import requireReadOnlyRootFilesystem from "./require-read-only-root-filesystem.js";
import requireRequestsLimits from "./require-requests-limits.js";
import restrictServiceAccountToken from "./restrict-service-account-token.js";

const here = dirname(fileURLToPath(import.meta.url));
const hardened = join(here, "..", "examples", "todo-app", "hardened");

const beyondPssPods: readonly Policy[] = [
  disallowDefaultNamespace,
  disallowLatestTag,
  disallowSecretsInEnv,
  requireImageDigest,
  requireImagePullPolicyAlways,
  requireReadOnlyRootFilesystem,
  requireRequestsLimits,
  restrictServiceAccountToken,
];

const POD_CONTROLLER_KINDS = [
  "Deployment",
  "ReplicaSet",
  "ReplicationController",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
];

/** The tag grammar of controls.md §0, with its 12 areas (as policies.test.ts checks it). */
const CONTROL_TAG =
  /^pss:(baseline|restricted):[A-Za-z_]+$|^cis:[0-9]+(\.[0-9]+)*$|^nsa:[a-z-]+(:[a-z-]+)?$|^area:(image-scanning|runtime-monitoring|network|rbac|pod-security|admission|secrets-encryption|compliance-audit|runtime-hardening|image-signing|monitoring-alerting|escape-prevention)$/;

const byName = beyondPssPods.map((policy) => [policy.name, policy] as const);

describe("container-security policies beyond PSS (pods)", () => {
  it("are valid IR, match pods and controllers, and carry no PSS tag", () => {
    expect(() =>
      validatePolicySet({ irVersion: 1, policies: beyondPssPods }, "policies/beyond-pss-pods"),
    ).not.toThrow();
    for (const policy of beyondPssPods) {
      expect(policy.match, policy.name).toEqual({ subject: "pod", controllers: true });
      expect(
        policy.controls.filter((tag) => tag.startsWith("pss:")),
        policy.name,
      ).toEqual([]);
    }
  });

  it.each(byName)("%s: is documented, tagged by controls.md and enforced with deny", (_, p) => {
    expect(p.source?.file).toMatch(new RegExp(`policies/${p.name}\\.ts$`));
    expect(p.title.length).toBeGreaterThan(0);
    expect(p.description.length).toBeGreaterThan(40);
    expect(p.enforcement).toBe("deny");
    expect(p.controls.length).toBeGreaterThan(0);
    for (const tag of p.controls) expect(tag, "control tag").toMatch(CONTROL_TAG);
    expect(p.controls.some((tag) => tag.startsWith("area:"))).toBe(true);
    for (const rule of p.rules) {
      expect(rule.remediation, `${rule.name} remediation`).toBeTruthy();
      expect(rule.message.template, `${rule.name} says how to fix`).toMatch(/set|remove|use|push/);
      // Every message names the container or the field it is about.
      expect(rule.message.template, `${rule.name} names what`).toMatch(/container|metadata|spec/);
    }
  });

  it.each(byName)("%s: has ≥3 pass and ≥3 fail cases over Pods, controllers, YAML", (_, p) => {
    for (const expect_ of ["pass", "fail"] as const) {
      const cases = p.cases.filter((testCase) => testCase.expect === expect_);
      expect(cases.length, `${expect_} cases`).toBeGreaterThanOrEqual(3);
      const kinds = cases.map((testCase) => (testCase.resource as JsonObject).kind as string);
      expect(kinds, `${expect_} cases include a Pod`).toContain("Pod");
      expect(
        kinds.some((kind) => POD_CONTROLLER_KINDS.includes(kind)),
        `${expect_} cases include a pod controller`,
      ).toBe(true);
      expect(
        cases.some((testCase) => testCase.source?.file.includes(`cases/${p.name}/`)),
        `${expect_} cases include one from cases/${p.name}/`,
      ).toBe(true);
    }
    const names = p.cases.map((testCase) => testCase.name);
    expect(new Set(names).size, "case names are unique").toBe(names.length);
    // Every YAML file in the policy's case folder is read by it.
    const folder = join(here, "cases", p.name);
    const read = new Set(p.cases.map((testCase) => testCase.source?.file ?? ""));
    for (const file of readdirSync(folder)) {
      expect(
        [...read].some((source) => source.endsWith(`cases/${p.name}/${file}`)),
        file,
      ).toBe(true);
    }
  });

  it.each(byName)("%s: every case gives its verdict on the IR engine", (_, p) => {
    const findings = createIrEngine([p]).evaluateSync(
      p.cases.map((testCase) => ({ object: testCase.resource })),
    );
    p.cases.forEach((testCase, index) => {
      const rows = findings.filter((finding) => finding.resourceIndex === index);
      expect(rows.length, `${testCase.name}: one row per rule`).toBe(p.rules.length);
      expect(
        rows.filter((row) => row.result === "error"),
        testCase.name,
      ).toEqual([]);
      const failing = rows.filter((row) => row.result === "fail").map((row) => row.rule);
      if (testCase.expect === "pass") expect(failing, `${testCase.name} passes`).toEqual([]);
      else {
        // Every fail case names its rules: exactly those fail.
        expect(testCase.rules, `${testCase.name} names its rules`).toBeDefined();
        expect(failing.sort(), testCase.name).toEqual([...(testCase.rules ?? [])].sort());
      }
    });
  });

  it.each(byName)("%s: every rule has a builder form giving its IR (forms/)", (_, p) => {
    expect(Object.keys(FORMS[p.name] ?? {}).sort()).toEqual(p.rules.map((r) => r.name).sort());
    for (const rule of p.rules) {
      const forms = FORMS[p.name]?.[rule.name];
      expect(forms?.builder.toIR(), rule.name).toEqual(rule.condition);
      if (forms?.template) expect(forms.template.toIR(), rule.name).toEqual(rule.condition);
    }
  });

  it("compile to every target, Kyverno API and Gatekeeper engine", () => {
    const outputs = [
      emitRego(beyondPssPods),
      emitGatekeeper(beyondPssPods, { engine: "rego" }),
      emitGatekeeper(beyondPssPods, { engine: "cel" }),
      ...KYVERNO_APIS.map((api) => emitKyverno(beyondPssPods, { api })),
      emitVap(beyondPssPods),
    ];
    for (const files of outputs) expect(files.size).toBeGreaterThanOrEqual(beyondPssPods.length);
  });

  it("every engine meets every case, and they agree on results and messages", async () => {
    const { engines, missing } = chooseEngines(beyondPssPods, [...ENGINE_NAMES], true);
    expect(missing).toEqual([]);
    expect(engines.map((engine) => engine.name)).toEqual([
      "ir",
      "opa",
      "wasm",
      "gatekeeper",
      "kyverno-cel",
      "vap-cel",
      "cel-judge",
    ]);
    const reports = await runCases(beyondPssPods, engines);
    expect(reports.map((report) => [report.policy.name, report.problems])).toEqual(
      beyondPssPods.map((policy) => [policy.name, []]),
    );
  }, 300_000);
});

describe("restrict-service-account-token's label parameter", () => {
  const podLabelled = (labels: JsonObject): Json => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "runner", namespace: "ops", labels },
    spec: { containers: [{ name: "kubectl", image: "registry.example.com/ops/kubectl:1.34" }] },
  });
  const results = (policy: Policy, labels: JsonObject) =>
    createIrEngine([policy])
      .evaluateSync([{ object: podLabelled(labels) }])
      .map((row) => [row.result, row.message]);

  it("names the label that exempts a pod, and the message names it too", () => {
    const custom = withParams(restrictServiceAccountToken, { label: "example.com/kube-api" });
    expect(results(custom, { "example.com/kube-api": "yes" })).toEqual([["pass", ""]]);
    const [row] = results(custom, { "charter.dev/needs-api": "true" });
    expect(row?.[0]).toBe("fail");
    expect(row?.[1]).toContain("label the pod example.com/kube-api");
    expect(results(restrictServiceAccountToken, { "charter.dev/needs-api": "true" })).toEqual([
      ["pass", ""],
    ]);
  });
});

/** Every document of the hardened todo app, in file order. */
function hardenedApp(): Json[] {
  return readdirSync(hardened)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .flatMap((name) =>
      parseAllDocuments(readFileSync(join(hardened, name), "utf8")).map(
        (doc) => doc.toJS() as Json,
      ),
    );
}

/** `value` with every container image not yet pinned given a digest after its tag. */
function pinImages(value: Json): Json {
  if (Array.isArray(value)) return value.map(pinImages);
  if (value === null || typeof value !== "object") return value;
  const pinnedDigest = `@sha256:${"0123456789abcdef".repeat(4)}`;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) =>
      key === "image" && typeof field === "string" && !field.includes("@")
        ? [key, field + pinnedDigest]
        : [key, pinImages(field)],
    ),
  );
}

describe("examples/todo-app/hardened", () => {
  const failing = (objects: Json[]) =>
    createIrEngine(beyondPssPods)
      .evaluateSync(objects.map((object) => ({ object })))
      .filter((row) => row.result !== "pass")
      .map((row) => `${row.policy}/${row.rule}: ${row.resource.kind} ${row.resource.name}`);

  it("passes every policy here but the two that need digests, as it is", () => {
    const policiesFailed = new Set(failing(hardenedApp()).map((row) => row.split("/")[0]));
    // The lead pins the example's images by digest; then this set is empty.
    for (const name of policiesFailed) {
      expect(["require-image-digest", "require-image-pull-policy-always"]).toContain(name);
    }
  });

  it("passes every policy here once its images are pinned by digest", () => {
    const objects = hardenedApp().map(pinImages);
    expect(objects.length).toBeGreaterThan(5);
    expect(failing(objects)).toEqual([]);
  });
});
