/**
 * Generated resources for the differential and agreement tests: missing fields, nulls, odd
 * types, astral characters, large integers and hostile strings, in every pod controller (with
 * and without a template, with a broken one, under a foreign API group) and a kind that is
 * none, in namespaces the test policies include or exclude. The one generator shared by
 * test/differential.test.ts, the Gatekeeper and CEL judge differentials and the in-process CEL
 * agreement test.
 */
import type { Json } from "@charter/ir";
import type { Resource } from "@charter/runtime";
import fc from "fast-check";

/** Every odd number: doubles the CEL engines type and print differently (1.5, 2^53 - 1, 1e21). */
export const EVERY_NUMBER: readonly number[] = [
  0,
  1,
  1.0,
  -1,
  1000,
  65534,
  1.5,
  -0.25,
  0.5,
  999.5,
  123456.25,
  0.0001,
  2 ** 53 - 1,
  1e21,
];
/**
 * Doubles in [1e-4, 1e6) only: outside it a message hole renders with Go's `%g` on the CEL
 * targets and as JSON elsewhere (docs/capabilities.md, "Known differences"), so a test
 * comparing messages against the Kubernetes CEL judge keeps to these.
 */
export const CEL_PRINTABLE_NUMBERS: readonly number[] = [
  0, 1, -1, 0.5, 999.5, 1000, 65534, 123456.25, 0.0001,
];

export interface GeneratedResourceOptions {
  /** The odd numbers mixed in wherever a value may be of the wrong type. */
  readonly numbers?: readonly number[];
}

const hostile = fc.constantFrom(
  "",
  " ",
  "registry.example.com/",
  "registry.example.com/app:1",
  "registry.example.com/*",
  "docker.io/library/nginx",
  "SECRET_KEY",
  "SECRET",
  'quote"back\\slash',
  "new\nline",
  " padded ",
  "{{c.image}}",
  "$(rm -rf)",
  "- yaml: [indicator]",
  "a+b(c)[d]$^|{e}?*",
  "𝒳-astral-😀",
  "\uffff",
  "é",
  "z",
  "prod",
  "kube-system",
  "true",
  "0",
);
// The namespaces the differentials' policies include or exclude, often enough to match.
const namespace = fc.option(
  fc.oneof(hostile, fc.constantFrom("default", "prod", "kube-system", "team-a", "")),
);

type Wrap = (spec: unknown, meta: unknown, n: number) => unknown;
const template: Wrap = (spec, meta) => ({ template: { metadata: meta, spec } });
const kinds: [string, string, Wrap][] = [
  ["v1", "Pod", (spec) => spec],
  [
    "apps/v1",
    "Deployment",
    (spec, meta, n) => ({ replicas: n % 6, ...(template(spec, meta, n) as object) }),
  ],
  ["apps/v1", "Deployment", () => ({ replicas: 2 })], // no template: skipped
  ["apps/v1", "Deployment", () => ({ template: "not a template" })],
  ["apps/v1", "StatefulSet", template],
  ["apps/v1", "DaemonSet", template],
  [
    "apps/v1",
    "ReplicaSet",
    (spec, meta, n) => (n % 3 === 0 ? { template: null } : template(spec, meta, n)),
  ],
  ["batch/v1", "Job", template],
  [
    "batch/v1",
    "CronJob",
    (spec, meta) => ({ jobTemplate: { spec: { template: { metadata: meta, spec } } } }),
  ],
  ["v1", "ReplicationController", template],
  ["example.com/v1", "Deployment", template], // not a pod controller
  ["v1", "Service", () => ({ ports: [] })],
];

/** Resources whose odd numbers are `options.numbers` (every one by default). */
export function generatedResources(options: GeneratedResourceOptions = {}): fc.Arbitrary<Resource> {
  const scalar: fc.Arbitrary<Json> = fc.oneof(
    hostile,
    fc.boolean(),
    fc.constant(null),
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    fc.constantFrom(...(options.numbers ?? EVERY_NUMBER)),
    fc.string({ unit: "grapheme", maxLength: 6 }),
  );
  // Values may be of the wrong type or absent; absent keys are dropped before use.
  const maybe = (value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 3, arbitrary: value },
      { weight: 1, arbitrary: scalar },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  const fractions = (options.numbers ?? EVERY_NUMBER).filter((n) => !Number.isInteger(n));

  const env = fc.record(
    {
      name: maybe(hostile),
      value: maybe(hostile),
      valueFrom: maybe(fc.constant({ secretKeyRef: {} })),
    },
    { requiredKeys: [] },
  );
  const container = fc.record(
    {
      name: maybe(hostile),
      image: maybe(hostile),
      env: maybe(
        fc.array(fc.oneof({ weight: 4, arbitrary: env }, { weight: 1, arbitrary: scalar }), {
          maxLength: 3,
        }),
      ),
      ports: maybe(fc.array(fc.record({ containerPort: maybe(fc.nat(70000)) }), { maxLength: 2 })),
      securityContext: maybe(
        fc.record(
          {
            privileged: maybe(fc.boolean()),
            runAsNonRoot: maybe(fc.boolean()),
            allowPrivilegeEscalation: maybe(fc.boolean()),
            runAsUser: maybe(fc.oneof(fc.nat(70000), fc.constantFrom(...fractions))),
          },
          { requiredKeys: [] },
        ),
      ),
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
      securityContext: maybe(
        fc.record({ runAsNonRoot: maybe(fc.boolean()) }, { requiredKeys: [] }),
      ),
      volumes: maybe(fc.array(volume, { maxLength: 3 })),
    },
    { requiredKeys: [] },
  );
  const metadata = fc.record(
    { labels: maybe(fc.dictionary(fc.constantFrom("app", "team", "x"), hostile, { maxKeys: 2 })) },
    { requiredKeys: [] },
  );

  return fc
    .tuple(fc.nat({ max: kinds.length - 1 }), podSpec, metadata, fc.nat(), namespace, metadata)
    .map(([which, spec, meta, n, ns, ownMeta]) => {
      const [apiVersion, kind, wrap] = kinds[which] as (typeof kinds)[number];
      const clean = JSON.parse(JSON.stringify({ spec, meta, ownMeta })) as {
        spec: Json;
        meta: Json;
        ownMeta: object;
      }; // drops undefined keys
      return {
        object: {
          apiVersion,
          kind,
          metadata: { ...clean.ownMeta, name: `r${n}`, ...(ns !== null ? { namespace: ns } : {}) },
          spec: wrap(clean.spec, clean.meta, n) as Json,
        },
      };
    });
}

/** Resources with every odd number. */
export const generatedResource: fc.Arbitrary<Resource> = generatedResources();
