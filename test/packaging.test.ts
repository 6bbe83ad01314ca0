/**
 * The packages as a user gets them: `pnpm pack` each one, install the tarballs into a fresh
 * project outside this workspace, and run `charter build` and `charter check` there on a policy
 * of that project's own.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/run-cli.js";

// The published packages (@charter/test-support is private and never packed).
const PACKAGES = ["ir", "dsl", "compiler", "runtime", "images", "server", "cli"];

describe("published packages", () => {
  it("install from their tarballs and run charter build and check", () => {
    const tarballs = mkdtempSync(join(tmpdir(), "charter-pack-"));
    for (const name of PACKAGES) {
      execFileSync("pnpm", ["pack", "--pack-destination", tarballs], {
        cwd: join(repoRoot, "packages", name),
        stdio: "pipe",
      });
    }
    const tarball = (name: string) => {
      const file = readdirSync(tarballs).find((f) => f.startsWith(`charter-${name}-`));
      if (!file) throw new Error(`no tarball for @charter/${name}`);
      return `file:${join(tarballs, file)}`;
    };
    // The published packages carry no test code: no test files, no test support.
    for (const name of PACKAGES) {
      const files = execFileSync("tar", ["-tzf", tarball(name).slice("file:".length)], {
        encoding: "utf8",
      }).split("\n");
      expect(files.filter((f) => /\.test\.|test-support|\/testing\//.test(f))).toEqual([]);
    }

    const project = mkdtempSync(join(tmpdir(), "charter-user-"));
    const charterDeps = Object.fromEntries(
      PACKAGES.map((name) => [`@charter/${name}`, tarball(name)]),
    );
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({
        name: "user-project",
        private: true,
        type: "module",
        devDependencies: { "@charter/cli": tarball("cli"), "@charter/dsl": tarball("dsl") },
        overrides: charterDeps,
      }),
    );
    mkdirSync(join(project, "policies"));
    writeFileSync(
      join(project, "policies", "no-latest-tag.ts"),
      `import { pod, policy, when } from "@charter/dsl";

export default policy("no-latest-tag", {
  title: "Images are pinned",
  severity: "medium",
  category: "Supply chain",
  controls: ["area:image-signing"],
  match: pod,
  rules: {
    latest: {
      fail: when\`any c in pod.containers: c.image endsWith ":latest"\`,
      message: "container {{c.name}} uses {{c.image}}; pin a version",
    },
  },
  cases: { pass: [], fail: [] },
});
`,
    );
    writeFileSync(join(project, "charter.config.ts"), `export default { policies: "policies" };\n`);
    writeFileSync(
      join(project, "app.yaml"),
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: web, image: 'nginx:latest'}\n",
    );

    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: project,
      encoding: "utf8",
    });
    expect(install.status, install.stderr).toBe(0);

    const charter = (...args: string[]) =>
      spawnSync(join(project, "node_modules", ".bin", "charter"), args, {
        cwd: project,
        encoding: "utf8",
      });
    const build = charter("build");
    expect(build.status, build.stderr).toBe(0);
    expect(readdirSync(join(project, "dist"))).toContain("rego");

    const check = charter("check", "app.yaml", "--format", "json");
    expect(check.status, check.stderr).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report.results).toEqual([
      expect.objectContaining({
        policy: "no-latest-tag",
        rule: "latest",
        result: "fail",
        message: "container web uses nginx:latest; pin a version",
      }),
    ]);
  }, 300_000);
});
