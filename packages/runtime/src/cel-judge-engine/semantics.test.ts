/**
 * The IR semantics table (semantics-table.ts, shared with the real-OPA test) judged by the
 * Kubernetes CEL environment on the emitted CEL, row by row, and compared with the IR engine.
 * Rows CEL cannot express must be refused at compile time with a CharterError naming them.
 */
import { emitCelPolicy } from "@charter/compiler";
import { isCharterError, type Policy } from "@charter/ir";
import { kindsMatch, policy, rule } from "@charter/test-support/build-ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { DATA, SEMANTICS_ROWS as rows } from "@charter/test-support/semantics-table";
import { beforeAll, describe, expect, it } from "vitest";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding } from "../types.js";
import { createCelJudgeEngine } from "./engine.js";

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

/**
 * The rows CEL refuses: a `matches` pattern read from the resource (it may not be RE2), and
 * `keys(…)` where CEL could not give its order (in a list expression, under `??`).
 */
const REFUSED = new Set([
  "pattern from data RE2 rejects is false",
  "not of a rejected pattern is true",
  "keys in a list expression (CEL refuses)",
  "keys ?? [] of a string (CEL refuses)",
]);

function expressible(p: Policy): boolean {
  try {
    emitCelPolicy(p, { params: "inline", object: "object" });
    return true;
  } catch (error) {
    if (isCharterError(error)) return false;
    throw error;
  }
}

const judge = celJudgeForTests();

describe("CEL refuses what it cannot express", () => {
  it("refuses exactly the rows with a `matches` pattern from data or unordered keys, naming policy, rule and target", () => {
    const refused = rows.filter((_, index) => !expressible(policies[index] as Policy));
    expect(refused.map((row) => row.note).sort()).toEqual([...REFUSED].sort());
    const index = rows.findIndex((row) => REFUSED.has(row.note));
    expect(() =>
      emitCelPolicy(policies[index] as Policy, {
        params: "inline",
        object: "object",
        target: "vap",
      }),
    ).toThrow(
      new RegExp(`policy "case-${index}", rule "r": .*matches.*target "vap" cannot express it`),
    );
  });
});

describe.skipIf(!judge)("the IR semantics on the Kubernetes CEL judge", () => {
  const kept = rows.flatMap((row, index) =>
    REFUSED.has(row.note) ? [] : [{ ...row, index, policy: policies[index] as Policy }],
  );
  let verdicts = new Map<string, Finding>();
  beforeAll(async () => {
    const engine = createCelJudgeEngine(
      kept.map((row) => row.policy),
      { judgePath: judge as string },
    );
    const findings = await engine.evaluate(
      kept.map((row) => resources[row.index] as (typeof resources)[number]),
    );
    verdicts = new Map(findings.map((f) => [f.policy, f]));
  }, 120_000);

  it.each(kept)("$note", ({ policy: p, expected }) => {
    const finding = verdicts.get(p.name);
    expect(finding?.result, finding?.message).toBe(expected ? "fail" : "pass");
  });

  it("agrees with the IR engine on every row", () => {
    const ir = createIrEngine(kept.map((row) => row.policy)).evaluateSync(
      kept.map((row) => resources[row.index] as (typeof resources)[number]),
    );
    const problems = ir.flatMap((f) => {
      const c = verdicts.get(f.policy);
      return c?.result === f.result
        ? []
        : [`${f.policy}: ir=${f.result} cel=${c?.result} ${c?.message}`];
    });
    expect(problems).toEqual([]);
  });
});
