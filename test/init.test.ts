/**
 * `charter init` (issue 5, requirement 8): the scaffold is written, a folder that is not empty
 * is refused, and the scaffolded project, with the packed packages installed from their
 * tarballs as a user gets them, passes `charter test`, its vitest unit tests (with
 * @charter/testing), `charter build`, `charter build --check` and `charter check manifests`.
 */
import { execFileSync, type SpawnSyncReturns, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findCelJudge, findOpa } from "@charter/runtime";
import { afterAll, describe, expect, it } from "vitest";
import { VERSION } from "../packages/cli/src/version.js";
import { repoRoot, runCli } from "./support/run-cli.js";

const PACKAGES = ["ir", "dsl", "compiler", "runtime", "cli", "testing"];

const scratchDirs: string[] = [];
const scratch = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), `charter-init-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
};

// The installed project holds a node_modules of some 100 MB: leave nothing behind.
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

describe("charter init", () => {
  it("writes the project into a new folder and lists what it wrote", async () => {
    const parent = scratch("new");
    const run = await runCli(["init", "My Policies"], { cwd: parent });
    expect(run.code, run.stderr).toBe(0);
    const project = join(parent, "My Policies");
    for (const file of [
      "package.json",
      "charter.config.ts",
      "policies/index.ts",
      "policies/disallow-latest-tag.ts",
      "policies/disallow-latest-tag.test.ts",
      "manifests/deployment.yaml",
      ".github/workflows/charter.yml",
      "README.md",
    ]) {
      expect(existsSync(join(project, file)), file).toBe(true);
      expect(run.stdout).toContain(`  ${file}\n`);
    }
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    expect(manifest.name).toBe("my-policies");
    for (const name of ["cli", "dsl", "testing"]) {
      expect(manifest.devDependencies[`@charter/${name}`]).toBe(VERSION);
    }
    const workflow = readFileSync(join(project, ".github/workflows/charter.yml"), "utf8");
    expect(workflow).toMatch(/charter test/);
    expect(workflow).toMatch(/charter build --check/);
    expect(workflow).toMatch(/charter check manifests/);
  });

  it("accepts an empty folder, and one holding only .git", async () => {
    const dir = scratch("empty");
    mkdirSync(join(dir, ".git"));
    const run = await runCli(["init"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, "charter.config.ts"))).toBe(true);
  });

  it("refuses a folder that is not empty with exit 2, touching nothing, unless --force", async () => {
    const dir = scratch("full");
    writeFileSync(join(dir, "README.md"), "mine\n");
    const run = await runCli(["init", dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not empty (README.md)");
    expect(run.stderr).toContain("--force");
    expect(readdirSync(dir)).toEqual(["README.md"]);

    const forced = await runCli(["init", dir, "--force", "--name", "team-policies"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name).toBe("team-policies");
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain("# team-policies");
  });

  it("refuses a path that is a file", async () => {
    const dir = scratch("file");
    writeFileSync(join(dir, "x"), "");
    const run = await runCli(["init", "x"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is a file, not a folder");
  });

  it("scaffolds a project that passes charter test, its unit tests and charter build, installed from the packed packages", async () => {
    // The tarballs hold dist/: build it from the current sources first.
    const build = spawnSync("pnpm", ["run", "build"], { cwd: repoRoot, encoding: "utf8" });
    expect(build.status, `pnpm build failed:\n${build.stdout}${build.stderr}`).toBe(0);
    const tarballs = scratch("packs");
    for (const name of PACKAGES) {
      execFileSync("pnpm", ["pack", "--pack-destination", tarballs], {
        cwd: join(repoRoot, "packages", name),
        stdio: "pipe",
      });
    }
    const tarball = (name: string) => {
      const file = readdirSync(tarballs).find((f) => f.startsWith(`charter-${name}-${VERSION}`));
      if (!file) throw new Error(`no tarball for @charter/${name}`);
      return `file:${join(tarballs, file)}`;
    };

    const project = join(scratch("project"), "policies-project");
    const init = await runCli(["init", project]);
    expect(init.code, init.stderr).toBe(0);

    // The Charter packages come from the tarballs, everything else from the registry.
    const manifestFile = join(project, "package.json");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
    for (const dependency of Object.keys(manifest.devDependencies)) {
      const name = dependency.replace(/^@charter\//, "");
      if (name !== dependency) manifest.devDependencies[dependency] = tarball(name);
    }
    manifest.overrides = Object.fromEntries(
      PACKAGES.map((name) => [`@charter/${name}`, tarball(name)]),
    );
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));

    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: project,
      encoding: "utf8",
    });
    expect(install.status, install.stderr).toBe(0);

    // Not CI: an engine missing here is skipped, not an error; the ones this machine has run.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CI: "",
      CHARTER_TEST_ENGINES: "",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    };
    const opa = findOpa();
    const celJudge = findCelJudge();
    if (opa) env.CHARTER_OPA = opa;
    if (celJudge) env.CHARTER_CEL_JUDGE = celJudge;
    const run = (command: string, ...args: string[]): SpawnSyncReturns<string> =>
      spawnSync(join(project, "node_modules", ".bin", command), args, {
        cwd: project,
        encoding: "utf8",
        env,
      });
    const said = (result: SpawnSyncReturns<string>) => `${result.stdout}\n${result.stderr}`;

    const test = run("charter", "test");
    expect(test.status, said(test)).toBe(0);
    expect(test.stdout).toContain("✓ disallow-latest-tag  4 cases");
    expect(test.stdout).toContain("1 passed, 0 failed");
    if (opa) expect(test.stdout).toMatch(/cases on ir, opa\b.*\bgatekeeper\b/);

    const unit = run("vitest", "run");
    expect(unit.status, said(unit)).toBe(0);
    expect(unit.stdout).toMatch(/Tests\s+3 passed/);

    const typecheck = run("tsc", "--noEmit");
    expect(typecheck.status, said(typecheck)).toBe(0);

    const charterBuild = run("charter", "build");
    expect(charterBuild.status, said(charterBuild)).toBe(0);
    expect(readdirSync(join(project, "dist")).sort()).toEqual([
      "gatekeeper",
      "kyverno",
      "rego",
      "vap",
    ]);
    const upToDate = run("charter", "build", "--check");
    expect(upToDate.status, said(upToDate)).toBe(0);

    const check = run("charter", "check", "manifests");
    expect(check.status, said(check)).toBe(0);
  }, 300_000);
});
