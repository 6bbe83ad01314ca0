/**
 * Label selectors in a policy's match (IR LabelSelector), end to end: every operator on
 * resources with and without matching labels — strings, non-strings, null, a labels value that
 * is not a map, a controller whose template's labels differ from its own — gives the same
 * verdicts (pass / fail / skip / not judged) on the IR engine, real OPA, the Gatekeeper engine,
 * the Kubernetes CEL judge and the in-process CEL engine. The emitted CEL match condition
 * is also judged on every resource, selected or not, against the IR matcher.
 */
import { emitCelPolicy, LABELS_CONDITION } from "@charter/compiler";
import type { Json, JsonObject, LabelSelector, Policy } from "@charter/ir";
import {
  any,
  containers,
  eq,
  kindsMatch,
  lit,
  obj,
  podMatch,
  policy,
  rule,
  v,
} from "@charter/test-support/build-ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { opaForTests } from "@charter/test-support/opa-for-tests";
import { describe, expect, it } from "vitest";
import { runInProcessBatch } from "./cel-in-process/batch.js";
import { createInProcessCelEngine } from "./cel-in-process/engine.js";
import type { JudgeBatch } from "./cel-judge-client/protocol.js";
import { runCelJudge } from "./cel-judge-client/run.js";
import { createCelJudgeEngine } from "./cel-judge-engine/engine.js";
import { createGatekeeperEngine } from "./gatekeeper/engine.js";
import { createIrEngine } from "./ir-engine/engine.js";
import { labelsSelected, policyApplies } from "./match.js";
import { createOpaEngine } from "./opa/engine.js";
import type { Engine, Finding, Resource } from "./types.js";
import { isObject } from "./value.js";

const privileged = rule(
  "privileged",
  any("c", containers(), eq(v("c", "securityContext", "privileged"), lit(true))),
);

function podPolicy(name: string, labels: LabelSelector): Policy {
  const base = policy(name, [privileged]);
  return { ...base, match: { ...podMatch(true), labels } };
}

const ENV = "example.com/env";

const policies: readonly Policy[] = [
  podPolicy("match-labels", { matchLabels: { app: "web" } }),
  podPolicy("in", { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }),
  podPolicy("not-in", { matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] }),
  podPolicy("exists", { matchExpressions: [{ key: "app", operator: "Exists" }] }),
  podPolicy("does-not-exist", { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }),
  podPolicy("all-of", {
    matchLabels: { tier: "front", app: "web" },
    matchExpressions: [
      { key: ENV, operator: "NotIn", values: ["prod", "staging"] },
      { key: "app", operator: "Exists" },
    ],
  }),
  podPolicy("empty-selector", {}),
  {
    ...policy("config-maps", [rule("big", eq(obj("data", "size"), lit("big")))]),
    match: {
      ...kindsMatch([{ group: "", kind: "ConfigMap" }]),
      namespaces: { exclude: ["kube-system"] },
      labels: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
    },
  },
];

const spec = (isPrivileged: boolean) => ({
  containers: [{ name: "c", securityContext: { privileged: isPrivileged } }],
});

function pod(name: string, labels: Json | undefined, isPrivileged = true): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "prod", ...(labels !== undefined ? { labels } : {}) },
    spec: spec(isPrivileged),
  };
}

/** A Deployment whose own labels and whose template's labels are given separately. */
function deployment(name: string, own: Json | undefined, template: Json | undefined): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "prod", ...(own !== undefined ? { labels: own } : {}) },
    spec: {
      template: {
        metadata: template !== undefined ? { labels: template } : {},
        spec: spec(true),
      },
    },
  };
}

const objects: readonly JsonObject[] = [
  pod("no-labels", undefined),
  pod("web", { app: "web" }),
  pod("web-passing", { app: "web" }, false),
  pod("api", { app: "api" }),
  pod("db", { app: "db" }),
  pod("web-front", { app: "web", tier: "front" }),
  pod("web-front-prod", { app: "web", tier: "front", [ENV]: "prod" }),
  pod("web-front-dev", { app: "web", tier: "front", [ENV]: "dev" }),
  pod("number", { app: 1 }),
  pod("boolean", { app: true }),
  pod("list", { app: ["web"] }),
  pod("null", { app: null }),
  pod("empty-string", { app: "" }),
  pod("labels-null", null),
  pod("labels-string", "app=web"),
  pod("labels-list", ["app", "web"]),
  { apiVersion: "v1", kind: "Pod", metadata: "odd", spec: spec(true) },
  deployment("own-web", { app: "web" }, undefined),
  deployment("template-web", undefined, { app: "web" }),
  deployment("template-db", { app: "web" }, { app: "db" }),
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "no-template-web", labels: { app: "web" } },
    spec: {},
  },
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "no-template-db", labels: { app: "db" } },
    spec: {},
  },
  {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cm-web", labels: { app: "web" } },
    data: { size: "big" },
  },
  {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cm-web-system", namespace: "kube-system", labels: { app: "web" } },
    data: { size: "big" },
  },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm-db", labels: { app: "db" } } },
];

const resources: readonly Resource[] = objects.map((object) => ({ object }));

