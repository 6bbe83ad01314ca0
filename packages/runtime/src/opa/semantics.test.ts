/**
 * The IR's semantics (packages/ir/src/expr.ts) judged by real OPA on the emitted Rego: each
 * row is a condition, the `data` of a resource, and the truth value the IR semantics give.
 * The IR engine answers the same table, so the two engines are also compared row by row.
 */

import { kindsMatch, policy, rule } from "@charter/test-support/build-ir";
import { opaForTests } from "@charter/test-support/opa-for-tests";
import { DATA, SEMANTICS_ROWS } from "@charter/test-support/semantics-table";
import { beforeAll, describe, expect, it } from "vitest";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding } from "../types.js";
import { createOpaEngine } from "./engine.js";

const rows = SEMANTICS_ROWS;

const policies = rows.map((row, index) =>
  policy(`case-${index}`, [rule("r", row.condition)], {
    match: kindsMatch([{ group: "test.charter.dev", kind: `Case${index}` }]),
  }),
);
const resources = rows.map((_, index) => ({
  object: {
    apiVersion: "test.charter.dev/v1",
    kind: `Case${index}`,
    metadata: { name: `c${index}` },
    data: DATA,
  },
}));

function verdicts(findings: readonly Finding[]): boolean[] {
  expect(findings).toHaveLength(rows.length);
  return findings.map((finding, index) => {
    expect(finding.policy).toBe(`case-${index}`);
    return finding.result === "fail";
  });
}

const opa = opaForTests();

describe.skipIf(!opa)("the IR semantics on real OPA", () => {
  let opaVerdicts: boolean[] = [];
  beforeAll(async () => {
    const engine = createOpaEngine(policies, { opaPath: opa as string });
    opaVerdicts = verdicts(await engine.evaluate(resources));
  });

  it.each(rows.map((row, index) => ({ ...row, index })))("$note", ({ index, expected }) => {
    expect(opaVerdicts[index]).toBe(expected);
  });

  it("agrees with the IR engine on every row", () => {
    const ir = verdicts(createIrEngine(policies).evaluateSync(resources));
    const disagreements = rows.flatMap((row, index) =>
      ir[index] === opaVerdicts[index]
        ? []
        : [`${row.note}: ir=${ir[index]} opa=${opaVerdicts[index]}`],
    );
    expect(disagreements).toEqual([]);
  });
});
