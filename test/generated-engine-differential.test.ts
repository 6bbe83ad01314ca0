/**
 * Differential test of the generated evaluator (packages/runtime/src/generated-engine) against
 * the closure engine, the reference: every policy's own cases, the IR semantics table, the
 * conformance suites in ../shared/conformance, and generated resources — the differentials'
 * generator, then the same resources salted at every level with keys JavaScript objects inherit
 * (`__proto__`, `constructor`, `prototype`, `toString`, `hasOwnProperty`, `valueOf`) and
 * hostile values. Every row must be equal: policy, rule, resource, result, message, messages.
 * A fixed seed runs every time, plus one random seed that is printed for replay.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_SYSTEM_NAMESPACES, type Json, type Policy, withParams } from "@charter/ir";
import {
  caseResource,
  createGeneratedEngine,
  createIrEngine,
  createScan,
  type Evaluator,
  type Finding,
  inventoryKindsOf,
  type Resource,
} from "@charter/runtime";
import { kindsMatch, policy, rule } from "@charter/test-support/build-ir";
import { generatedResource } from "@charter/test-support/generated-resources";
import { DATA, SEMANTICS_ROWS } from "@charter/test-support/semantics-table";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import library from "../policies/index.js";
import { INHERITED_KEYS, probePolicies, randomPolicy } from "./support/random-ir.js";

const here = dirname(fileURLToPath(import.meta.url));
const CONFORMANCE = join(here, "..", "..", "shared", "conformance");

/** Resources per seed; two seeds, each plain and salted: 4 × 25,000 = 100,000 by default. */
const RESOURCES_PER_SEED = Number(process.env.CHARTER_GENERATED_DIFFERENTIAL_COUNT ?? 25_000);
/** Resources judged per batch, so the rows of 100,000 resources are never all held at once. */
const BATCH = 2_000;
/** Random policies per seed, each judged on 2,000 salted resources. */
const RANDOM_POLICIES = Number(process.env.CHARTER_RANDOM_POLICY_COUNT ?? 300);

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether two rows are equal in every field (a field-by-field check: JSON.stringify of
 * millions of rows would cost more than judging them). Fields no check names differ.
 */
function sameRow(a: Finding, b: Finding): boolean {
  return (
    a.policy === b.policy &&
    a.rule === b.rule &&
    a.result === b.result &&
    a.message === b.message &&
    sameStrings(a.messages, b.messages) &&
    a.severity === b.severity &&
    a.enforcement === b.enforcement &&
    a.resourceIndex === b.resourceIndex &&
    JSON.stringify(a.resource) === JSON.stringify(b.resource) &&
    a.source === b.source &&
    a.exception === b.exception &&
    Object.keys(a).length === Object.keys(b).length
  );
}

/** Every difference between the two engines' rows, in order; empty when they are equal. */
function differences(
  reference: readonly Finding[],
  generated: readonly Finding[],
  resources: readonly Resource[],
): string[] {
  const problems: string[] = [];
  const length = Math.max(reference.length, generated.length);
  for (let i = 0; i < length && problems.length < 5; i++) {
    const expected = reference[i];
    const actual = generated[i];
    if (expected === undefined || actual === undefined || !sameRow(expected, actual)) {
      const index = expected?.resourceIndex ?? actual?.resourceIndex ?? -1;
      problems.push(
        `row ${i}: closures=${JSON.stringify(expected)} generated=${JSON.stringify(actual)} on ${JSON.stringify(resources[index]?.object)}`,
      );
    }
  }
  return problems;
}

/** Judges the resources in batches on both engines; returns the differences and the row count. */
function judgeBoth(
  policies: readonly Policy[],
  resources: readonly Resource[],
  systemNamespaces: readonly string[] = [],
): { problems: string[]; rows: number; fails: number } {
  const closures = createIrEngine(policies, { systemNamespaces });
  const generated = createGeneratedEngine(policies, { systemNamespaces });
  const problems: string[] = [];
  let rows = 0;
  let fails = 0;
  for (let start = 0; start < resources.length && problems.length === 0; start += BATCH) {
    const batch = resources.slice(start, start + BATCH);
    const reference = closures.evaluateSync(batch);
    problems.push(...differences(reference, generated.evaluateSync(batch), batch));
    rows += reference.length;
    for (const finding of reference) if (finding.result === "fail") fails++;
  }
  return { problems, rows, fails };
}

const saltValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(...INHERITED_KEYS, "privileged", "RuntimeDefault", "😀", "\u2028", ""),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constant({}),
  fc.constant([]),
  fc.string({ unit: "binary", maxLength: 4 }),
  // Keys whose code point order is not their UTF-16 order, nor their insertion order.
  fc.dictionary(
    fc.constantFrom(...INHERITED_KEYS, "😀", "\uffff", "é", "a"),
    fc.constantFrom<Json>(true, "x", 0),
    { maxKeys: 3 },
  ),
);

/**
 * A copy of `value` with salt keys set, as an own property (as JSON.parse sets `__proto__`),
 * on every object at every level, and some strings replaced by inherited key names.
 */
function salted(value: Json, salts: readonly [string, Json][], counter: { n: number }): Json {
  if (Array.isArray(value)) return value.map((item) => salted(item, salts, counter));
  if (typeof value === "string") {
    return counter.n++ % 7 === 0 ? (INHERITED_KEYS[counter.n % 6] as string) : value;
  }
  if (typeof value !== "object" || value === null) return value;
  const copy: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) {
    // apiVersion and kind stay, so the policies still match what they matched.
    copy[key] = key === "apiVersion" || key === "kind" ? item : salted(item, salts, counter);
  }
  // Two salts, so an object may own both of two keys whose orders disagree ("😀", "\uffff").
  for (const which of [counter.n++, counter.n]) {
    const [key, salt] = salts[which % salts.length] as [string, Json];
    Object.defineProperty(copy, key, {
      value: salt,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

const saltedResource: fc.Arbitrary<Resource> = fc
  .tuple(
    generatedResource,
    fc.array(fc.tuple(fc.constantFrom(...INHERITED_KEYS, "😀", "\uffff"), saltValue), {
      minLength: 1,
      maxLength: 6,
    }),
    fc.nat(),
  )
  .map(([resource, salts, n]) => ({ object: salted(resource.object, salts, { n }) }));

/** Every YAML document under `dir` that is an object with an apiVersion and a kind. */
function objectsUnder(dir: string): Json[] {
  const objects: Json[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      objects.push(...objectsUnder(path));
      continue;
    }
    if (!/\.ya?ml$/.test(entry)) continue;
    for (const document of parseAllDocuments(readFileSync(path, "utf8"))) {
      const object = document.toJS() as Json;
      if (typeof object === "object" && object !== null && "kind" in object) objects.push(object);
    }
  }
  return objects;
}

/** A Pod as the pod template of a Deployment, so the controller path is judged too. */
function inDeployment(pod: Json): Json {
  const { metadata, spec } = pod as { metadata?: Json; spec?: Json };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "conformance", namespace: "default" },
    spec: { template: { metadata: metadata ?? null, spec: spec ?? null } },
  };
}

