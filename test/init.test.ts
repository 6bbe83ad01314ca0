/**
 * `charter init` (issue 5, requirement 8): the scaffold is written, a folder that is not empty
 * is refused, and the scaffolded project passes `charter test`, its vitest unit tests (with
 * @charter/testing), `tsc`, `charter build`, `charter build --check` and `charter check
 * manifests`. Issue 12, requirement 1: with no registry that has `@charter/*`, `init --from`
 * a checkout packs the packages into the project, which installs with npm and pnpm.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import {
  cpSync,
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

const PACKAGES = ["ir", "dsl", "compiler", "runtime", "images", "server", "cli", "testing"];

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

  it("--from refuses a folder that is neither a checkout nor a folder of tarballs, writing nothing", async () => {
    const parent = scratch("from-bad");
    const empty = join(parent, "nothing-here");
    mkdirSync(empty);
    const run = await runCli(["init", "project", "--from", empty], { cwd: parent });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("neither a Charter checkout nor a folder of its packages");
    expect(run.stderr).toContain("charter-cli-<version>.tgz");
    expect(existsSync(join(parent, "project"))).toBe(false);

    const missing = await runCli(["init", "project", "--from", "no-such-dir"], { cwd: parent });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no-such-dir: no such folder");
  });

  it("without --from, says how to do without a registry", async () => {
    const run = await runCli(["init", "p"], { cwd: scratch("hint") });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`No registry with @charter/${VERSION}?`);
    // Run from this checkout, the hint names it.
    expect(run.stdout).toContain(`charter init p --force --from ${repoRoot}`);
  });

  it("--from a folder of tarballs writes relative file: dependencies and overrides for npm and pnpm", async () => {
    const tarballs = scratch("fake-packs");
    for (const name of PACKAGES) writeFileSync(join(tarballs, `charter-${name}-9.8.7.tgz`), name);
    const project = join(scratch("vendored"), "p");
    const run = await runCli(["init", project, "--from", tarballs]);
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    for (const name of ["cli", "dsl", "testing"]) {
      expect(manifest.devDependencies[`@charter/${name}`]).toBe(
        `file:vendor/charter/charter-${name}-9.8.7.tgz`,
      );
    }
    const pnpmWorkspace = readFileSync(join(project, "pnpm-workspace.yaml"), "utf8");
    for (const name of PACKAGES) {
      const spec = `file:vendor/charter/charter-${name}-9.8.7.tgz`;
      expect(manifest.overrides[`@charter/${name}`]).toBe(spec);
      expect(pnpmWorkspace).toContain(`"@charter/${name}": "${spec}"`);
      expect(
        readFileSync(join(project, "vendor/charter", `charter-${name}-9.8.7.tgz`), "utf8"),
      ).toBe(name);
      expect(run.stdout).toContain(`  vendor/charter/charter-${name}-9.8.7.tgz\n`);
    }
    expect(readFileSync(join(project, "README.md"), "utf8")).toContain("vendor/charter/");
  });

  it("--from the checkout: the project installs with npm and with pnpm, no registry for @charter/*, and passes charter test, vitest, tsc, charter build and charter check", async () => {
    // The tarballs hold dist/: build it from the current sources first.
    const build = spawnSync("pnpm", ["run", "build"], { cwd: repoRoot, encoding: "utf8" });
    expect(build.status, `pnpm build failed:\n${build.stdout}${build.stderr}`).toBe(0);

    const project = join(scratch("project"), "policies-project");
    const init = await runCli(["init", project, "--from", repoRoot]);
    expect(init.code, init.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    expect(manifest.devDependencies["@charter/cli"]).toBe(
      `file:vendor/charter/charter-cli-${VERSION}.tgz`,
    );

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
    const said = (result: SpawnSyncReturns<string>) => `${result.stdout}\n${result.stderr}`;
    const runIn =
      (dir: string) =>
      (command: string, ...args: string[]): SpawnSyncReturns<string> =>
        spawnSync(join(dir, "node_modules", ".bin", command), args, {
          cwd: dir,
          encoding: "utf8",
          env,
        });
    // The registry (npmjs.org) has no @charter/*: any install that asks it for one fails (404).
    // pnpm, in a copy moved elsewhere: the project is relocatable (relative file: paths).
    const moved = join(scratch("moved"), "elsewhere");
    cpSync(project, moved, { recursive: true });
    const pnpmInstall = spawnSync("pnpm", ["install", "--prefer-offline"], {
      cwd: moved,
      encoding: "utf8",
    });
    expect(pnpmInstall.status, said(pnpmInstall)).toBe(0);
    const pnpmTest = runIn(moved)("charter", "test");
    expect(pnpmTest.status, said(pnpmTest)).toBe(0);
    expect(pnpmTest.stdout).toContain("1 policy, 4 cases");

    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: project,
      encoding: "utf8",
    });
    expect(install.status, install.stderr).toBe(0);
    const lock = readFileSync(join(project, "package-lock.json"), "utf8");
    expect(lock).toContain(`"resolved": "file:vendor/charter/charter-cli-${VERSION}.tgz"`);
    const run = runIn(project);

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

    // npm ci, as the scaffolded CI workflow runs it, from the lock file and the tarballs alone.
    rmSync(join(project, "node_modules"), { recursive: true, force: true });
    const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: project,
      encoding: "utf8",
    });
    expect(ci.status, said(ci)).toBe(0);
    expect(run("charter", "test").status).toBe(0);
  }, 600_000);
});
