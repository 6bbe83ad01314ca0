/**
 * Differential test: generated resources — missing fields, nulls, odd types, astral
 * characters, large integers, hostile strings, and namespaces the Constraints include or
 * exclude — through the IR engine and the Gatekeeper engine (real OPA on the templates, in
 * Gatekeeper's input shape). They must agree on every (policy, rule, resource) result and on
 * the messages. A fixed seed runs every time, plus one random seed printed for replay.
 */
import type { Policy } from "@charter/ir";
import { generatedResource } from "@charter/test-support/generated-resources";
import { opaForTests } from "@charter/test-support/opa-for-tests";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import wholeLibrary from "../../../../policies/index.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding, Resource } from "../types.js";
import { createGatekeeperEngine } from "./engine.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const policies = wholeLibrary.filter((policy) => policy.images === undefined);

const RESOURCES_PER_SEED = Number(process.env.CHARTER_GATEKEEPER_DIFFERENTIAL_COUNT ?? 1500);

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
      const resources = fc.sample(generatedResource, {
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
