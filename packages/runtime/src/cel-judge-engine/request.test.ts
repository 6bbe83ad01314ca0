/**
 * Admission requests on the CEL engines (packages/ir README, item 17): the Kubernetes CEL
 * judge (request.operation, request.userInfo and oldObject bound as the API server binds them,
 * the object null on a DELETE) and the in-process evaluator. Every row of the shared table must
 * equal the IR engine's, messages included.
 */

import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { REQUEST_POLICIES, requestBatch } from "@charter/test-support/request-table";
import { describe, expect, it } from "vitest";
import { createInProcessCelEngine } from "../cel-in-process/engine.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding } from "../types.js";
import { createCelJudgeEngine } from "./engine.js";

const judge = celJudgeForTests();

function rows(findings: readonly Finding[]) {
  return findings.map((f) => ({
    resource: f.resourceIndex,
    policy: f.policy,
    rule: f.rule,
    result: f.result,
    messages: f.messages,
  }));
}

describe("admission requests on the CEL engines", () => {
  const batch = requestBatch();
  const expected = createIrEngine(REQUEST_POLICIES).evaluateSync(batch);

  it.skipIf(!judge)("the Kubernetes CEL judge equals the IR engine on every row", async () => {
    const engine = createCelJudgeEngine(REQUEST_POLICIES, { judgePath: judge as string });
    expect(rows(await engine.evaluate(batch))).toEqual(rows(expected));
  });

  it.skipIf(!judge)("the judge takes resources without a request as CREATEs", async () => {
    const offline = batch.map(({ object }) => ({ object }));
    const want = createIrEngine(REQUEST_POLICIES).evaluateSync(offline);
    const engine = createCelJudgeEngine(REQUEST_POLICIES, { judgePath: judge as string });
    expect(rows(await engine.evaluate(offline))).toEqual(rows(want));
  });

  it("the in-process evaluator equals the IR engine on every row", async () => {
    const engine = createInProcessCelEngine(REQUEST_POLICIES, { name: "vap-cel" });
    expect(rows(await engine.evaluate(batch))).toEqual(rows(expected));
  });
});
