/**
 * Agreement: the in-process CEL engine and the Kubernetes judge on every policy case of the
 * library and on generated resources (a fixed seed and a printed random one), compared on
 * (resource, policy, rule) result and message. Zero disagreements.
 *
 * The judge is driven directly (one process per policy, every applicable resource a case) with
 * the same emitted CEL (emitCelPolicy), so this test does not depend on the judge engine.
 */
import { emitCelPolicy } from "@charter/compiler";
import { listsInventory, type Policy } from "@charter/ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { generatedResource } from "@charter/test-support/generated-resources";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import wholeLibrary from "../../../../policies/index.js";
import { runCelJudge } from "../cel-judge-client/run.js";
import { identityOf } from "../identity.js";
import {
  caseResources,
  inventoriesOf,
  namespaceObjectOf,
  ruleReadsNamespace,
} from "../inventory/judged-with.js";
import { policyApplies } from "../match.js";
import type { Finding, Resource } from "../types.js";
import { celBatchOf, createInProcessCelEngine, type EmitCelPolicy, verdictOf } from "./engine.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const policies = wholeLibrary.filter((policy) => policy.images === undefined);

const judge = celJudgeForTests();
const GENERATED = Number(process.env.CHARTER_CEL_AGREEMENT_COUNT ?? 2000);

const emit: EmitCelPolicy = emitCelPolicy;
// Policies listing other objects have no CEL form (docs/capabilities.md).
const judged: readonly Policy[] = policies.filter((p) => !listsInventory(p));

interface Row {
  readonly result: string;
  readonly message: string;
}

const key = (index: number, policy: string, rule: string) => `${index} ${policy} ${rule}`;

/** The judge's rows: one judge process per policy, every resource it judges a case. */
async function judgeRows(judgePath: string, resources: readonly Resource[]) {
  const rows = new Map<string, Row>();
  const inventories = inventoriesOf(judged, resources);
  // The Namespace each resource is judged with; rules reading an unknown one are skipped alike.
  const namespaces = resources.map((resource, index) =>
    namespaceObjectOf(resource.object, identityOf(resource.object), inventories[index]),
  );
  for (const policy of judged) {
    const emitted = emit(policy, { params: "inline", object: "object" });
    const cases = resources.flatMap((resource, index) => {
      if (policyApplies(policy, resource.object) !== "yes") return [];
      const namespace = namespaces[index];
      const bound = namespace && "namespaceObject" in namespace ? namespace.namespaceObject : null;
      return [{ id: String(index), object: resource.object, namespaceObject: bound }];
    });
    const output = await runCelJudge(judgePath, { ...celBatchOf(emitted), cases });
    expect(output.compileErrors, `policy ${policy.name}`).toEqual([]);
    for (const result of output.results) {
      const rule = policy.rules.find((r) => r.name === result.expression);
      const namespace = namespaces[Number(result.case)];
      if (rule && ruleReadsNamespace(rule) && namespace && "skip" in namespace) continue;
      const verdict = verdictOf(result);
      rows.set(key(Number(result.case), policy.name, result.expression), {
        result: verdict.result,
        message: verdict.messages[0] ?? "",
      });
    }
  }
  return rows;
}

function disagreements(
  ours: readonly Finding[],
  theirs: ReadonlyMap<string, Row>,
  resources: readonly Resource[],
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of ours) {
    if (f.result === "skip") continue;
    const k = key(f.resourceIndex, f.policy, f.rule);
    seen.add(k);
    const row = theirs.get(k);
    if (row?.result === f.result && row.message === f.message) continue;
    problems.push(
      `${f.policy}/${f.rule} on ${JSON.stringify(resources[f.resourceIndex]?.object)}: in-process=${f.result} ${JSON.stringify(f.message)} judge=${row ? `${row.result} ${JSON.stringify(row.message)}` : "no row"}`,
    );
  }
  for (const k of theirs.keys()) if (!seen.has(k)) problems.push(`${k}: only the judge answered`);
  return problems;
}

async function agree(resources: readonly Resource[]) {
  const engine = createInProcessCelEngine(judged, { name: "vap-cel", emit });
  const ours = await engine.evaluate(resources);
  const theirs = await judgeRows(judge as string, resources);
  return { ours, problems: disagreements(ours, theirs, resources) };
}

describe.skipIf(!judge)("in-process CEL agrees with the Kubernetes judge", () => {
  it("on every policy case of the library", async () => {
    const resources: Resource[] = caseResources(judged);
    const { ours, problems } = await agree(resources);
    expect(ours.filter((f) => f.result === "fail").length).toBeGreaterThan(0);
    expect(ours.filter((f) => f.result === "pass").length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, 120_000);

  const seeds = [20261127, Math.floor(Math.random() * 2 ** 31)];
  it.each(seeds)(
    "on generated resources, seed %i",
    async (seed) => {
      const replay = Number(process.env.CHARTER_CEL_AGREEMENT_SEED ?? seed);
      console.log(`CEL agreement seed ${replay} (replay: CHARTER_CEL_AGREEMENT_SEED=${replay})`);
      const resources = fc.sample(generatedResource, { seed: replay, numRuns: GENERATED });
      const { ours, problems } = await agree(resources);
      expect(ours.filter((f) => f.result === "fail").length).toBeGreaterThan(0);
      const count = (r: string) => ours.filter((f) => f.result === r).length;
      console.log(
        `rows: pass ${count("pass")}, fail ${count("fail")}, error ${count("error")}, skip ${count("skip")}`,
      );
      expect(problems.slice(0, 5)).toEqual([]);
    },
    300_000,
  );
});

describe("the agreement test can fail", () => {
  it("reports a differing message and a missing row", () => {
    const finding: Finding = {
      policy: "p",
      rule: "r",
      result: "fail",
      message: "ours",
      messages: ["ours"],
      severity: "high",
      enforcement: "deny",
      resource: identityOf({}),
      resourceIndex: 0,
    };
    const theirs = new Map([[key(0, "p", "r"), { result: "fail", message: "theirs" }]]);
    expect(disagreements([finding], theirs, [{ object: {} }])).toHaveLength(1);
    expect(disagreements([], theirs, [])).toEqual(["0 p r: only the judge answered"]);
  });
});
