/**
 * The real Kyverno CLI judges the emitted policies: `kyverno apply` on a policy's own cases, for
 * the ValidatingPolicy and the ClusterPolicy. Each case must come out as the policy says: a pass
 * case with no failing result, a fail case with a failing result (and, for ClusterPolicy, one
 * for each rule the case names).
 *
 * Cross-resource policies. `kyverno apply` has no cluster, so a policy reading the resource's
 * Namespace (`namespaceObject`) gets it from a values file: for a ValidatingPolicy the CLI binds
 * the values file's `namespaces` (whole Namespace objects) as namespaceObject, so each case's
 * Namespaces (its `inventory`) are written there. For a ClusterPolicy `validate.cel` the offline
 * CLI binds a Namespace holding only its name (Kyverno's validate_cel.go, when not in a
 * cluster), whatever the values file says, so a rule reading labels cannot be judged offline:
 * those policies are left out of the ClusterPolicy runs (in a cluster Kyverno fetches the real
 * Namespace). Policies listing other objects (`inventory(…)`) cannot be emitted for Kyverno at
 * all (a CharterError, tested in the CEL emitter's tests) and are left out of both.
 *
 * The binary comes from scripts/install-kyverno.sh (`.tools/bin/kyverno`, or `$CHARTER_KYVERNO`).
 * Where it is absent the test says so loudly and skips; under CI=true (where
 * scripts/install-engines.sh has built it) a missing binary fails.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Json, type Policy, readsNamespace, type TestCase, walkExpr } from "@charter/ir";
import {
  CROSS_RESOURCE_CASES,
  crossResourcePolicies,
} from "@charter/test-support/cross-resource-table";
import {
  type ReportResult,
  reportResults,
  requireKyverno,
  runKyverno,
} from "@charter/test-support/kyverno-binary";
import { afterAll, describe, expect, it } from "vitest";
import wholeLibrary from "../../../../policies/index.js";
import { toYaml } from "../yaml.js";
import { emitKyverno } from "./emit-kyverno.js";
import type { KyvernoApi } from "./kyverno-api.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const library = wholeLibrary.filter((policy) => policy.images === undefined);

const kyverno = requireKyverno("the real-Kyverno tests");

/** Every policy of the library, on its own cases. */
const policies = library;

/** Whether a rule's condition or message holds an `inventory(…)` node. */
function listsOtherObjects(policy: Policy): boolean {
  let found = false;
  for (const rule of policy.rules) {
    const holes = rule.message.parts.flatMap((part) => (part.kind === "hole" ? [part.expr] : []));
    for (const expr of [rule.condition, ...holes]) {
      walkExpr(expr, (node) => {
        if (node.kind === "inventory") found = true;
      });
    }
  }
  return found;
}

/** Whether `kyverno apply` can judge the policy through this API (see the header). */
function judgeable(api: KyvernoApi, policy: Policy): boolean {
  if (listsOtherObjects(policy)) return false;
  return api === "validatingpolicy" || !policy.rules.some(readsNamespace);
}

/**
 * A parameter value that looks like a Kyverno variable: the ClusterPolicy must neither
 * substitute it nor be refused for it, and CEL must read it back exactly.
 */
const HOSTILE_PREFIX = 'reg.example/{{c.name}}/{{ request.object.metadata.name }}/\\{{x}}/"q"/ü/';
const registries = library.find((policy) => policy.name === "restrict-image-registries");
const hostilePod = (image: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "hostile", namespace: "default" },
  spec: { containers: [{ name: "app", image }] },
});
const hostile: Policy[] = registries
  ? [
      {
        ...registries,
        name: "hostile-registries",
        parameters: { ...registries.parameters, values: { allowed: [HOSTILE_PREFIX] } },
        cases: [
          {
            name: "image under the hostile prefix",
            expect: "pass",
            resource: hostilePod(`${HOSTILE_PREFIX}app:1`),
          },
          {
            name: "image whose prefix Kyverno would substitute",
            expect: "fail",
            resource: hostilePod("reg.example/hostile/app:1"),
            rules: ["registry"],
          },
        ],
      },
    ]
  : [];

