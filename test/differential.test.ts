/**
 * Differential test: generated resources — missing fields, nulls, odd types, astral characters,
 * large integers and hostile strings — through the IR engine and real OPA on the emitted Rego.
 * They must agree on every (policy, rule, resource) result and on the messages.
 * A fixed seed runs every time, plus one random seed that is printed for replay.
 */

import type { Json } from "@charter/ir";
import {
  createIrEngine,
  createOpaEngine,
  type Finding,
  findOpa,
  type Resource,
} from "@charter/runtime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import policies from "../policies/index.js";
import { requireEngine } from "./support/engines.js";

const RESOURCES_PER_SEED = Number(process.env.CHARTER_DIFFERENTIAL_COUNT ?? 5000);

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
  fc.constantFrom(0, 1, 1.0, -1, 1000, 65534),
  fc.string({ unit: "grapheme", maxLength: 6 }),
);
// Values may be of the wrong type or absent; absent keys are dropped before use.
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
  {
    name: maybe(hostile),
    image: maybe(hostile),
    securityContext: maybe(securityContext),
  },
  { requiredKeys: [] },
);
const containers = maybe(
  fc.array(fc.oneof({ weight: 5, arbitrary: container }, { weight: 1, arbitrary: scalar }), {
    maxLength: 3,
  }),
);
const volume = fc.record(
  {
    name: maybe(hostile),
    hostPath: maybe(fc.record({ path: maybe(hostile) })),
    emptyDir: maybe(fc.constant({})),
  },
  { requiredKeys: [] },
);
const podSpec = fc.record(
  {
    containers,
    initContainers: containers,
    ephemeralContainers: containers,
    hostNetwork: maybe(fc.boolean()),
    hostPID: maybe(fc.boolean()),
    hostIPC: maybe(fc.boolean()),
    hostUsers: maybe(fc.boolean()),
    securityContext: maybe(fc.record({ runAsNonRoot: maybe(fc.boolean()) }, { requiredKeys: [] })),
    volumes: maybe(fc.array(volume, { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

const controllers: [string, string, (spec: Json) => Json][] = [
  ["v1", "Pod", (spec) => spec],
  ["apps/v1", "Deployment", (spec) => ({ template: { spec } })],
  ["apps/v1", "StatefulSet", (spec) => ({ template: { spec } })],
  ["apps/v1", "DaemonSet", (spec) => ({ template: { spec } })],
  ["batch/v1", "Job", (spec) => ({ template: { spec } })],
  ["batch/v1", "CronJob", (spec) => ({ jobTemplate: { spec: { template: { spec } } } })],
  ["v1", "ReplicationController", (spec) => ({ template: { spec } })],
];

const resource: fc.Arbitrary<Resource> = fc
  .tuple(fc.nat({ max: controllers.length - 1 }), podSpec, fc.nat(), fc.option(hostile))
  .map(([which, spec, n, namespace]) => {
    const [apiVersion, kind, wrap] = controllers[which] as (typeof controllers)[number];
    const clean = JSON.parse(JSON.stringify(spec)) as Json; // drops undefined keys
    return {
      object: {
        apiVersion,
        kind,
        metadata: { name: `r${n}`, ...(namespace !== null ? { namespace } : {}) },
        spec: wrap(clean),
      },
    };
  });

function key(f: Finding): string {
  return `${f.resourceIndex} ${f.policy} ${f.rule}`;
}

function compare(
  ir: readonly Finding[],
  opa: readonly Finding[],
  resources: readonly Resource[],
): string[] {
  const byKey = new Map(opa.map((f) => [key(f), f]));
  const problems: string[] = [];
  for (const f of ir) {
    const o = byKey.get(key(f));
    byKey.delete(key(f));
    if (!o || o.result !== f.result || JSON.stringify(o.messages) !== JSON.stringify(f.messages)) {
      problems.push(
        `${f.policy}/${f.rule} on ${JSON.stringify(resources[f.resourceIndex]?.object)}: ir=${f.result} ${JSON.stringify(f.messages)} opa=${o ? `${o.result} ${JSON.stringify(o.messages)}` : "no row"}`,
      );
    }
  }
  for (const o of byKey.values())
    problems.push(
      `${o.policy}/${o.rule} on resource ${o.resourceIndex}: only opa answered (${o.result})`,
    );
  return problems;
}

describe("differential: IR engine vs real OPA", () => {
  const seeds = [20261127, Math.floor(Math.random() * 2 ** 31)];
  it.each(seeds)(
    "seed %i agrees on every generated resource",
    async (seed) => {
      const opaPath = requireEngine("opa", findOpa());
      if (!opaPath) return;
      console.log(`differential seed ${seed} (replay: CHARTER_DIFFERENTIAL_SEED=${seed})`);
      const resources = fc.sample(resource, {
        seed: Number(process.env.CHARTER_DIFFERENTIAL_SEED ?? seed),
        numRuns: RESOURCES_PER_SEED,
      });
      const ir = await createIrEngine(policies).evaluate(resources);
      const opa = await createOpaEngine(policies, { opaPath }).evaluate(resources);
      expect(ir.length).toBeGreaterThan(resources.length);
      expect(ir.filter((f) => f.result === "fail").length).toBeGreaterThan(0);
      expect(compare(ir, opa, resources).slice(0, 5)).toEqual([]);
    },
    600_000,
  );
});