/** Which objects (by name) each policy judges, written by hand from the semantics. */
const SELECTED: Readonly<Record<string, readonly string[]>> = {
  "match-labels": [
    "web",
    "web-passing",
    "web-front",
    "web-front-prod",
    "web-front-dev",
    "own-web",
    "template-db",
    "no-template-web",
  ],
  in: [
    "web",
    "web-passing",
    "api",
    "web-front",
    "web-front-prod",
    "web-front-dev",
    "own-web",
    "template-db",
    "no-template-web",
  ],
  "not-in": [
    "no-labels",
    "api",
    "db",
    "number",
    "boolean",
    "list",
    "null",
    "empty-string",
    "labels-null",
    "labels-string",
    "labels-list",
    "odd",
    "template-web",
    "no-template-db",
  ],
  exists: [
    "web",
    "web-passing",
    "api",
    "db",
    "web-front",
    "web-front-prod",
    "web-front-dev",
    "number",
    "boolean",
    "list",
    "empty-string",
    "own-web",
    "template-db",
    "no-template-web",
    "no-template-db",
  ],
  "does-not-exist": [
    "no-labels",
    "null",
    "labels-null",
    "labels-string",
    "labels-list",
    "odd",
    "template-web",
  ],
  "all-of": ["web-front", "web-front-dev"],
  "empty-selector": objects.filter((o) => o.kind !== "ConfigMap").map(nameOf),
  "config-maps": ["cm-web"],
};

function nameOf(object: JsonObject): string {
  const metadata = object.metadata;
  return isObject(metadata) ? String(metadata.name) : "odd";
}

type Row = readonly [policy: string, resource: string, rule: string, result: string];

function rows(findings: readonly Finding[]): Row[] {
  return findings
    .map((f): Row => {
      const object = objects[f.resourceIndex ?? -1];
      return [f.policy, object ? nameOf(object) : "?", f.rule, f.result];
    })
    .sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000")));
}

describe("label selectors: the IR matcher", () => {
  it.each(policies.map((p) => [p.name, p] as const))(
    "%s selects exactly what it says",
    (name, p) => {
      const selected = objects.filter((o) => policyApplies(p, o) !== "no").map(nameOf);
      expect(selected.sort()).toEqual([...(SELECTED[name] ?? [])].sort());
    },
  );

  it("skips a selected controller without a template, and never judges an unselected one", () => {
    const byName = (name: string) => objects.find((o) => nameOf(o) === name) as JsonObject;
    const inPolicy = policies[1] as Policy;
    expect(policyApplies(inPolicy, byName("no-template-web"))).toBe("skip");
    expect(policyApplies(inPolicy, byName("no-template-db"))).toBe("no");
  });

  it("reads a controller's own labels, not its template's", () => {
    const selector: LabelSelector = { matchLabels: { app: "web" } };
    expect(labelsSelected(deployment("d", undefined, { app: "web" }), selector)).toBe(false);
    expect(labelsSelected(deployment("d", { app: "web" }, { app: "db" }), selector)).toBe(true);
  });
});

const opa = opaForTests();
const judge = celJudgeForTests();

describe.skipIf(opa === undefined || judge === undefined)("label selectors on every engine", () => {
  it("gives identical verdicts on IR, OPA, Gatekeeper, the CEL judge and in-process CEL", async () => {
    const engines: Engine[] = [
      createIrEngine(policies),
      createOpaEngine(policies, { opaPath: opa as string }),
      createGatekeeperEngine(policies, { opaPath: opa as string }),
      createCelJudgeEngine(policies, { judgePath: judge as string }),
      createInProcessCelEngine(policies, { name: "kyverno-cel" }),
    ];
    const [ir, ...others] = await Promise.all(
      engines.map(async (engine) => ({
        name: engine.name,
        rows: rows(await engine.evaluate(resources)),
      })),
    );
    // The IR rows themselves are what the semantics say: selected objects only, skip for a
    // controller without a template, fail exactly when privileged.
    const expected: Row[] = [];
    for (const p of policies) {
      for (const object of objects) {
        if (!(SELECTED[p.name] ?? []).includes(nameOf(object))) continue;
        const name = nameOf(object);
        const result = name.startsWith("no-template")
          ? "skip"
          : name === "web-passing" || name === "cm-db"
            ? "pass"
            : "fail";
        for (const r of p.rules) expected.push([p.name, name, r.name, result]);
      }
    }
    expected.sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000")));
    expect(ir?.rows).toEqual(expected);
    for (const other of others)
      expect({ engine: other.name, rows: other.rows }).toEqual({
        engine: other.name,
        rows: ir?.rows,
      });
  });

  it("the emitted match condition agrees with the matcher on every object, selected or not", async () => {
    const batch: JudgeBatch = {
      variables: [],
      expressions: policies.flatMap((p) => {
        const condition = emitCelPolicy(p, {
          params: "inline",
          object: "object",
        }).matchConditions.find((c) => c.name === LABELS_CONDITION);
        return condition ? [{ id: p.name, expression: condition.expression }] : [];
      }),
      cases: objects.map((object, index) => ({ id: String(index), object })),
    };
    expect(batch.expressions.map((e) => e.id)).toEqual(
      policies.filter((p) => p.name !== "empty-selector").map((p) => p.name),
    );
    const expected = objects.flatMap((object, index) =>
      batch.expressions.map((e) => ({
        case: String(index),
        expression: e.id,
        value: labelsSelected(object, policies.find((p) => p.name === e.id)?.match.labels),
      })),
    );
    const strip = (
      results: readonly { case: string; expression: string; value: boolean | null }[],
    ) => results.map((r) => ({ case: r.case, expression: r.expression, value: r.value }));
    const output = await runCelJudge(judge as string, batch);
    expect(output.compileErrors).toEqual([]);
    expect(strip(output.results)).toEqual(expected);
    expect(strip(runInProcessBatch(batch))).toEqual(expected);
  });
});
