/**
 * The WASM engine end to end: the library's own cases judged by the emitted Rego compiled with
 * `opa build -t wasm` equal the IR engine row for row, and `charter build --wasm` writes a
 * policy.wasm that opa-wasm loads and whose entrypoints give `data.charter.violations`.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitRego } from "@charter/compiler";
import {
  caseResources,
  createIrEngine,
  createWasmEngine,
  type Finding,
  findOpa,
  loadCompiledPolicy,
} from "@charter/runtime";
import { afterEach, describe, expect, it } from "vitest";
import wholeLibrary from "../policies/index.js";
import { runCli } from "./support/run-cli.js";
import { scanOnlyNotes, stderrLines } from "./support/scan-only-notes.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const policies = wholeLibrary.filter((policy) => policy.images === undefined);

const opa = findOpa();
if (!opa) {
  const message =
    "opa not found ($CHARTER_OPA, .tools/bin/opa, PATH): run scripts/install-engines.sh";
  if (process.env.CI) throw new Error(`${message} (CI=true makes this an error)`);
  console.warn(`\n!!! SKIPPING WASM tests: ${message}\n`);
}

function rows(findings: readonly Finding[]) {
  return findings.map((f) => ({
    resource: f.resourceIndex,
    policy: f.policy,
    rule: f.rule,
    result: f.result,
    messages: f.messages,
  }));
}

describe("the emitted Rego's messages", () => {
  it("are built with concat, never sprintf (opa-wasm's sprintf is JavaScript's, not Go's)", () => {
    const rego = [...emitRego(policies).values()].join("\n");
    expect(rego).toContain("concat(");
    expect(rego).not.toMatch(/\bsprintf\(/);
  });
});

describe.skipIf(!opa)("the library on the WASM engine", () => {
  it("equals the IR engine on every case of every policy, messages included", async () => {
    const resources = caseResources(policies);
    const want = createIrEngine(policies).evaluateSync(resources);
    const got = await createWasmEngine(policies, { opaPath: opa as string }).evaluate(resources);
    expect(rows(got)).toEqual(rows(want));
    expect(got.filter((f) => f.result === "fail").length).toBeGreaterThan(50);
  }, 120_000);
});

describe.skipIf(!opa)("charter build --wasm", () => {
  it("writes a policy.wasm that opa-wasm loads, with the aggregate and every policy", async () => {
    const out = mkdtempSync(join(tmpdir(), "charter-wasm-"));
    const run = await runCli(["build", "--out", out, "--wasm", "--target", "rego"]);
    expect(stderrLines(run.stderr)).toEqual(scanOnlyNotes("build-rego"));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/to rego, wasm: /);
    const manifest = JSON.parse(readFileSync(join(out, "wasm/manifest.json"), "utf8"));
    expect(Object.keys(manifest.entrypoints)).toContain("charter/violations");
    expect(Object.keys(manifest.entrypoints)).toContain(
      "charter/policies/disallow_privileged_containers/violations",
    );
    const policy = await loadCompiledPolicy(readFileSync(join(out, "wasm/policy.wasm")));
    policy.setData(JSON.parse(readFileSync(join(out, "wasm/data.json"), "utf8")));
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "apps" },
      spec: { containers: [{ name: "c", image: "x", securityContext: { privileged: true } }] },
    };
    const [all] = policy.evaluate(pod, "charter/violations");
    const [one] = policy.evaluate(
      pod,
      "charter/policies/disallow_privileged_containers/violations",
    );
    expect(one.result).toContainEqual(
      expect.objectContaining({ policy: "disallow-privileged-containers" }),
    );
    expect(all.result).toEqual(expect.arrayContaining(one.result));
    expect(all.result.length).toBeGreaterThan(one.result.length);

    // The same sources compile to the same bytes: --check sees no drift.
    const check = await runCli(["build", "--out", out, "--wasm", "--target", "rego", "--check"]);
    expect(check.stdout).toMatch(/up to date/);
    expect(check.code).toBe(0);
  }, 120_000);
});

describe("charter build --wasm without opa", () => {
  const saved = process.env.CHARTER_OPA;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHARTER_OPA;
    else process.env.CHARTER_OPA = saved;
  });

  it("fails with exit 2, says how to install opa, and writes nothing", async () => {
    process.env.CHARTER_OPA = "/nonexistent/opa";
    const out = mkdtempSync(join(tmpdir(), "charter-wasm-"));
    const run = await runCli(["build", "--out", out, "--wasm"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/opa build -t wasm/);
    expect(run.stderr).toMatch(/scripts\/install-engines\.sh/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(out)).toEqual([]);
  });

  it("charter bundle --wasm too: exit 2, how to install opa, no bundle written", async () => {
    process.env.CHARTER_OPA = "/nonexistent/opa";
    const out = mkdtempSync(join(tmpdir(), "charter-wasm-"));
    const run = await runCli(["bundle", "--out", join(out, "bundle.tar.gz"), "--wasm"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/charter bundle --wasm.*opa build -t wasm/);
    expect(run.stderr).toMatch(/scripts\/install-engines\.sh/);
    expect(readdirSync(out)).toEqual([]);
  });
});
