/**
 * Cross-resource policies on real OPA: every row of the shared table (the resource's Namespace
 * and `inventory(…)` lists, each resource judged with its own scanned set as data.inventory)
 * must equal the IR engine's, result and messages; a batch without per-resource sets is its
 * own scanned set.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { emitRego } from "@charter/compiler";
import type { Expr, Json } from "@charter/ir";
import { lit, not, podMatch, policy, rule, text } from "@charter/test-support/build-ir";
import {
  CROSS_RESOURCE_CASES,
  crossResourceBatch,
  crossResourcePolicies,
} from "@charter/test-support/cross-resource-table";
import { opaForTests } from "@charter/test-support/opa-for-tests";
import { afterAll, describe, expect, it } from "vitest";
import { InventoryIndex } from "../inventory/inventory-index.js";
import { inventoryKindsOf } from "../inventory/judged-with.js";
import { createIrEngine } from "../ir-engine/engine.js";
import type { Finding } from "../types.js";
import { createOpaEngine } from "./engine.js";

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

describe.skipIf(!opa)("cross-resource policies on the opa engine", () => {
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
    const engine = createOpaEngine(policies, { opaPath: opa as string });
    const got = await engine.evaluate(batch);
    expect(rows(got)).toEqual(rows(expected));
    expect(got.some((f) => f.result === "skip")).toBe(true);
  });

  it("uses the whole batch as the scanned set when resources carry none", async () => {
    const resources = CROSS_RESOURCE_CASES.flatMap((c) => [c.resource, ...c.inventory]).map(
      (object) => ({ object }),
    );
    const want = createIrEngine(policies).evaluateSync(resources);
    const got = await createOpaEngine(policies, { opaPath: opa as string }).evaluate(resources);
    expect(rows(got)).toEqual(rows(want));
  });
});

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function writeTree(files: ReadonlyMap<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "charter-rego-xr-"));
  folders.push(folder);
  for (const [path, contents] of files) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), contents);
  }
  return folder;
}

/** `data.charter.violations` of the plain Rego target for `input`, with `data.inventory` if given. */
function violations(folder: string, input: Json, inventory?: Json): Json {
  writeFileSync(join(folder, "input.json"), JSON.stringify(input));
  const data = join(folder, "inventory", "data.json");
  rmSync(dirname(data), { recursive: true, force: true });
  if (inventory !== undefined) {
    mkdirSync(dirname(data), { recursive: true });
    // OPA roots a data.json at its folder: this one is data.inventory.
    writeFileSync(data, JSON.stringify(inventory));
  }
  const args = ["eval", "--format=json", "--data", folder, "--input", join(folder, "input.json")];
  const out = JSON.parse(
    execFileSync(opa as string, [...args, "data.charter.violations"], { encoding: "utf8" }),
  );
  return out.result?.[0]?.expressions?.[0]?.value;
}

const labelOfNamespace: Expr = {
  kind: "ref",
  root: { kind: "namespace" },
  path: ["metadata", "labels", "tier"],
};

/** Fails when the Namespace lacks tier=trusted: true (in the IR) on an unknown Namespace too. */
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

const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "apps" }, spec: {} };
const apps = (tier: string): Json => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: "apps", labels: { tier } },
});

describe.skipIf(!opa)("the plain Rego target's cross-resource constructs", () => {
  it("pass opa check --strict and are unchanged by opa fmt", () => {
    const folder = writeTree(emitRego([...crossResourcePolicies("all"), negated]));
    execFileSync(opa as string, ["check", "--strict", folder], { encoding: "utf8" });
    expect(execFileSync(opa as string, ["fmt", "-l", folder], { encoding: "utf8" })).toBe("");
  });

  it("reads data.inventory as Gatekeeper lays it out, and never denies on an unknown Namespace", () => {
    const folder = writeTree(emitRego([negated]));
    const data = (objects: Json[]) =>
      InventoryIndex.of(inventoryKindsOf([negated]), objects).toGatekeeperData();
    expect(violations(folder, pod, data([apps("other")]))).toEqual([
      {
        policy: "xr-negated",
        rule: "untiered",
        message: "untiered",
        severity: "high",
        enforcement: "deny",
      },
    ]);
    expect(violations(folder, pod, data([apps("trusted")]))).toEqual([]);
    // Not synced, no data.inventory at all, or a pod naming no namespace: nothing denies.
    expect(violations(folder, pod, data([]))).toEqual([]);
    expect(violations(folder, pod)).toEqual([]);
    const placeless = { ...pod, metadata: { name: "p" } };
    expect(violations(folder, placeless, data([apps("other")]))).toEqual([]);
  });

  it("skips, on the engine, what the Rego leaves undecided", async () => {
    const engine = createOpaEngine([negated], { opaPath: opa as string });
    const got = await engine.evaluate([{ object: pod }]);
    expect(got.map((f) => [f.result, f.message])).toEqual([
      [
        "skip",
        'Namespace "apps" is not in the scanned set; scan its manifest with the workload to judge this rule',
      ],
    ]);
  });
});
