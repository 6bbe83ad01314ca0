/**
 * The WASM engine against the IR engine: the IR semantics table row by row, and the
 * cross-resource table (each resource judged with its own scanned set) result and messages.
 */

import { kindsMatch, policy, rule } from "@charter/test-support/build-ir";
import {
  CROSS_RESOURCE_CASES,
  crossResourceBatch,
  crossResourcePolicies,
} from "@charter/test-support/cross-resource-table";
import { opaForTests } from "@charter/test-support/opa-for-tests";
import { DATA, SEMANTICS_ROWS } from "@charter/test-support/semantics-table";
import { describe, expect, it } from "vitest";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding } from "../types.js";
import { createWasmEngine } from "./engine.js";

const opa = opaForTests();

/** What engines must agree on. */
function rows(findings: readonly Finding[]) {
  return findings.map((f) => ({
    resource: f.resourceIndex,
    policy: f.policy,
    rule: f.rule,
    result: f.result,
    messages: f.messages,
  }));
}

describe.skipIf(!opa)("the IR semantics on the WASM engine", () => {
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

  it("gives every row the IR semantics' truth value, as the IR engine does", async () => {
    const got = await createWasmEngine(policies, { opaPath: opa as string }).evaluate(resources);
    expect(got.map((f) => f.policy)).toEqual(policies.map((p) => p.name));
    const disagreements = SEMANTICS_ROWS.flatMap((row, index) =>
      (got[index]?.result === "fail") === row.expected
        ? []
        : [`${row.note}: wasm=${got[index]?.result} expected fail=${row.expected}`],
    );
    expect(disagreements).toEqual([]);
    expect(rows(got)).toEqual(rows(createIrEngine(policies).evaluateSync(resources)));
  }, 120_000);
});

describe.skipIf(!opa)("cross-resource policies on the WASM engine", () => {
  const policies = crossResourcePolicies("all");

  it("equals the IR engine on every row of the table, messages included", async () => {
    const batch = crossResourceBatch(policies);
    const got = await createWasmEngine(policies, { opaPath: opa as string }).evaluate(batch);
    expect(rows(got)).toEqual(rows(createIrEngine(policies).evaluateSync(batch)));
    expect(got.some((f) => f.result === "skip")).toBe(true);
    expect(got.some((f) => f.result === "fail")).toBe(true);
  }, 120_000);

  it("uses the whole batch as the scanned set when resources carry none", async () => {
    const resources = CROSS_RESOURCE_CASES.flatMap((c) => [c.resource, ...c.inventory]).map(
      (object) => ({ object }),
    );
    const engine = createWasmEngine(policies, { opaPath: opa as string });
    const got = await engine.evaluate(resources);
    expect(rows(got)).toEqual(rows(createIrEngine(policies).evaluateSync(resources)));
    // The compiled policy is reused: a second batch gives the same rows.
    expect(rows(await engine.evaluate(resources))).toEqual(rows(got));
  }, 120_000);
});
