/**
 * Admission requests on the engines that judge emitted Rego (packages/ir README, item 17):
 * real OPA on the Rego target (each request given as an admission.k8s.io/v1 AdmissionReview),
 * the Gatekeeper Rego through opa (input.review.operation, userInfo, oldObject) and the WASM
 * build. Every row of the shared table must equal the IR engine's, messages included.
 */

import { opaForTests } from "@charter/test-support/opa-for-tests";
import { REQUEST_POLICIES, requestBatch } from "@charter/test-support/request-table";
import { describe, expect, it } from "vitest";
import { createGatekeeperEngine } from "../gatekeeper/engine.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Engine, Finding } from "../types.js";
import { createWasmEngine } from "../wasm/engine.js";
import { createOpaEngine } from "./engine.js";

const opa = opaForTests();

function rows(findings: readonly Finding[]) {
  return findings.map((f) => ({
    resource: f.resourceIndex,
    policy: f.policy,
    rule: f.rule,
    result: f.result,
    messages: f.messages,
  }));
}

describe.skipIf(!opa)("admission requests on the Rego engines", () => {
  const batch = requestBatch();
  const expected = createIrEngine(REQUEST_POLICIES).evaluateSync(batch);
  const engines: [string, () => Engine][] = [
    ["opa", () => createOpaEngine(REQUEST_POLICIES, { opaPath: opa as string })],
    ["gatekeeper", () => createGatekeeperEngine(REQUEST_POLICIES, { opaPath: opa as string })],
    ["wasm", () => createWasmEngine(REQUEST_POLICIES, { opaPath: opa as string })],
  ];

  it("has failures of every operation to agree on", () => {
    const failing = new Set(
      expected
        .filter((f) => f.result === "fail")
        .map((f) => batch[f.resourceIndex]?.request?.operation),
    );
    expect([...failing].sort()).toEqual(["CREATE", "DELETE", "UPDATE"]);
  });

  it.each(engines)("%s equals the IR engine on every row, messages included", async (_, make) => {
    const got = await make().evaluate(batch);
    expect(rows(got)).toEqual(rows(expected));
  });

  it.each(engines)("%s judges resources without a request as CREATEs", async (_, make) => {
    const offline = batch.map(({ object }) => ({ object }));
    const want = createIrEngine(REQUEST_POLICIES).evaluateSync(offline);
    expect(rows(await make().evaluate(offline))).toEqual(rows(want));
  });
});
