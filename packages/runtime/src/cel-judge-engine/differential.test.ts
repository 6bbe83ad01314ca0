/**
 * Differential test: generated resources — missing fields, nulls, odd types, astral
 * characters, large integers, hostile strings, controllers with and without templates — judged
 * by the IR engine and by the Kubernetes CEL judge on the emitted CEL, for the policy library
 * plus policies built here to reach every IR construct (namespace filters, globs from data,
 * nested witnesses, `??`, `len`, `in`, ordering, every hole type). Compared on (policy, rule,
 * resource, result) and on the message. A fixed seed runs every time, plus one random seed
 * printed for replay (CHARTER_CEL_DIFFERENTIAL_SEED).
 */
import { type Json, listsInventory, type Policy } from "@charter/ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { disagreements } from "@charter/test-support/engine-disagreements";
import {
  and,
  cmp,
  containers,
  exists,
  hole,
  isIn,
  kindsMatch,
  len,
  list,
  lit,
  not,
  obj,
  or,
  orElse,
  params,
  pod,
  podMatch,
  policy,
  q,
  rule,
  str,
  text,
  v,
} from "@charter/test-support/rego-build-ir";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import libraryPolicies from "../../../../policies/index.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Resource } from "../types.js";
import { createCelJudgeEngine } from "./engine.js";

const COUNT = Number(process.env.CHARTER_CEL_DIFFERENTIAL_COUNT ?? 2500);

const everyHole = (name: string) => [
  text(`${name}: name=`),
  hole(v("c", "name")),
  text(" image="),
  hole(v("c", "image")),
  text(" sc="),
  hole(v("c", "securityContext")),
  text(" user="),
  hole(v("c", "securityContext", "runAsUser")),
  text(" priv="),
  hole(v("c", "securityContext", "privileged")),
  text(" ports="),
  hole(v("c", "ports")),
  text(" missing="),
  hole(v("c", "nope")),
];

const constructs: Policy[] = [
  policy(
    "ns-filtered-glob",
    podMatch({ include: ["prod", "é", "new\nline"], exclude: ["kube-system"] }),
    [
      rule(
        "registry",
        q("any", "c", containers, not(str(v("c", "image"), "glob", lit("registry.example.com/*")))),
        everyHole("registry"),
      ),
    ],
  ),
  policy("ns-excluded", podMatch({ exclude: ["kube-system", "prod"] }), [
    rule(
      "glob-from-data",
      q("any", "c", containers, str(v("c", "image"), "glob", v("c", "name"))),
      everyHole("glob"),
    ),
  ]),
  policy(
    "params-in",
    podMatch(),
    [
      rule(
        "allowed",
        q(
          "any",
          "c",
          containers,
          and(exists(v("c", "image")), not(isIn(v("c", "image"), params("allowed")))),
        ),
        everyHole("allowed"),
      ),
      rule(
        "prefix",
        q(
          "any",
          "c",
          containers,
          q("none", "p", params("prefixes"), str(v("c", "image"), "startsWith", v("p"))),
        ),
        [text("prefix "), hole(v("c", "image")), text(" "), hole(params("prefixes"))],
      ),
    ],
    {
      allowed: ["registry.example.com/app:1", "é", 1, null],
      prefixes: ["registry.", "docker.io/"],
    },
  ),
  policy("ordering", podMatch(), [
    rule(
      "low-user",
      q(
        "any",
        "c",
        containers,
        or(
          cmp(v("c", "securityContext", "runAsUser"), "<", lit(1000)),
          cmp(v("c", "name"), ">=", lit("z")),
          cmp(v("c", "name"), "<", v("c", "image")),
        ),
      ),
      everyHole("order"),
    ),
    rule(
      "default-privileged",
      q(
        "any",
        "c",
        containers,
        cmp(orElse(v("c", "securityContext", "privileged"), lit(true)), "==", lit(true)),
      ),
      everyHole("default"),
    ),
  ]),
  policy("nested-witness", podMatch(), [
    rule(
      "secret-env",
      and(
        cmp(len(containers), ">", lit(0)),
        q(
          "any",
          "c",
          containers,
          and(
            exists(v("c", "name")),
            q(
              "any",
              "e",
              v("c", "env"),
              and(
                str(v("e", "name"), "startsWith", lit("SECRET")),
                not(exists(v("e", "valueFrom"))),
              ),
            ),
          ),
        ),
      ),
      [
        text("container "),
        hole(v("c", "name")),
        text(" env "),
        hole(v("e", "name")),
        text("="),
        hole(v("e", "value")),
      ],
    ),
    rule(
      "count",
      cmp(len(list(pod("spec", "hostNetwork"), pod("spec", "hostPID"), lit("x"))), ">=", lit(2)),
      [text("count "), hole(len(containers)), text(" "), hole(pod("metadata", "labels", "app"))],
    ),
  ]),
  policy("deployment-object", kindsMatch("apps", "Deployment"), [
    rule(
      "replicas",
      or(
        cmp(obj("spec", "replicas"), ">", lit(3)),
        cmp(len(obj("spec", "template", "spec", "containers")), "!=", lit(1)),
        isIn(lit("team"), obj("metadata", "labels")),
      ),
      [
        text("deployment "),
        hole(obj("metadata", "name")),
        text(" replicas "),
        hole(obj("spec", "replicas")),
      ],
    ),
  ]),
];

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
const scalar: fc.Arbitrary<Json> = fc.oneof(
  hostile,
  fc.boolean(),
  fc.constant(null),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  // Doubles stay in [1e-4, 1e6), where CEL's string(double) and JSON agree (see README).
  fc.constantFrom(0, 1, -1, 0.5, 999.5, 1000, 65534, 123456.25, 0.0001),
  fc.string({ unit: "grapheme", maxLength: 6 }),
);
const maybe = (value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: value },
    { weight: 1, arbitrary: scalar },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

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
          runAsUser: maybe(fc.oneof(fc.nat(70000), fc.constantFrom(999.5, 0.5))),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);