const work = mkdtempSync(join(tmpdir(), "charter-kyverno-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The case's Namespaces as a `kyverno apply --values-file` (its `namespaces` list). Kyverno takes
 * the first entry of a name, the scanned set the last one read: one entry per name, the last.
 */
function valuesFile(inventory: readonly Json[]): string {
  const byName = new Map<string, Json>();
  for (const object of inventory) {
    const { kind, metadata } = object as { kind?: unknown; metadata?: { name?: unknown } };
    if (kind === "Namespace" && typeof metadata?.name === "string") {
      byName.delete(metadata.name);
      byName.set(metadata.name, object);
    }
  }
  return toYaml([
    {
      apiVersion: "cli.kyverno.io/v1alpha1",
      kind: "Value",
      metadata: { name: "values" },
      namespaces: [...byName.values()],
    },
  ]);
}

/** One case on its own. */
function apply(
  api: KyvernoApi,
  policy: Policy,
  testCase: Pick<TestCase, "resource" | "inventory">,
  index: number,
) {
  return applyAll(api, policy, [testCase], `case-${index}`);
}

/** What names a resource to `kyverno apply` (a namespaced one without a namespace goes to "default"). */
function identity(resource: Json): { kind: string; namespace: string; name: string } {
  const { kind, metadata } = resource as {
    kind?: string;
    metadata?: { name?: string; namespace?: string };
  };
  return { kind: kind ?? "", namespace: metadata?.namespace ?? "", name: metadata?.name ?? "" };
}

/** The report's results about one resource of a batch. */
function resultsAbout(results: readonly ReportResult[], resource: Json): ReportResult[] {
  const wanted = identity(resource);
  return results.filter((result) => {
    const about = result.resources?.[0];
    return (
      about?.kind === wanted.kind &&
      (about.name ?? "") === wanted.name &&
      (wanted.namespace === "" || about.namespace === wanted.namespace)
    );
  });
}

/**
 * A policy's cases in as few `kyverno apply` runs as the CLI allows: a run holds resources of
 * distinct kind/namespace/name (its fake cluster refuses a second one) sharing one values file.
 * One process per case cost most of this file's time; the verdicts are read per resource.
 */
function batchesOf(cases: readonly TestCase[]): number[][] {
  const batches: { keys: Set<string>; values: string; cases: number[] }[] = [];
  cases.forEach((testCase, index) => {
    const { kind, namespace, name } = identity(testCase.resource);
    const key = `${kind}/${namespace || "default"}/${name}`;
    const values = valuesFile(testCase.inventory ?? []);
    const batch = batches.find((b) => b.values === values && !b.keys.has(key));
    if (batch) {
      batch.keys.add(key);
      batch.cases.push(index);
    } else batches.push({ keys: new Set([key]), values, cases: [index] });
  });
  return batches.map((batch) => batch.cases);
}

const runs = new Map<string, ReturnType<typeof applyAll>>();

async function applyAll(
  api: KyvernoApi,
  policy: Policy,
  cases: readonly Pick<TestCase, "resource" | "inventory">[],
  label: string,
) {
  const dir = join(work, api, policy.name);
  const policyFile = join(dir, "policy.yaml");
  const resourceFile = join(dir, `cases-${label}.yaml`);
  const values = join(dir, `values-${label}.yaml`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(policyFile, emitKyverno([policy], { api }).get(`${policy.name}.yaml`) ?? "");
  writeFileSync(resourceFile, toYaml(cases.map((testCase) => testCase.resource)));
  writeFileSync(values, valuesFile(cases[0]?.inventory ?? []));
  // biome-ignore lint/style/noNonNullAssertion: only called when the binary exists
  const { code, stdout } = await runKyverno(kyverno!, [
    "apply",
    policyFile,
    "--resource",
    resourceFile,
    "--values-file",
    values,
    "--policy-report",
    "--output-format",
    "json",
    "--remove-color",
  ]);
  return { code, stdout, results: reportResults(stdout) };
}

/** One case's verdicts, from the run of its batch (started once, by its first case). */
async function applyInBatch(api: KyvernoApi, policy: Policy, index: number) {
  const batch = batchesOf(policy.cases).find((cases) => cases.includes(index)) ?? [index];
  const key = `${api}/${policy.name}/${batch[0]}`;
  let run = runs.get(key);
  if (!run) {
    run = applyAll(
      api,
      policy,
      batch.map((i) => policy.cases[i] as TestCase),
      `batch-${batch[0]}`,
    );
    runs.set(key, run);
  }
  const { stdout, results } = await run;
  return { stdout, results: resultsAbout(results, (policy.cases[index] as TestCase).resource) };
}

describe.skipIf(!kyverno)("kyverno apply on the emitted policies (real Kyverno CLI)", () => {
  const rows = (["validatingpolicy", "clusterpolicy"] as const).flatMap((api) =>
    [...policies, ...hostile]
      .filter((policy) => judgeable(api, policy))
      .flatMap((policy) =>
        policy.cases.map((testCase, index) => ({
          note: `${api} ${policy.name}: ${testCase.expect} "${testCase.name}"`,
          api,
          policy,
          testCase,
          index,
        })),
      ),
  );

  it("judges at least one pass and one fail case per policy", () => {
    expect(policies.length).toBeGreaterThanOrEqual(5);
    expect(hostile).toHaveLength(1);
    for (const policy of policies) {
      expect(policy.cases.some((c) => c.expect === "pass")).toBe(true);
      expect(policy.cases.some((c) => c.expect === "fail")).toBe(true);
    }
  });

  it.each(["validatingpolicy", "clusterpolicy"] as const)(
    "%s: a policy on Pods only leaves controllers alone (no autogen)",
    async (api) => {
      const namespaces = policies.find((policy) => policy.name === "disallow-host-namespaces");
      const failing = namespaces?.cases.find(
        (c) => c.expect === "fail" && (c.resource as { kind?: string }).kind === "DaemonSet",
      );
      expect(failing, "disallow-host-namespaces has a failing DaemonSet case").toBeDefined();
      if (!namespaces || !failing) return;
      const podOnly: Policy = {
        ...namespaces,
        name: "pods-only",
        match: { subject: "pod", controllers: false },
      };
      const { stdout, results } = await apply(api, podOnly, failing, 0);
      expect(
        results.filter((result) => result.policy === "pods-only"),
        stdout,
      ).toEqual([]);
    },
  );

  // The shared cross-resource table's Namespace-only cases, as a ValidatingPolicy (see the
  // header for why not as a ClusterPolicy). Kyverno reports one result per ValidatingPolicy:
  // it fails exactly when some rule fails. A rule the IR skips (the Namespace is not in the
  // values file) meets a null namespaceObject, which the emitted CEL lets pass.
  const tablePolicies = crossResourcePolicies("namespace-only");
  // Left out: a resource naming no namespace. The IR skips the rule (its Namespace is
  // unknown); `kyverno apply` places the resource in "default" and reads that Namespace, as the
  // API server would at admission — a different question, not a disagreement.
  const namesNamespace = (resource: Json) =>
    typeof (resource as { metadata?: { namespace?: unknown } }).metadata?.namespace === "string";
  const tableRows = CROSS_RESOURCE_CASES.flatMap((testCase, index) => {
    const policy = tablePolicies.find((p) => p.name === testCase.policy);
    return policy && namesNamespace(testCase.resource) && !testCase.offlineOnly
      ? [{ note: testCase.note, policy, testCase, index }]
      : [];
  });

  it("runs Namespace-only cases of the cross-resource table", () => {
    expect(tableRows.length).toBeGreaterThanOrEqual(5);
    expect(tableRows.some((row) => Object.values(row.testCase.expected).includes("skip"))).toBe(
      true,
    );
  });

  it.each(tableRows)(
    "validatingpolicy, cross-resource: $note",
    async ({ policy, testCase, index }) => {
      const { stdout, results } = await apply("validatingpolicy", policy, testCase, 100 + index);
      const mine = results.filter((result) => result.policy === policy.name);
      const detail = `kyverno output:\n${stdout}`;
      expect(mine.length, detail).toBeGreaterThan(0);
      expect(
        mine.filter((result) => result.result === "error"),
        detail,
      ).toEqual([]);
      const fails = Object.values(testCase.expected).includes("fail");
      expect(
        mine.some((result) => result.result === "fail"),
        detail,
      ).toBe(fails);
    },
  );

  it.each(rows)("$note", async ({ api, policy, testCase, index }) => {
    const { stdout, results } = await applyInBatch(api, policy, index);
    const mine = results.filter((result) => result.policy === policy.name);
    const detail = `kyverno output:\n${stdout}`;
    expect(mine.length, detail).toBeGreaterThan(0);
    expect(
      mine.filter((result) => result.result === "error"),
      detail,
    ).toEqual([]);
    const failing = mine.filter((result) => result.result === "fail");
    if (testCase.expect === "pass") {
      expect(failing, detail).toEqual([]);
    } else {
      expect(failing.length, detail).toBeGreaterThan(0);
      if (api === "clusterpolicy" && testCase.rules) {
        const failedRules = new Set(failing.map((result) => result.rule));
        for (const rule of testCase.rules)
          expect(failedRules.has(rule), `${rule}; ${detail}`).toBe(true);
      }
    }
  });
});
