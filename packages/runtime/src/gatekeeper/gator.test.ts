/**
 * The emitted templates and Constraints on Gatekeeper's own `gator verify` (built by
 * scripts/install-gator.sh): one Suite per policy, one case per policy case, expecting at
 * least one violation and every IR message (exactly) for fail cases, and none for pass cases;
 * once with Rego templates and once with K8sNativeValidation (CEL) templates (which report
 * one violation per failing rule, with the first witness's message).
 * Without gator the test skips loudly; under CI=true (where scripts/install-engines.sh has
 * built it) a missing gator fails.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitGatekeeper } from "@charter/compiler";
import {
  groupOf,
  type InventoryKind,
  isCrossResource,
  type Json,
  type JsonObject,
  type Policy,
  type TestCase,
} from "@charter/ir";
import {
  CROSS_RESOURCE_CASES,
  crossResourcePolicies,
} from "@charter/test-support/cross-resource-table";
import { afterAll, describe, expect, it } from "vitest";
import wholeLibrary from "../../../../policies/index.js";
import { InventoryIndex } from "../inventory/inventory-index.js";
import { inventoryKindsOf } from "../inventory/judged-with.js";
import { createIrEngine } from "../ir-engine/engine.js";
import { findGator } from "./find-gator.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const library = wholeLibrary.filter((policy) => policy.images === undefined);

const gator = findGator();
if (gator === undefined && (process.env.CI === "true" || process.env.CI === "1")) {
  throw new Error("gator is required under CI=true: run scripts/install-engines.sh");
}
if (gator === undefined) {
  console.warn(
    "\n!!! SKIPPING gator verify: gator not found ($CHARTER_GATOR, .tools/bin/gator, PATH): run scripts/install-gator.sh\n",
  );
}

/** An RE2 pattern matching exactly `text`. */
function exactly(text: string): string {
  return `^${text.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")}$`;
}

/**
 * JSON that YAML also reads (gator parses every file as YAML): the characters YAML forbids raw
 * (DEL, C1 controls but NEL, U+FFFE/U+FFFF, lone surrogates) as `\u` escapes.
 */
function yamlSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * An inventory object as a cluster syncs it: at the version the policy reads (the API server
 * converts every version of a kind to the synced one); gator keys it by what is written.
 */
function syncedAs(kinds: readonly InventoryKind[], object: Json): Json {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return object;
  const { apiVersion, kind } = object as JsonObject;
  if (typeof apiVersion !== "string") return object;
  const synced = kinds.find(
    (k) => k.kind === kind && groupOf(k.apiVersion) === groupOf(apiVersion),
  );
  return synced ? { ...object, apiVersion: synced.apiVersion } : object;
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Writes the Gatekeeper files and one Suite per policy; returns the folder. */
function writeSuites(engine: "rego" | "cel", policies: readonly Policy[]): string {
  const folder = mkdtempSync(join(tmpdir(), "charter-gator-"));
  folders.push(folder);
  for (const [path, text] of emitGatekeeper(policies, { engine })) {
    mkdirSync(join(folder, path, ".."), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  for (const policy of policies) {
    // Each case is judged with its own scanned set: the resource and the case's inventory,
    // which gator puts into data.inventory as Gatekeeper's sync would.
    const kinds = inventoryKindsOf([policy]);
    const scanned = (testCase: TestCase) => [testCase.resource, ...(testCase.inventory ?? [])];
    const findings = createIrEngine([policy]).evaluateSync(
      policy.cases.map((testCase) => ({
        object: testCase.resource,
        inventory: InventoryIndex.of(kinds, scanned(testCase)),
      })),
    );
    const cases = policy.cases.map((testCase, index) => {
      const file = `case-${index}.json`;
      writeFileSync(join(folder, policy.name, file), yamlSafeJson(testCase.resource));
      const inventory = kinds.length === 0 ? [] : scanned(testCase);
      const inventoryFiles = inventory.map((object, n) => {
        const name = `case-${index}-inventory-${n}.json`;
        writeFileSync(join(folder, policy.name, name), yamlSafeJson(syncedAs(kinds, object)));
        return name;
      });
      const failing = findings.filter((f) => f.resourceIndex === index && f.result === "fail");
      // The IR engine must agree with the case, or the suite would prove nothing.
      expect(failing.length > 0, `${policy.name}: ${testCase.name}`).toBe(
        testCase.expect === "fail",
      );
      // Rego reports every witness; a CEL validation reports one violation per failing rule,
      // with the first witness's message (what a report row shows).
      const messages =
        engine === "rego" ? failing.flatMap((f) => f.messages) : failing.map((f) => f.message);
      const count = engine === "rego" ? "yes" : failing.length;
      const assertions =
        testCase.expect === "fail"
          ? [
              { violations: count },
              ...messages.map((message) => ({ message: exactly(message), violations: "yes" })),
            ]
          : [{ violations: "no" }];
      return {
        name: `case ${index}: ${testCase.name}`,
        object: file,
        ...(inventoryFiles.length > 0 ? { inventory: inventoryFiles } : {}),
        assertions,
      };
    });
    const suite = {
      kind: "Suite",
      apiVersion: "test.gatekeeper.sh/v1alpha1",
      tests: [
        { name: policy.name, template: "template.yaml", constraint: "constraint.yaml", cases },
      ],
    };
    // JSON is YAML; gator reads the suite with a YAML parser.
    writeFileSync(join(folder, policy.name, "suite.yaml"), yamlSafeJson(suite));
  }
  return folder;
}

/** Gatekeeper's CEL engine reads nothing beyond the object (no inventory, no namespaceObject). */
const celExpressible = (policy: Policy) => !isCrossResource(policy);

/** The cross-resource table's policies, each with the table's cases about it. */
const crossResource: readonly Policy[] = crossResourcePolicies("all").map((policy) => ({
  ...policy,
  cases: CROSS_RESOURCE_CASES.filter((c) => c.policy === policy.name && !c.offlineOnly).map(
    (c): TestCase => ({
      name: c.note,
      expect: Object.values(c.expected).includes("fail") ? "fail" : "pass",
      resource: c.resource,
      inventory: c.inventory,
    }),
  ),
}));

describe.skipIf(gator === undefined)(
  "gator verify on the emitted templates and Constraints",
  () => {
    it.each([
      ["the policy library", "rego", library],
      // Cross-resource policies are Rego-only on Gatekeeper (the CEL emitter refuses them).
      ["the policy library", "cel", library.filter(celExpressible)],
      // Gatekeeper's own data.inventory from each case's inventory (Rego only reads it).
      ["the cross-resource table", "rego", crossResource],
    ] as const)(
      "passes every case of %s (engine %s)",
      async (_name, engine, policies) => {
        const folder = writeSuites(engine, policies);
        const result = await new Promise<{ code: number; out: string }>((resolvePromise) => {
          execFile(
            gator as string,
            ["verify", "-v", "./..."],
            { cwd: folder, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
            (error, stdout, stderr) =>
              resolvePromise({
                code: error ? Number(error.code ?? 1) : 0,
                out: `${stdout}${stderr}`,
              }),
          );
        });
        expect(result.out, result.out).toMatch(/ok/);
        expect(result.code, result.out).toBe(0);
        // Every case ran.
        let total = 0;
        for (const policy of policies as readonly Policy[]) total += policy.cases.length;
        expect((result.out.match(/--- PASS: case /g) ?? []).length, result.out).toBe(total);
      },
      120_000,
    );
  },
);