describe("differential: generated evaluator vs closure engine", () => {
  it("agrees on every policy's own cases, with each case's params", () => {
    const kinds = inventoryKindsOf(library);
    const cases = library.flatMap((p) => p.cases.map((c) => caseResource(c, kinds)));
    // Every case through the whole library, then each policy on its cases with their params.
    const whole = judgeBoth(library, cases);
    expect(whole.problems).toEqual([]);
    expect(whole.fails).toBeGreaterThan(0);
    let judged = 0;
    for (const p of library) {
      for (const testCase of p.cases) {
        const variant = testCase.params ? withParams(p, testCase.params) : p;
        const { problems, rows } = judgeBoth(
          [variant],
          [caseResource(testCase, inventoryKindsOf([variant]))],
        );
        expect(problems, `${p.name} ${testCase.name}`).toEqual([]);
        judged += rows;
      }
    }
    expect(judged).toBeGreaterThan(library.length);
  });

  it("agrees on the IR semantics table, and both give the table's answer", () => {
    const policies = SEMANTICS_ROWS.map((row, index) =>
      policy(`case-${index}`, [rule("r", row.condition)], {
        match: kindsMatch([{ group: "test.charter.dev", kind: `Case${index}` }]),
      }),
    );
    const resources = SEMANTICS_ROWS.map((_, index) => ({
      object: {
        apiVersion: "test.charter.dev/v1",
        kind: `Case${index}`,
        metadata: { name: `c${index}` },
        data: DATA,
      },
    }));
    expect(judgeBoth(policies, resources).problems).toEqual([]);
    const verdicts = createGeneratedEngine(policies)
      .evaluateSync(resources)
      .map((finding) => finding.result === "fail");
    expect(verdicts).toEqual(SEMANTICS_ROWS.map((row) => row.expected));
  });

  it("agrees on the conformance suites (PSA fixtures, Kyverno pod-security and policies)", () => {
    const psa = objectsUnder(join(CONFORMANCE, "psa", "test", "testdata"));
    const kyverno = [
      ...objectsUnder(join(CONFORMANCE, "kyverno-pss")),
      ...objectsUnder(join(CONFORMANCE, "kyverno-policies")),
    ];
    expect(psa.length).toBeGreaterThanOrEqual(148);
    const objects = [...psa, ...psa.map(inDeployment), ...kyverno];
    const resources = objects.map((object) => ({ object }));
    // Without system namespaces, so kube-system objects are judged too (the random seed below
    // runs with them).
    const { problems, fails } = judgeBoth(library, resources);
    expect(problems).toEqual([]);
    expect(fails).toBeGreaterThan(0);
  });

  it("gives the same rows in a streaming scan, cross-resource policies included", () => {
    const resources = fc.sample(generatedResource, { seed: 20261209, numRuns: 5_000 });
    // The namespaces generated resources name, so rules reading `namespace` are judged too.
    const namespaces = ["default", "prod", "team-a", "kube-system", ""].map((name, n) => ({
      object: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name,
          labels: { "pod-security.kubernetes.io/enforce": n % 2 ? "baseline" : "restricted" },
        },
      },
    }));
    const scanned = [...namespaces, ...resources];
    const rowsOf = (evaluator: Evaluator) => {
      const scan = createScan(library, { evaluator });
      const rows = scanned.flatMap((resource) => scan.add(resource));
      return [...rows, ...scan.finish()];
    };
    const closures = rowsOf("closures");
    expect(differences(closures, rowsOf("generated"), scanned)).toEqual([]);
    expect(closures.filter((f) => f.result === "fail").length).toBeGreaterThan(0);
  });

  /** The policy's engine, or the error making it gave. */
  const made = <T>(make: () => T): T | string => {
    try {
      return make();
    } catch (error) {
      return (error as Error).message;
    }
  };

  const seeds: [number, readonly string[]][] = [
    [20261208, []],
    [Math.floor(Math.random() * 2 ** 31), DEFAULT_SYSTEM_NAMESPACES],
  ];
  it.each(seeds)(
    "seed %i agrees on generated and salted resources (system namespaces %j)",
    (seed, systemNamespaces) => {
      console.log(
        `generated-engine differential seed ${seed} (replay: CHARTER_DIFFERENTIAL_SEED=${seed})`,
      );
      const options = {
        seed: Number(process.env.CHARTER_DIFFERENTIAL_SEED ?? seed),
        numRuns: RESOURCES_PER_SEED,
      };
      for (const arbitrary of [generatedResource, saltedResource]) {
        const resources = fc.sample(arbitrary, options);
        const { problems, rows, fails } = judgeBoth(library, resources, systemNamespaces);
        expect(problems).toEqual([]);
        expect(rows).toBeGreaterThan(resources.length);
        expect(fails).toBeGreaterThan(0);
      }
    },
    300_000,
  );

  it.each(seeds)(
    "seed %i agrees on probes and random policies over salted resources (system namespaces %j)",
    (seed, systemNamespaces) => {
      const replay = Number(process.env.CHARTER_DIFFERENTIAL_SEED ?? seed);
      const policies = fc.sample(
        fc.nat().chain((n) => randomPolicy(`random-${n}`)),
        { seed: replay, numRuns: RANDOM_POLICIES },
      );
      const resources = fc.sample(saltedResource, { seed: replay + 1, numRuns: 2_000 });
      const probes = judgeBoth(probePolicies(), resources, systemNamespaces);
      expect(probes.problems).toEqual([]);
      expect(probes.fails).toBeGreaterThan(0);
      const usable: Policy[] = [];
      for (const p of policies) {
        const closures = made(() => createIrEngine([p]));
        const generated = made(() => createGeneratedEngine([p]));
        if (typeof closures === "string" || typeof generated === "string") {
          // The IR is refused (an unbound variable, a pattern RE2 rejects): by both, alike.
          expect(typeof generated === "string" ? generated : "generated accepted it").toBe(
            typeof closures === "string" ? closures : "closures accepted it",
          );
        } else usable.push(p);
      }
      expect(usable.length).toBeGreaterThan(RANDOM_POLICIES / 4);
      for (let start = 0; start < usable.length; start += 25) {
        const { problems } = judgeBoth(
          usable.slice(start, start + 25),
          resources,
          systemNamespaces,
        );
        expect(problems).toEqual([]);
      }
    },
    300_000,
  );
});
