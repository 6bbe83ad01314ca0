/**
 * Cross-resource policies on the Gatekeeper engine (real OPA on the templates): every row of the shared table (the resource's Namespace
 * and `inventory(…)` lists, each resource judged with its own scanned set as data.inventory)
 * must equal the IR engine's, result and messages; a batch without per-resource sets is its
 * own scanned set.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitGatekeeper } from "@charter/compiler";
import type { Expr, JsonObject } from "@charter/ir";
import { lit, not, podMatch, policy, rule, text } from "@charter/test-support/build-ir";
import {
  CROSS_RESOURCE_CASES,
  crossResourceBatch,
  crossResourcePolicies,
} from "@charter/test-support/cross-resource-table";
import { opaForTests } from "@charter/test-support/opa-for-tests";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding } from "../types.js";
import { createGatekeeperEngine } from "./engine.js";

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

describe.skipIf(!opa)("cross-resource policies on the gatekeeper engine", () => {
  const policies = crossResourcePolicies("all");
  const batch = crossResourceBatch(policies);
  const expected = createIrEngine(policies).evaluateSync(batch);

  it("gives the table's results on the IR engine (the reference is right)", () => {
    CROSS_RESOURCE_CASES.forEach((testCase, index) => {
      const got = Object.fromEntries(
        expected
          .filter((f) => f.resourceIndex === index && f.policy === testCase.policy)
          .map((f) => [f.rule, f.result]),
      );
      expect(got, testCase.note).toEqual(testCase.expected);
    });
  });

  it("equals the IR engine on every row, messages included", async () => {
    const engine = createGatekeeperEngine(policies, { opaPath: opa as string });
    const got = await engine.evaluate(batch);
    expect(rows(got)).toEqual(rows(expected));
    expect(got.some((f) => f.result === "skip")).toBe(true);
  });

  it("uses the whole batch as the scanned set when resources carry none", async () => {
    const resources = CROSS_RESOURCE_CASES.flatMap((c) => [c.resource, ...c.inventory]).map(
      (object) => ({ object }),
    );
    const want = createIrEngine(policies).evaluateSync(resources);
    const got = await createGatekeeperEngine(policies, { opaPath: opa as string }).evaluate(
      resources,
    );
    expect(rows(got)).toEqual(rows(want));
  });
});

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const labelOfNamespace: Expr = {
  kind: "ref",
  root: { kind: "namespace" },
  path: ["metadata", "labels", "tier"],
};
/** Fails when the Namespace lacks tier=trusted: in the IR, on an unknown Namespace too. */
const negated = policy(
  "xr-negated",
  [
    rule(
      "untiered",
      not({ kind: "compare", op: "==", left: labelOfNamespace, right: lit("trusted") }),
      [text("untiered")],
    ),
  ],
  { match: podMatch() },
);

describe.skipIf(!opa)("cross-resource templates", () => {
  it("pass opa check --strict and are unchanged by opa fmt", () => {
    const folder = mkdtempSync(join(tmpdir(), "charter-gatekeeper-xr-"));
    folders.push(folder);
    mkdirSync(join(folder, "lib"));
    for (const [path, yaml] of emitGatekeeper([...crossResourcePolicies("all"), negated])) {
      if (!path.endsWith("template.yaml")) continue;
      const template = parse(yaml) as { spec: { targets: { code: { source: JsonObject }[] }[] } };
      const source = template.spec.targets[0]?.code[0]?.source as { rego: string; libs: string[] };
      writeFileSync(join(folder, path.replace("/template.yaml", ".rego")), source.rego);
      writeFileSync(join(folder, "lib", "charter.rego"), source.libs[0] as string);
    }
    execFileSync(opa as string, ["check", "--strict", folder], { encoding: "utf8" });
    expect(execFileSync(opa as string, ["fmt", "-l", folder], { encoding: "utf8" })).toBe("");
  });

  it("never denies on an unknown Namespace, fails on a known one", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "apps" } };
    const apps = { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } };
    const engine = createGatekeeperEngine([negated], { opaPath: opa as string });
    const unknown = await engine.evaluate([{ object: pod }]);
    expect(unknown.map((f) => f.result)).toEqual(["skip"]);
    const known = await engine.evaluate([{ object: pod }, { object: apps }]);
    expect(known.map((f) => [f.result, f.messages])).toEqual([["fail", ["untiered"]]]);
  });
});
