/**
 * Every case of Charter's policy library (policies/) judged by the IR engine and by the
 * Kubernetes CEL judge on the emitted CEL: zero disagreements on result and message, and
 * every case's own expectation holds on the judge.
 */

import { listsInventory } from "@charter/ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { disagreements } from "@charter/test-support/engine-disagreements";
import { describe, expect, it } from "vitest";
import wholeLibrary from "../../../../policies/index.js";
import { caseResources } from "../inventory/judged-with.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Resource } from "../types.js";
import { createCelJudgeEngine } from "./engine.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const library = wholeLibrary.filter((policy) => policy.images === undefined);

const judge = celJudgeForTests();

// Policies listing other objects have no CEL form (docs/capabilities.md).
const policies = library.filter((policy) => !listsInventory(policy));
const cases = policies.flatMap((policy) => policy.cases.map((testCase) => ({ policy, testCase })));
const resources: Resource[] = caseResources(policies);

describe.skipIf(!judge)("the policy library on the Kubernetes CEL judge", () => {
  it("has cases to judge", () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  it("agrees with the IR engine on every case of every policy", async () => {
    const engine = createCelJudgeEngine(policies, { judgePath: judge as string });
    const cel = await engine.evaluate(resources);
    const ir = await createIrEngine(policies).evaluate(resources);
    expect(ir.length).toBeGreaterThan(0);
    expect(disagreements(ir, cel, resources)).toEqual([]);

    // Each case's own expectation, on the judge's answers.
    const wrong = cases.flatMap(({ policy, testCase }, index) => {
      const rows = cel.filter((f) => f.resourceIndex === index && f.policy === policy.name);
      const failed = rows.filter((f) => f.result === "fail").map((f) => f.rule);
      const ok =
        testCase.expect === "pass"
          ? failed.length === 0 && rows.every((f) => f.result !== "error")
          : failed.length > 0 && (testCase.rules ?? []).every((r) => failed.includes(r));
      return ok
        ? []
        : [
            `${policy.name} / ${testCase.name}: expected ${testCase.expect}, got ${JSON.stringify(rows.map((f) => [f.rule, f.result]))}`,
          ];
    });
    expect(wrong).toEqual([]);
  }, 120_000);
});
