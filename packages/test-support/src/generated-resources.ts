/**
 * Generated resources for the differential and agreement tests: missing fields, nulls, odd
 * types, astral characters, large integers and hostile strings, in every pod controller, with
 * numbers the CEL engines type differently (1.5, 2^53 - 1, 1e21). The one generator shared by
 * test/differential.test.ts and the in-process CEL agreement test.
 */
import type { Json } from "@charter/ir";
import type { Resource } from "@charter/runtime";
import fc from "fast-check";

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
  fc.constantFrom(0, 1, 1.0, -1, 1000, 65534, 1.5, -0.25, 2 ** 53 - 1, 1e21),
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

export const generatedResource: fc.Arbitrary<Resource> = fc
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
