/**
 * Differential test: generated resources — missing fields, nulls, odd types, astral characters,
 * large integers and hostile strings — through the IR engine and real OPA on the emitted Rego.
 * They must agree on every (policy, rule, resource) result and on the messages.
 * A fixed seed runs every time, plus one random seed that is printed for replay. The random seed
 * runs with the default system namespaces on both engines (the generator's namespaces include
 * `kube-system`), so the emitted `lib.in_system_namespace` meets hostile metadata too.
 */
import { DEFAULT_SYSTEM_NAMESPACES } from "@charter/ir";

import {
  createIrEngine,
  createOpaEngine,
  type Finding,
  findOpa,
  type Resource,
} from "@charter/runtime";
import { generatedResource } from "@charter/test-support/generated-resources";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import wholeLibrary from "../policies/index.js";
import { requireEngine } from "./support/engines.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const policies = wholeLibrary.filter((policy) => policy.images === undefined);

const RESOURCES_PER_SEED = Number(process.env.CHARTER_DIFFERENTIAL_COUNT ?? 5000);

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
  const seeds: [number, readonly string[]][] = [
    [20261127, []],
    [Math.floor(Math.random() * 2 ** 31), DEFAULT_SYSTEM_NAMESPACES],
  ];
  it.each(seeds)(
    "seed %i agrees on every generated resource (system namespaces %j)",
    async (seed, systemNamespaces) => {
      const opaPath = requireEngine("opa", findOpa());
      if (!opaPath) return;
      console.log(`differential seed ${seed} (replay: CHARTER_DIFFERENTIAL_SEED=${seed})`);
      const resources = fc.sample(generatedResource, {
        seed: Number(process.env.CHARTER_DIFFERENTIAL_SEED ?? seed),
        numRuns: RESOURCES_PER_SEED,
      });
      const ir = await createIrEngine(policies, { systemNamespaces }).evaluate(resources);
      const opa = await createOpaEngine(policies, { opaPath, systemNamespaces }).evaluate(
        resources,
      );
      if (systemNamespaces.length > 0) {
        expect(ir.some((f) => f.message.includes("is in the system namespace"))).toBe(true);
      }
      expect(ir.length).toBeGreaterThan(resources.length);
      expect(ir.filter((f) => f.result === "fail").length).toBeGreaterThan(0);
      expect(compare(ir, opa, resources).slice(0, 5)).toEqual([]);
    },
    600_000,
  );
});
