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
import { afterAll, describe, expect, it } from "vitest";
import policies from "../../../../policies/index.js";
import { createIrEngine } from "../engine.js";
import { findGator } from "./find-gator.js";

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

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Writes the Gatekeeper files and one Suite per policy; returns the folder. */
function writeSuites(engine: "rego" | "cel"): string {
  const folder = mkdtempSync(join(tmpdir(), "charter-gator-"));
  folders.push(folder);
  for (const [path, text] of emitGatekeeper(policies, { engine })) {
    mkdirSync(join(folder, path, ".."), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  for (const policy of policies) {
    const findings = createIrEngine([policy]).evaluateSync(
      policy.cases.map((testCase) => ({ object: testCase.resource })),
    );
    const cases = policy.cases.map((testCase, index) => {
      const file = `case-${index}.json`;
      writeFileSync(join(folder, policy.name, file), JSON.stringify(testCase.resource));
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
      return { name: `case ${index}: ${testCase.name}`, object: file, assertions };
    });
    const suite = {
      kind: "Suite",
      apiVersion: "test.gatekeeper.sh/v1alpha1",
      tests: [
        { name: policy.name, template: "template.yaml", constraint: "constraint.yaml", cases },
      ],
    };
    // JSON is YAML; gator reads the suite with a YAML parser.
    writeFileSync(join(folder, policy.name, "suite.yaml"), JSON.stringify(suite, null, 2));
  }
  return folder;
}

describe.skipIf(gator === undefined)(
  "gator verify on the emitted templates and Constraints",
  () => {
    it.each(["rego", "cel"] as const)(
      "passes every policy case (engine %s)",
      async (engine) => {
        const folder = writeSuites(engine);
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
        const total = policies.reduce((n, p) => n + p.cases.length, 0);
        expect((result.out.match(/--- PASS: case /g) ?? []).length, result.out).toBe(total);
      },
      120_000,
    );
  },
);
