/**
 * Differential test: generated resources — missing fields, nulls, odd types, astral
 * characters, large integers, hostile strings, controllers with and without templates — judged
 * by the IR engine and by the Kubernetes CEL judge on the emitted CEL, for the policy library
 * plus policies built here to reach every IR construct (namespace filters, globs from data,
 * nested witnesses, `??`, `len`, `in`, ordering, every hole type). Compared on (policy, rule,
 * resource, result) and on the message. A fixed seed runs every time, plus one random seed
 * printed for replay (CHARTER_CEL_DIFFERENTIAL_SEED).
 */
import { listsInventory, type Policy } from "@charter/ir";
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
} from "@charter/test-support/build-ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { disagreements } from "@charter/test-support/engine-disagreements";
import {
  CEL_PRINTABLE_NUMBERS,
  generatedResources,
} from "@charter/test-support/generated-resources";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import wholeLibrary from "../../../../policies/index.js";
import { createIrEngine } from "../ir-engine/engine.js";
import { createCelJudgeEngine } from "./engine.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const libraryPolicies = wholeLibrary.filter((policy) => policy.images === undefined);

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
    [
      rule(
        "registry",
        q(
          "any",
          "c",
          containers(),
          not(str(v("c", "image"), "glob", lit("registry.example.com/*"))),
        ),
        everyHole("registry"),
      ),
    ],
    { match: podMatch(true, { include: ["prod", "é", "new\nline"], exclude: ["kube-system"] }) },
  ),
  policy(
    "ns-excluded",
    [
      rule(
        "glob-from-data",
        q("any", "c", containers(), str(v("c", "image"), "glob", v("c", "name"))),
        everyHole("glob"),
      ),
    ],
    { match: podMatch(true, { exclude: ["kube-system", "prod"] }) },
  ),
  policy(
    "params-in",
    [
      rule(
        "allowed",
        q(
          "any",
          "c",
          containers(),
          and(exists(v("c", "image")), not(isIn(v("c", "image"), params("allowed")))),
        ),
        everyHole("allowed"),
      ),
      rule(
        "prefix",
        q(
          "any",
          "c",
          containers(),
          q("none", "p", params("prefixes"), str(v("c", "image"), "startsWith", v("p"))),
        ),
        [text("prefix "), hole(v("c", "image")), text(" "), hole(params("prefixes"))],
      ),
    ],
    {
      match: podMatch(),
      params: {
        allowed: ["registry.example.com/app:1", "é", 1, null],
        prefixes: ["registry.", "docker.io/"],
      },
    },
  ),
  policy(
    "ordering",
    [
      rule(
        "low-user",
        q(
          "any",
          "c",
          containers(),
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
          containers(),
          cmp(orElse(v("c", "securityContext", "privileged"), lit(true)), "==", lit(true)),
        ),
        everyHole("default"),
      ),
    ],
    { match: podMatch() },
  ),
  policy(
    "nested-witness",
    [
      rule(
        "secret-env",
        and(
          cmp(len(containers()), ">", lit(0)),
          q(
            "any",
            "c",
            containers(),
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
        [
          text("count "),
          hole(len(containers())),
          text(" "),
          hole(pod("metadata", "labels", "app")),
        ],
      ),
    ],
    { match: podMatch() },
  ),
  policy(
    "deployment-object",
    [
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
    ],
    { match: kindsMatch([{ group: "apps", kind: "Deployment" }]) },
  ),
];

// Messages are compared, so the doubles stay where CEL and JSON print them alike.
const resource = generatedResources({ numbers: CEL_PRINTABLE_NUMBERS });

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
