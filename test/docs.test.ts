/**
 * `charter docs` end to end on the repository's own library: the committed catalog and matrix
 * are what the policies generate now (drift fails here; regenerate with `charter docs`), the
 * matrix lists the whole vocabulary of shared/reference/controls.md, every policy is in the
 * catalog, and the output is deterministic.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import policies from "../policies/index.js";
import { repoRoot, runCli } from "./support/run-cli.js";

const controlsMd = join(repoRoot, "../shared/reference/controls.md");

/** Every tag in the first cell of a table row of controls.md, and the section-level tags. */
function vocabularyTags(): string[] {
  const text = readFileSync(controlsMd, "utf8");
  const rows = [...text.matchAll(/^\| `((?:pss|cis|nsa|area):[^`]+)` \|/gm)].map((m) => m[1]);
  const cisSections = [...text.matchAll(/`(?:cis:)?(5\.\d)`/g)].map((m) => `cis:${m[1]}`);
  const nsaSections = [...text.matchAll(/`(nsa:[a-z-]+)` =/g)].map((m) => m[1]);
  const outside = [...text.matchAll(/`(cis:1\.2\.\d+)`/g)].map((m) => m[1]);
  return [...new Set([...rows, ...cisSections, ...nsaSections, ...outside])] as string[];
}

describe("charter docs", () => {
  const scratch = mkdtempSync(join(tmpdir(), "charter-docs-"));
  let catalog = "";
  let matrix = "";

  beforeAll(async () => {
    const run = await runCli(["docs", "--out", scratch]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    catalog = readFileSync(join(scratch, "catalog.md"), "utf8");
    matrix = readFileSync(join(scratch, "matrix.md"), "utf8");
  });

  it("the committed docs/policies are what the policies generate now", async () => {
    const run = await runCli(["docs", "--check"]);
    // On failure: run `pnpm exec charter docs` (or this test's runCli(["docs"])) and commit.
    expect(run.stdout).toMatch(/docs\/policies: up to date/);
    expect(run.code).toBe(0);
  });

  it("the CLI's control table is what scripts/gen-controls.mjs makes of controls.md", () => {
    const output = execFileSync(process.execPath, ["scripts/gen-controls.mjs", "--check"], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(output).toMatch(/up to date/);
  });

  it("the matrix lists every control of controls.md", () => {
    const tags = vocabularyTags();
    expect(tags.length).toBeGreaterThanOrEqual(19 + 34 + 30 + 12);
    const missing = tags.filter((tag) => !matrix.includes(`</a>\`${tag}\``));
    expect(missing).toEqual([]);
    for (const tag of ["pss:baseline:privileged", "cis:5.2.10", "nsa:network", "area:rbac"]) {
      expect(tags).toContain(tag);
    }
  });

  it("every policy is in the catalog, with its targets and case counts", () => {
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      expect(catalog).toContain(`\n## ${policy.name}\n`);
      expect(catalog).toContain(`| [${policy.name}](#${policy.name}) |`);
      const section = catalog.split(`\n## ${policy.name}\n`)[1]?.split("\n## ")[0] ?? "";
      const passing = policy.cases.filter((c) => c.expect === "pass").length;
      expect(section).toContain(
        `**Cases**: ${passing} pass, ${policy.cases.length - passing} fail.`,
      );
      expect(section).toMatch(/\n- rego: (yes|no: .+)\n- gatekeeper: /);
      for (const tag of policy.controls) expect(section).toContain(`\`${tag}\``);
    }
    const headings = [...catalog.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(policies.map((p) => p.name).sort());
  });

  it("is deterministic, leaves other files alone and no staging folder behind", async () => {
    writeFileSync(join(scratch, "README.md"), "hand-written\n");
    expect((await runCli(["docs", "--out", scratch])).code).toBe(0);
    expect(readFileSync(join(scratch, "catalog.md"), "utf8")).toBe(catalog);
    expect(readFileSync(join(scratch, "matrix.md"), "utf8")).toBe(matrix);
    expect(readdirSync(scratch).sort()).toEqual(["README.md", "catalog.md", "matrix.md"]);
  });

  it("--check writes nothing and lists the files that differ", async () => {
    const out = mkdtempSync(join(tmpdir(), "charter-docs-check-"));
    writeFileSync(join(out, "catalog.md"), "# stale\n");
    const run = await runCli(["docs", "--out", out, "--check"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/changed\s+.*catalog\.md/);
    expect(run.stdout).toMatch(/missing\s+.*matrix\.md/);
    expect(readFileSync(join(out, "catalog.md"), "utf8")).toBe("# stale\n");
    expect(existsSync(join(out, "matrix.md"))).toBe(false);
    rmSync(out, { recursive: true, force: true });
  });

  it("--select narrows the catalog; the matrix still lists every control", async () => {
    const out = mkdtempSync(join(tmpdir(), "charter-docs-select-"));
    const run = await runCli(["docs", "--out", out, "--select", "cis:5.2.2"]);
    expect(run.code).toBe(0);
    const narrowed = readFileSync(join(out, "catalog.md"), "utf8");
    const selected = policies.filter((p) => p.controls.includes("cis:5.2.2")).map((p) => p.name);
    const headings = [...narrowed.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(selected.sort());
    expect(narrowed).toContain("`--select cis:5.2.2`");
    const narrowedMatrix = readFileSync(join(out, "matrix.md"), "utf8");
    for (const tag of vocabularyTags()) expect(narrowedMatrix).toContain(`</a>\`${tag}\``);
    rmSync(out, { recursive: true, force: true });
  });

  it("--help teaches with an example", async () => {
    const run = await runCli(["docs", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("charter docs --check");
  });
});
