/**
 * Exceptions as the VAP and Kyverno targets carry them — CEL folded into the validations and
 * each exception's match CEL — judged by the Kubernetes API server's CEL, agree with
 * `applyExceptions` on the IR engine for every match field.
 */
import type { Json, PolicyException } from "@charter/ir";
import { containers, lit, podMatch, policy, q, rule, str, v } from "@charter/test-support/build-ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { describe, expect, it } from "vitest";
import { applyExceptions } from "../exceptions/apply.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding, Resource } from "../types.js";
import { createCelJudgeEngine } from "./engine.js";

const judge = celJudgeForTests();

const images = policy(
  "images",
  [
    rule("latest", q("any", "c", containers(), str(v("c", "image"), "endsWith", lit(":latest")))),
    rule(
      "untrusted",
      q("any", "c", containers(), str(v("c", "image"), "startsWith", lit("evil/"))),
    ),
  ],
  { match: podMatch() },
);

const base = { reason: "r", owner: "team", policy: "images" } as const;
const exceptions: PolicyException[] = [
  {
    ...base,
    name: "by-namespace",
    rules: ["latest"],
    match: { namespaces: ["legacy"] },
    expires: "2030-01-01",
  },
  { ...base, name: "by-name", match: { names: ["job-?x*"] }, expires: "2030-01-01" },
  {
    ...base,
    name: "by-kind-label",
    rules: ["untrusted"],
    match: {
      kinds: [{ group: "apps", kind: "Deployment" }],
      labels: {
        matchLabels: { tier: "batch" },
        matchExpressions: [{ key: "debug", operator: "DoesNotExist" }],
      },
    },
    expires: "2030-01-01T12:00:00Z",
  },
  {
    ...base,
    name: "by-image",
    match: { images: ["registry.example.com/legacy/*"] },
    expires: "2030-01-01",
  },
  { ...base, name: "expired", match: { namespaces: ["old"] }, expires: "2020-01-01" },
];

const podObject = (meta: Record<string, Json>, spec: Record<string, Json[]>): Json => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: meta,
  spec,
});
const deployment = (meta: Record<string, Json>, spec: Record<string, Json[]>): Json => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: meta,
  spec: { template: { metadata: {}, spec } },
});
const c = (image: Json) => ({ name: "c", image });
const bad = { containers: [c("evil/x:latest")] };
const legacy = "registry.example.com/legacy/app:latest";

const objects: Json[] = [
  podObject({ name: "a", namespace: "legacy" }, bad), // latest excused, untrusted not
  podObject({ name: "a", namespace: "other" }, bad),
  podObject({ name: "a", namespace: "old" }, bad), // expired: not excused
  podObject({ name: "job-1x-run", namespace: "other" }, bad), // glob ? and *
  podObject({ name: "job-x", namespace: "other" }, bad), // `?` needs one character
  podObject({ generateName: "job-2x-", namespace: "other" }, bad), // generateName stands in
  deployment({ name: "d", labels: { tier: "batch" } }, bad),
  deployment({ name: "d", labels: { tier: "batch", debug: "1" } }, bad),
  deployment({ name: "d", labels: { tier: ["batch"] } as Json as Record<string, Json> }, bad),
  {
    apiVersion: "apps/v1beta9",
    kind: "Deployment",
    metadata: { name: "d", labels: { tier: "batch" } },
    spec: { template: { spec: bad } },
  },
  {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "d", labels: { tier: "batch" } },
    spec: { template: { spec: bad } },
  },
  podObject({ name: "i" }, { containers: [c(legacy)], initContainers: [c(legacy)] }),
  podObject({ name: "i" }, { containers: [c(legacy)], initContainers: [c("evil/sidecar:latest")] }),
  podObject({ name: "i" }, { containers: [c(legacy)], ephemeralContainers: [c(null)] }),
  podObject({ name: "i" }, { containers: [c(legacy), "not a container"] }),
  podObject({ name: "i" }, { containers: [], initContainers: [c(legacy)] }),
  deployment({ name: "i" }, { containers: [c(legacy)] }),
  {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "i" },
    spec: { jobTemplate: { spec: { template: { spec: { containers: [c(legacy)] } } } } },
  },
  {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "i" },
    spec: { jobTemplate: { spec: { template: { spec: { containers: [c("x:latest")] } } } } },
  },
];

const now = Date.parse("2026-06-01T00:00:00Z");

describe.skipIf(!judge)("exceptions folded into CEL, on the Kubernetes CEL judge", () => {
  it("excuse exactly the rows applyExceptions excuses, naming the same exception", async () => {
    const resources: Resource[] = objects.map((object) => ({ object }));
    const ir = applyExceptions(
      createIrEngine([images]).evaluateSync(resources),
      resources,
      exceptions,
      now,
    ).findings;
    const cel = await createCelJudgeEngine([images], {
      judgePath: judge as string,
      exceptions,
      now,
    }).evaluate(resources);
    const rows = (findings: readonly Finding[]) =>
      findings.map((f) => `${f.resourceIndex} ${f.rule} ${f.result} ${f.exception?.name ?? "-"}`);
    expect(rows(cel)).toEqual(rows(ir));
    // The cases cover each field both ways.
    const used = new Set(ir.map((f) => f.exception?.name).filter(Boolean));
    expect(used).toEqual(new Set(["by-namespace", "by-name", "by-kind-label", "by-image"]));
    expect(ir.filter((f) => f.result === "fail").length).toBeGreaterThan(10);
  });
});
