/**
 * Cross-resource policies on the CEL engines: the shared table's Namespace-only policies on
 * `kyverno-cel`, `vap-cel` and the Kubernetes judge equal the IR engine row for row (result,
 * message, skip reason); policies listing other objects (`inventory(…)`) cannot be created on
 * any CEL engine; and `namespaceObject` as the API server binds it — labels present or
 * absent, and null for a cluster-scoped request, which must neither deny nor error.
 */
import { emitCelPolicy } from "@charter/compiler";
import { boundNamespaceObject, CharterError, type Json, type Policy } from "@charter/ir";
import { exists, message, not, policy, rule } from "@charter/test-support/build-ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import {
  CROSS_RESOURCE_CASES,
  crossResourceBatch,
  crossResourcePolicies,
} from "@charter/test-support/cross-resource-table";
import { disagreements } from "@charter/test-support/engine-disagreements";
import { describe, expect, it } from "vitest";
import { runInProcessBatch } from "../cel-in-process/batch.js";
import { celBatchOf, createInProcessCelEngine } from "../cel-in-process/engine.js";
import type { JudgeCase, JudgeResult } from "../cel-judge-client/protocol.js";
import { runCelJudge } from "../cel-judge-client/run.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Engine, Finding } from "../types.js";
import { createCelJudgeEngine } from "./engine.js";

const judge = celJudgeForTests();

const namespacePolicies = crossResourcePolicies("namespace-only");
const namespaceNames = new Set(namespacePolicies.map((p) => p.name));
const namespaceCases = CROSS_RESOURCE_CASES.filter((c) => namespaceNames.has(c.policy));
const inventoryPolicies = crossResourcePolicies("all").filter((p) => !namespaceNames.has(p.name));

const engines: Record<string, (policies: readonly Policy[]) => Engine> = {
  "kyverno-cel": (policies) => createInProcessCelEngine(policies, { name: "kyverno-cel" }),
  "vap-cel": (policies) => createInProcessCelEngine(policies, { name: "vap-cel" }),
  ...(judge
    ? { "cel-judge": (policies) => createCelJudgeEngine(policies, { judgePath: judge }) }
    : {}),
};

/** Each case's expectation, on one engine's rows. */
function expectationsMissed(findings: readonly Finding[]): string[] {
  return namespaceCases.flatMap((testCase, index) => {
    const got = Object.fromEntries(
      findings
        .filter((f) => f.resourceIndex === index && f.policy === testCase.policy)
        .map((f) => [f.rule, f.result]),
    );
    return JSON.stringify(got) === JSON.stringify(testCase.expected)
      ? []
      : [
          `${testCase.note}: expected ${JSON.stringify(testCase.expected)}, got ${JSON.stringify(got)}`,
        ];
  });
}

describe("the cross-resource table on the CEL engines", () => {
  const resources = crossResourceBatch(namespacePolicies, namespaceCases);
  const ir = createIrEngine(namespacePolicies).evaluateSync(resources);

  it("has Namespace-only cases with every outcome", () => {
    const outcomes = new Set(namespaceCases.flatMap((c) => Object.values(c.expected)));
    expect([...outcomes].sort()).toEqual(["fail", "pass", "skip"]);
    expect(expectationsMissed(ir)).toEqual([]);
  });

  it.each(Object.keys(engines))(
    "%s equals the IR engine row for row",
    async (name) => {
      const engine = (engines[name] as (p: readonly Policy[]) => Engine)(namespacePolicies);
      const rows = await engine.evaluate(resources);
      expect(disagreements(ir, rows, resources, ["ir", name])).toEqual([]);
      // A skip carries the shared reason as its only message, on every engine.
      for (const row of rows.filter((r) => r.result === "skip")) {
        expect(row.messages).toHaveLength(1);
        expect(row.messages[0]).toMatch(/namespace/i);
      }
      expect(expectationsMissed(rows)).toEqual([]);
    },
    60_000,
  );

  it.each(Object.keys(engines))("%s refuses policies that list other objects", (name) => {
    expect(inventoryPolicies.length).toBeGreaterThan(0);
    for (const policy of inventoryPolicies) {
      const create = () => (engines[name] as (p: readonly Policy[]) => Engine)([policy]);
      expect(create).toThrow(CharterError);
      expect(create).toThrow(/needs the cluster inventory \(inventory\(\.\.\.\)\)/);
      expect(create).toThrow(new RegExp(`policy "${policy.name}", rule "`));
    }
  });
});

const runtimeClass = namespacePolicies.find((p) => p.name === "xr-runtime-class") as Policy;
const untrustedPod: Json = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "apps" },
  spec: { containers: [{ name: "c", image: "nginx" }] },
};
const namespaceWith = (labels?: Json): Json => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: labels === undefined ? { name: "apps" } : { name: "apps", labels },
});

/**
 * A rule whose condition HOLDS on a missing Namespace (no team label): without the null
 * guard, a cluster-scoped request (namespaceObject null) would be denied.
 */
const teamRequired = policy("xr-team-required", [
  rule(
    "team",
    not(exists({ kind: "ref", root: { kind: "namespace" }, path: ["metadata", "labels", "team"] })),
    message("namespace has no team label"),
  ),
]);

