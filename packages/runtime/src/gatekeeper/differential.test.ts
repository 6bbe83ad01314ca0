/**
 * Differential test: generated resources — missing fields, nulls, odd types, astral
 * characters, large integers, hostile strings, and namespaces the Constraints include or
 * exclude — through the IR engine and the Gatekeeper engine (real OPA on the templates, in
 * Gatekeeper's input shape). They must agree on every (policy, rule, resource) result and on
 * the messages. A fixed seed runs every time, plus one random seed printed for replay.
 */
import type { Json, Policy } from "@charter/ir";
import { opaForTests } from "@charter/test-support/opa-for-tests";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import policies from "../../../../policies/index.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding, Resource } from "../types.js";
import { createGatekeeperEngine } from "./engine.js";

const RESOURCES_PER_SEED = Number(process.env.CHARTER_GATEKEEPER_DIFFERENTIAL_COUNT ?? 1500);

const hostile = fc.constantFrom(
  "",
  "registry.example.com/",
  "registry.example.com/app:1",
  "docker.io/library/nginx",
  'quote"back\\slash',
  "new\nline",
  "{{c.image}}",
  "$(rm -rf)",
  "- yaml: [indicator]",
  "𝒳-astral-😀",
  "é",
  "true",
  "0",
);
const scalar: fc.Arbitrary<Json> = fc.oneof(
  hostile,
  fc.boolean(),
  fc.constant(null),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.constantFrom(0, 1, -1, 1000, 65534),
  fc.string({ unit: "grapheme", maxLength: 6 }),
);
const maybe = (value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: value },
    { weight: 1, arbitrary: scalar },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
const securityContext = fc.record(
  {
    privileged: maybe(fc.boolean()),
    runAsNonRoot: maybe(fc.boolean()),
    allowPrivilegeEscalation: maybe(fc.boolean()),
  },
  { requiredKeys: [] },
);
const container = fc.record(
  { name: maybe(hostile), image: maybe(hostile), securityContext: maybe(securityContext) },
  { requiredKeys: [] },
);
const containers = maybe(
  fc.array(fc.oneof({ weight: 5, arbitrary: container }, { weight: 1, arbitrary: scalar }), {
    maxLength: 3,
  }),
);
const podSpec = fc.record(
  {
    containers,
    initContainers: containers,
    ephemeralContainers: containers,
    hostNetwork: maybe(fc.boolean()),
    hostPID: maybe(fc.boolean()),
    hostIPC: maybe(fc.boolean()),
    securityContext: maybe(fc.record({ runAsNonRoot: maybe(fc.boolean()) }, { requiredKeys: [] })),
    volumes: maybe(
      fc.array(
        fc.record(
          { name: maybe(hostile), hostPath: maybe(fc.record({ path: maybe(hostile) })) },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
    ),
  },
  { requiredKeys: [] },
);
const kinds: [string, string, (spec: Json) => Json][] = [
  ["v1", "Pod", (spec) => spec],
  ["apps/v1", "Deployment", (spec) => ({ template: { spec } })],
  ["apps/v1", "StatefulSet", (spec) => ({ template: { spec } })],
  ["apps/v1", "DaemonSet", (spec) => ({ template: { spec } })],
  ["apps/v1", "ReplicaSet", (spec) => ({ template: { spec } })],
  ["batch/v1", "Job", (spec) => ({ template: { spec } })],
  ["batch/v1", "CronJob", (spec) => ({ jobTemplate: { spec: { template: { spec } } } })],
  ["v1", "ReplicationController", (spec) => ({ template: { spec } })],
  ["apps/v1", "Deployment", () => ({ template: "not a template" })],
  ["v1", "Service", () => ({ ports: [] })],
];
const namespace = fc.option(fc.constantFrom("default", "prod", "kube-system", "team-a", ""));
const resource: fc.Arbitrary<Resource> = fc
  .tuple(fc.nat({ max: kinds.length - 1 }), podSpec, fc.nat(), namespace)
  .map(([which, spec, n, ns]) => {
    const [apiVersion, kind, wrap] = kinds[which] as (typeof kinds)[number];
    const clean = JSON.parse(JSON.stringify(spec)) as Json; // drops undefined keys
    return {
      object: {
        apiVersion,
        kind,
        metadata: { name: `r${n}`, ...(ns !== null ? { namespace: ns } : {}) },
        spec: wrap(clean),
      },
    };
  });

/** The library, plus copies that include or exclude namespaces, to exercise the match. */
const filtered: Policy[] = policies.slice(0, 2).flatMap((p) => [
  { ...p, name: `${p.name}-in-prod`, match: { ...p.match, namespaces: { include: ["prod"] } } },
  {
    ...p,
    name: `${p.name}-not-kube`,
    match: { ...p.match, namespaces: { exclude: ["kube-system", "default"] } },
  },
]);
const judged = [...policies, ...filtered];

function key(f: Finding): string {
  return `${f.resourceIndex} ${f.policy} ${f.rule}`;
}

function disagreements(
  ir: readonly Finding[],
  gatekeeper: readonly Finding[],
  resources: readonly Resource[],
): string[] {
  const byKey = new Map(gatekeeper.map((f) => [key(f), f]));
  const problems: string[] = [];
  for (const f of ir) {
    const g = byKey.get(key(f));
    byKey.delete(key(f));
    if (!g || g.result !== f.result || JSON.stringify(g.messages) !== JSON.stringify(f.messages)) {
      problems.push(
        `${f.policy}/${f.rule} on ${JSON.stringify(resources[f.resourceIndex]?.object)}: ir=${f.result} ${JSON.stringify(f.messages)} gatekeeper=${g ? `${g.result} ${JSON.stringify(g.messages)}` : "no row"}`,
      );
    }
  }
  for (const g of byKey.values()) {
    problems.push(`${g.policy}/${g.rule} on resource ${g.resourceIndex}: only gatekeeper answered`);
  }
  return problems;
}

const opa = opaForTests();

describe.skipIf(!opa)("differential: IR engine vs the Gatekeeper templates on real OPA", () => {
  const seeds = [20261127, Math.floor(Math.random() * 2 ** 31)];
  it.each(seeds)(
    "seed %i agrees on every generated resource",
    async (seed) => {
      const replay = process.env.CHARTER_DIFFERENTIAL_SEED;
      console.log(
        `gatekeeper differential seed ${seed} (replay: CHARTER_DIFFERENTIAL_SEED=${seed})`,
      );
      const resources = fc.sample(resource, {
        seed: Number(replay ?? seed),
        numRuns: RESOURCES_PER_SEED,
      });
      const ir = createIrEngine(judged).evaluateSync(resources);
      const gatekeeper = await createGatekeeperEngine(judged, { opaPath: opa as string }).evaluate(
        resources,
      );
      expect(ir.length).toBeGreaterThan(resources.length);
      expect(ir.filter((f) => f.result === "fail").length).toBeGreaterThan(0);
      expect(ir.filter((f) => f.result === "skip").length).toBeGreaterThan(0);
      expect(disagreements(ir, gatekeeper, resources).slice(0, 5)).toEqual([]);
    },
    300_000,
  );
});