const containerList = maybe(
  fc.array(fc.oneof({ weight: 5, arbitrary: container }, { weight: 1, arbitrary: scalar }), {
    maxLength: 3,
  }),
);
const podSpec = fc.record(
  {
    containers: containerList,
    initContainers: containerList,
    ephemeralContainers: containerList,
    hostNetwork: maybe(fc.boolean()),
    hostPID: maybe(fc.boolean()),
    hostIPC: maybe(fc.boolean()),
    hostUsers: maybe(fc.boolean()),
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
const metadata = fc.record(
  { labels: maybe(fc.dictionary(fc.constantFrom("app", "team", "x"), hostile, { maxKeys: 2 })) },
  { requiredKeys: [] },
);

type Wrap = (spec: unknown, meta: unknown, extra: number) => unknown;
const template: Wrap = (spec, meta) => ({ template: { metadata: meta, spec } });
const controllers: [string, string, Wrap][] = [
  ["v1", "Pod", (spec) => spec],
  [
    "apps/v1",
    "Deployment",
    (spec, meta, n) => ({ replicas: n % 6, ...(template(spec, meta, n) as object) }),
  ],
  ["apps/v1", "Deployment", () => ({ replicas: 2 })], // no template: skipped
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
];

const resource: fc.Arbitrary<Resource> = fc
  .tuple(
    fc.nat({ max: controllers.length - 1 }),
    podSpec,
    metadata,
    fc.nat(),
    fc.option(hostile),
    metadata,
  )
  .map(([which, spec, meta, n, namespace, ownMeta]) => {
    const [apiVersion, kind, wrap] = controllers[which] as (typeof controllers)[number];
    const clean = JSON.parse(JSON.stringify({ spec, meta, ownMeta })) as {
      spec: Json;
      meta: Json;
      ownMeta: object;
    };
    return {
      object: {
        apiVersion,
        kind,
        metadata: { ...clean.ownMeta, name: `r${n}`, ...(namespace !== null ? { namespace } : {}) },
        spec: (kind === "Pod" ? clean.spec : wrap(clean.spec, clean.meta, n)) as Json,
      },
    };
  });

const judge = celJudgeForTests();
// Policies listing other objects have no CEL form (docs/capabilities.md).
const policies = [...libraryPolicies.filter((p) => !listsInventory(p)), ...constructs];

describe.skipIf(!judge)("differential: IR engine vs the Kubernetes CEL judge", () => {
  const seeds = [20261127, Math.floor(Math.random() * 2 ** 31)];
  it.each(seeds)(
    "seed %i agrees on every generated resource",
    async (seed) => {
      const used = Number(process.env.CHARTER_CEL_DIFFERENTIAL_SEED ?? seed);
      console.log(`cel differential seed ${used} (replay: CHARTER_CEL_DIFFERENTIAL_SEED=${used})`);
      const resources = fc.sample(resource, { seed: used, numRuns: COUNT });
      const ir = await createIrEngine(policies).evaluate(resources);
      const cel = await createCelJudgeEngine(policies, { judgePath: judge as string }).evaluate(
        resources,
      );
      expect(ir.length).toBeGreaterThan(resources.length);
      for (const result of ["fail", "pass", "skip"] as const) {
        expect(ir.filter((f) => f.result === result).length, result).toBeGreaterThan(0);
      }
      expect(cel.filter((f) => f.result === "error").slice(0, 3)).toEqual([]);
      expect(disagreements(ir, cel, resources).slice(0, 5)).toEqual([]);
    },
    600_000,
  );
});
