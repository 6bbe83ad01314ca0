/**
 * Issue 12, requirement 11: the docs match what the CLI does. `charter check` with no path and a
 * terminal on stdin says what it needs instead of waiting silently; the top-level `build`
 * example says it builds every target; `--format json` keeps docs/cli.md's key order; counts
 * read `1 policy`, `1 check`; the README and docs/ send readers to nothing outside the
 * repository.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "@charter/cli";
import { CONTROLS, controlsPage } from "@charter/compiler";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/run-cli.js";

const ONE_POLICY = ["--policies", "policies/disallow-privileged-containers.ts"];
const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: web
      image: registry.example.com/web:1.4.2
      securityContext:
        privileged: true
`;

/** Runs charter with a terminal on stdin that never sends anything (a person not typing). */
async function runOnTerminal(args: readonly string[]) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "charter", ...args], {
    cwd: repoRoot,
    stdin,
    output: {
      out: (line = "") => {
        stdout += `${line}\n`;
      },
      err: (line = "") => {
        stderr += `${line}\n`;
      },
      paint: (_style, text) => text,
    },
  });
  return { code, stdout, stderr };
}

describe("charter check with no path", () => {
  it("reads piped stdin, as docs/cli.md says", async () => {
    const run = await runCli(["check", ...ONE_POLICY], { stdin: POD });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Pod shop/web");
    const doc = readFileSync(join(repoRoot, "docs/cli.md"), "utf8");
    expect(doc).toMatch(/With no path, `check` reads stdin when it is\s+piped/);
  });

  it("on a terminal, exits 2 saying what it needs instead of waiting", async () => {
    const run = await runOnTerminal(["check", ...ONE_POLICY]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "charter check needs manifests: files, folders, or - to read stdin",
    );
  }, 10_000);
});

describe("charter --help", () => {
  it("says that build compiles every target", async () => {
    const run = await runCli(["--help"]);
    const line = run.stdout.split("\n").find((l) => l.includes("$ charter build"));
    expect(line).toContain("every target");
    for (const target of ["rego", "gatekeeper", "kyverno", "vap"]) expect(line).toContain(target);
  });
});

/** The keys of an object, and of every object in it, in order: `a`, `a.b`, `results[].c`. */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.length ? keyPaths(value[0], `${prefix}[]`) : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...keyPaths(inner, path)];
  });
}

describe("charter check --format json", () => {
  it("writes its keys in the order of the example in docs/cli.md", async () => {
    const doc = readFileSync(join(repoRoot, "docs/cli.md"), "utf8");
    const example = /`--format json` prints:\n\n```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(example, "the JSON example in docs/cli.md").toBeDefined();
    const run = await runCli(["check", "-", "--format", "json", ...ONE_POLICY], { stdin: POD });
    expect(run.code, run.stderr).toBe(1);
    expect(keyPaths(JSON.parse(run.stdout))).toEqual(keyPaths(JSON.parse(example as string)));
  });
});

describe("counts in CLI output", () => {
  it("are singular for one: 1 policy, 1 resource, 1 check", async () => {
    const test = await runCli(["test", "--engine", "ir", ...ONE_POLICY]);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^1 policy, \d+ cases on ir$/m);

    const check = await runCli(["check", "-", ...ONE_POLICY], { stdin: POD });
    expect(check.stdout).toContain("1 resource, 1 check: 0 passed, 1 failed, 0 skipped, 0 errors");

    const github = await runCli(["check", "-", "--format", "github", ...ONE_POLICY], {
      stdin: POD,
    });
    expect(github.stdout).toContain("charter: 1 resource, 1 check:");

    const out = mkdtempSync(join(tmpdir(), "charter-plural-"));
    try {
      const build = await runCli(["build", "--out", out, "--target", "rego", ...ONE_POLICY]);
      expect(build.code, build.stderr).toBe(0);
      expect(build.stdout).toMatch(/^compiled 1 policy to rego: \d+ files in /m);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("the README and docs/", () => {
  const pages = [
    "README.md",
    ...readdirSync(join(repoRoot, "docs")).flatMap((f) => (f.endsWith(".md") ? [`docs/${f}`] : [])),
    ...["catalog.md", "matrix.md"].map((f) => `docs/policies/${f}`),
    ...["ir", "dsl", "compiler", "runtime", "cli", "testing"].map((p) => `packages/${p}/README.md`),
  ];

  const outside = /\.\.\/shared|shared\/(reference|schemas|conformance)|DESIGN\.md/;

  it.each(pages)("%s sends readers to nothing outside the repository", (page) => {
    expect(readFileSync(join(repoRoot, page), "utf8")).not.toMatch(outside);
  });

  it("docs/controls.md is written from the vocabulary the CLI knows, every tag in it", async () => {
    // Regenerate with: pnpm exec vitest run test/newcomer/docs-match-behaviour.test.ts -u
    await expect(controlsPage()).toMatchFileSnapshot("../../docs/controls.md");
    const page = readFileSync(join(repoRoot, "docs/controls.md"), "utf8");
    for (const { tag } of CONTROLS) expect(page).toContain(`\`${tag}\``);
  });
});
