/**
 * Admission requests end to end (packages/ir README, item 17): the policies of
 * test/fixtures/admission-requests-project — a DELETE of a protected Namespace, an UPDATE that
 * changes a label (object against request.oldObject), a warning on a service account's user
 * name, CREATE-only and DELETE-only pod policies — with cases of every operation, judged by
 * `charter test --engine all` on every engine: the IR engine, real OPA on the Rego (each case an
 * AdmissionReview), the Gatekeeper Rego through opa (input.review), WASM, the Kubernetes CEL
 * judge and the in-process CEL of Kyverno and VAP. Any disagreement fails the run.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./support/run-cli.js";

const project = join(repoRoot, "test", "fixtures", "admission-requests-project");

describe("admission requests on every engine", () => {
  it("every case of every operation passes on every engine, which agree", async () => {
    const run = await runCli(["test", "--engine", "all"], { cwd: project });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(
      "5 policies, 18 cases on ir, opa, wasm, gatekeeper, kyverno-cel, vap-cel, cel-judge",
    );
    expect(run.stdout).toMatch(/5 passed, 0 failed/);
    expect(run.code).toBe(0);
  });

  it("builds every target; each admission policy matches the policy's operations", async () => {
    const out = mkdtempSync(join(tmpdir(), "charter-requests-"));
    try {
      const run = await runCli(["build", "--out", out], { cwd: project });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const read = (target: string, name: string) => {
        const file = readdirSync(join(out, target), { recursive: true })
          .map(String)
          .find((path) => path.includes(name) && path.endsWith(".yaml"));
        return readFileSync(join(out, target, file ?? "missing"), "utf8");
      };
      expect(read("vap", "protect-namespaces")).toMatch(/operations:\n\s+- DELETE\n/);
      expect(read("kyverno", "keep-team-label")).toMatch(/operations:\n\s+- UPDATE\n/);
      expect(read("gatekeeper", "no-privileged-on-create/template")).toContain(
        'lib.operation in {\\"CREATE\\"}',
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("charter check on a project with request-only policies", () => {
  it("says which policies a scan never judges (objects are judged as CREATE)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "charter-requests-check-"));
    try {
      const manifest = join(dir, "namespace.yaml");
      writeFileSync(manifest, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n");
      const run = await runCli(["check", manifest], { cwd: project });
      const notes = run.stderr.split("\n").filter((line) => line.startsWith("note: "));
      expect(notes.map((line) => line.split(" ")[1]).sort()).toEqual([
        "keep-team-label",
        "no-critical-pod-deletes",
        "protect-namespaces",
      ]);
      expect(notes).toContain(
        "note: protect-namespaces judges only DELETE requests, and charter check judges objects as CREATE: not judged here (charter webhook and the admission targets judge it)",
      );
      const quiet = await runCli(["check", manifest, "--quiet"], { cwd: project });
      expect(quiet.stderr).not.toContain("note: ");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