/** The "untrusted" rule of xr-runtime-class and the "team" rule above, as one judge batch. */
function untrustedBatch(cases: readonly JudgeCase[]) {
  const untrusted = celBatchOf(emitCelPolicy(runtimeClass, { params: "inline", object: "object" }));
  const team = celBatchOf(
    emitCelPolicy(teamRequired, { params: "inline", object: "object", variablePrefix: "t_" }),
  );
  return {
    variables: [...untrusted.variables, ...team.variables],
    expressions: [
      ...untrusted.expressions.filter((e) => e.id === "untrusted"),
      ...team.expressions,
    ],
    cases,
  };
}

const NAMESPACE_REQUESTS: readonly JudgeCase[] = [
  {
    id: "labelled",
    object: untrustedPod,
    namespaceObject: namespaceWith({ "charter.dev/untrusted": "true" }),
  },
  {
    id: "other-value",
    object: untrustedPod,
    namespaceObject: namespaceWith({ "charter.dev/untrusted": "yes" }),
  },
  { id: "no-labels", object: untrustedPod, namespaceObject: namespaceWith() },
  { id: "empty-labels", object: untrustedPod, namespaceObject: namespaceWith({}) },
  { id: "team-labelled", object: untrustedPod, namespaceObject: namespaceWith({ team: "a" }) },
  // Cluster-scoped (or no Namespace known): namespaceObject is null.
  { id: "null", object: untrustedPod },
];

const TEAM_MISSING = { value: false, message: "namespace has no team label" };
const EXPECTED: Record<string, Pick<JudgeResult, "value" | "message">> = {
  "labelled untrusted": {
    value: false,
    message: "namespace apps is untrusted; set a runtime class",
  },
  "labelled team": TEAM_MISSING,
  "other-value untrusted": { value: true },
  "other-value team": TEAM_MISSING,
  "no-labels untrusted": { value: true },
  "no-labels team": TEAM_MISSING,
  "empty-labels untrusted": { value: true },
  "empty-labels team": TEAM_MISSING,
  "team-labelled untrusted": { value: true },
  "team-labelled team": { value: true },
  // namespaceObject null: neither rule denies, neither errors.
  "null untrusted": { value: true },
  "null team": { value: true },
};

function verdicts(results: readonly JudgeResult[]) {
  return Object.fromEntries(
    results.map((r) => [
      `${r.case} ${r.expression}`,
      {
        value: r.value,
        ...(r.message !== undefined ? { message: r.message } : {}),
        ...(r.error ? { error: r.error } : {}),
      },
    ]),
  );
}

describe("namespaceObject in the emitted CEL", () => {
  it("in process: labels present or absent, and null neither denies nor errors", () => {
    expect(verdicts(runInProcessBatch(untrustedBatch(NAMESPACE_REQUESTS)))).toEqual(EXPECTED);
  });

  it.skipIf(!judge)("on the Kubernetes judge: the same verdicts", async () => {
    const output = await runCelJudge(judge as string, untrustedBatch(NAMESPACE_REQUESTS));
    expect(output.compileErrors).toEqual([]);
    expect(verdicts(output.results)).toEqual(EXPECTED);
  });

  it.skipIf(!judge)("the bound Namespace reads alike in process and on the judge", async () => {
    const full: Json = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "apps",
        uid: "u-1",
        generation: 2,
        labels: { a: "1", b: "" },
        annotations: { note: "x" },
        ownerReferences: [{ apiVersion: "v1", kind: "X", name: "n", uid: "q" }],
        managedFields: [{ manager: "m" }],
        finalizers: ["f"],
      },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    };
    const probe = {
      id: "probe",
      expression: "false",
      messageExpression:
        "string(dyn(namespaceObject).map(k, k).size()) + ' ' + dyn(namespaceObject.metadata).map(k, k).filter(k, !(k in ['labels', 'annotations', 'finalizers'])).map(k, k + '=' + string(dyn(namespaceObject.metadata)[k])).join(',') + ' ' + dyn(namespaceObject.metadata.labels).map(k, k + '=' + namespaceObject.metadata.labels[k]).join(',') + ' ' + namespaceObject.spec.finalizers.join(',') + ' ' + namespaceObject.status.phase",
    };
    const batch = {
      expressions: [probe],
      cases: [{ id: "full", object: untrustedPod, namespaceObject: full }],
    };
    const sorted = (r: JudgeResult) =>
      (r.message ?? "")
        .split(" ")
        .map((part) => part.split(",").sort().join(","))
        .join(" ");
    const [onJudge] = (await runCelJudge(judge as string, batch)).results;
    const [inProcess] = runInProcessBatch(batch);
    expect(sorted(onJudge as JudgeResult)).toBe(
      "3 generation=2,name=apps,uid=u-1 a=1,b= kubernetes Active",
    );
    expect(sorted(inProcess as JudgeResult)).toBe(sorted(onJudge as JudgeResult));
    // What the judge engine sends is already the bound form, so the two cannot drift apart.
    expect(boundNamespaceObject(boundNamespaceObject(full))).toEqual(boundNamespaceObject(full));
  });
});
