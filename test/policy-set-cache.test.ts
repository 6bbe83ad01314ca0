/**
 * The compiled policy-set cache (packages/cli/src/project-cache/) can never be stale: every
 * change to what a project's policies are made from — a policy file, a helper it imports, the
 * config, an environment variable the config reads, a case file, a new policy file — is seen by
 * the next run, which loads afresh and says why; and every run, from the cache or not, gives
 * exactly what a run without the cache gives. The built CLI runs here, as users run it (from its
 * TypeScript sources Charter caches nothing: nothing would say when its code changed).
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { charterBuild } from "../packages/cli/dist/project-cache/build-identity.js";
import { cached } from "../packages/cli/dist/project-cache/project-cache.js";

const repoRoot = join(import.meta.dirname, "..");
const bin = join(repoRoot, "packages/cli/bin/charter.js");

let project: string;
let cacheDir: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly cache: string[];
  readonly stderr: string;
}

function charter(args: string[], env: Record<string, string> = {}): Run {
  const run = spawnSync(process.execPath, [bin, ...args], {
    cwd: project,
    encoding: "utf8",
    env: {
      ...process.env,
      CHARTER_CACHE_DIR: cacheDir,
      CHARTER_CACHE_LOG: "1",
      MOST_REPLICAS: "5",
      ...env,
    },
  });
  const cache = run.stderr.split("\n").filter((line) => line.startsWith("charter cache: "));
  return { code: run.status, stdout: run.stdout, cache, stderr: run.stderr };
}

/** A run, and the same run without the cache: they must agree. */
function checkBoth(args: string[], env: Record<string, string> = {}): Run {
  const withCache = charter(args, env);
  const without = charter(args, { ...env, CHARTER_CACHE: "off" });
  // A failure shows both runs' stderr: a transient error here once failed CI (stop 27).
  const said = `with the cache:\n${withCache.stderr}\nwithout:\n${without.stderr}`;
  expect(without.cache, said).toEqual(["charter cache: off (CHARTER_CACHE=off)"]);
  expect({ code: withCache.code, stdout: withCache.stdout }, said).toEqual({
    code: without.code,
    stdout: without.stdout,
  });
  return withCache;
}

function write(path: string, text: string): void {
  mkdirSync(join(project, path, ".."), { recursive: true });
  writeFileSync(join(project, path), text);
}

const CONFIG = (max: string) => `export default {
  policies: "policies",
  params: { "limit-replicas": { max: ${max} } },
};
`;

const LIMITS = (max: number) => `export const MOST_REPLICAS = ${max};\n`;

const POLICY = (
  comparison: string,
) => `import { fromYaml, integer, kinds, policy, when } from "@charter/dsl";
import { MOST_REPLICAS } from "./support/limits.js";

export default policy("limit-replicas", {
  title: "Deployments stay small",
  severity: "low",
  category: "Test",
  controls: [],
  match: kinds("apps/v1/Deployment"),
  params: { max: integer().default(MOST_REPLICAS) },
  rules: {
    many: {
      fail: when\`object.spec.replicas ${comparison} params.max\`,
      message: "{{object.spec.replicas}} replicas",
    },
  },
  cases: { pass: [], fail: [fromYaml("cases/big.yaml")] },
});
`;

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: web:1 }] }
`;

const failures = (run: Run): string[] =>
  (JSON.parse(run.stdout) as { results: { policy: string; result: string }[] }).results
    .filter((row) => row.result === "fail")
    .map((row) => row.policy);

const CHECK = ["check", "manifests", "--format", "json"];

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "charter-cache-project-"));
  cacheDir = join(project, ".cache-under-test");
  // The project resolves @charter/dsl from this repository's node_modules.
  symlinkSync(join(repoRoot, "node_modules"), join(project, "node_modules"));
  write("charter.config.ts", CONFIG("Number(process.env.MOST_REPLICAS)"));
  write("policies/support/limits.ts", LIMITS(5));
  write("policies/limit-replicas.ts", POLICY(">"));
  write("policies/cases/big.yaml", deployment(9));
  write("manifests/web.yaml", deployment(4));
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("the policy-set cache", () => {
  it("a second run takes the policies from the cache, and judges the same", () => {
    const first = checkBoth(CHECK);
    expect(first.cache[0]).toBe("charter cache: miss (no entry)");
    expect(first.cache[1]).toMatch(/^charter cache: stored /);
    expect(failures(first)).toEqual([]);
    const second = checkBoth(CHECK);
    expect(second.cache).toEqual([expect.stringMatching(/^charter cache: hit /)]);
  });

  it("an environment variable the config reads", () => {
    const run = checkBoth(CHECK, { MOST_REPLICAS: "3" });
    expect(run.cache[0]).toBe(
      "charter cache: miss (the environment variable MOST_REPLICAS changed)",
    );
    expect(failures(run)).toEqual(["limit-replicas"]);
    expect(checkBoth(CHECK, { MOST_REPLICAS: "3" }).cache[0]).toMatch(/hit/);
  });

  it("the config", () => {
    write("charter.config.ts", CONFIG("3"));
    const run = checkBoth(CHECK);
    expect(run.cache[0]).toBe(
      `charter cache: miss (${join(project, "charter.config.ts")} changed)`,
    );
    expect(failures(run)).toEqual(["limit-replicas"]);
    // The policy's default (from its helper module) from here on.
    write("charter.config.ts", 'export default { policies: "policies" };\n');
  });

  it("a helper module a policy imports", () => {
    expect(failures(checkBoth(CHECK))).toEqual([]);
    write("policies/support/limits.ts", LIMITS(2));
    const run = checkBoth(CHECK);
    expect(run.cache[0]).toBe(
      `charter cache: miss (${join(project, "policies/support/limits.ts")} changed)`,
    );
    expect(failures(run)).toEqual(["limit-replicas"]);
  });

  it("a policy file", () => {
    write("policies/limit-replicas.ts", POLICY(">="));
    write("policies/support/limits.ts", LIMITS(4));
    const run = checkBoth(CHECK);
    expect(run.cache[0]).toMatch(/limit-replicas\.ts changed|limits\.ts changed/);
    // 4 >= 4: only the edited policy fails it.
    expect(failures(run)).toEqual(["limit-replicas"]);
  });

  it("a case file, as charter test sees it", () => {
    const passing = checkBoth(["test", "--engine", "ir"]);
    expect(passing.code).toBe(0);
    write("policies/cases/big.yaml", deployment(1));
    const run = checkBoth(["test", "--engine", "ir"]);
    expect(run.cache[0]).toBe(
      `charter cache: miss (${join(project, "policies/cases/big.yaml")} changed)`,
    );
    // The fail case no longer fails: the run that read the new case file says so.
    expect(run.code).toBe(1);
    write("policies/cases/big.yaml", deployment(9));
  });

  it("a new policy file in a policy folder", () => {
    write(
      "policies/no-default.ts",
      `import { kinds, policy, when } from "@charter/dsl";
export default policy("no-default-namespace", {
  title: "Not in default", severity: "low", category: "Test", controls: [],
  match: kinds("apps/v1/Deployment"),
  rules: { ns: { fail: when\`object.metadata.namespace == "shop"\`, message: "in shop" } },
  cases: { pass: [], fail: [] },
});
`,
    );
    const run = checkBoth(CHECK);
    expect(run.cache[0]).toBe(
      `charter cache: miss (the files in ${join(project, "policies")} changed)`,
    );
    expect(failures(run)).toEqual(["limit-replicas", "no-default-namespace"]);
  });

  it("an install: a lockfile that appears or changes", () => {
    expect(checkBoth(CHECK).cache[0]).toMatch(/hit/);
    write("package-lock.json", '{ "lockfileVersion": 3 }\n');
    expect(checkBoth(CHECK).cache[0]).toBe(
      `charter cache: miss (${join(project, "package-lock.json")} appeared)`,
    );
    write("package-lock.json", '{ "lockfileVersion": 3, "packages": {} }\n');
    expect(checkBoth(CHECK).cache[0]).toBe(
      `charter cache: miss (${join(project, "package-lock.json")} changed)`,
    );
  });

  it("an entry another user could have written is never read", () => {
    checkBoth(CHECK);
    for (const entry of readdirSync(cacheDir)) chmodSync(join(cacheDir, entry), 0o666);
    expect(charter(CHECK).cache[0]).toBe("charter cache: miss (no entry)");
    // The load that replaced it wrote a private entry again.
    expect(charter(CHECK).cache[0]).toMatch(/hit/);
  });

  it("a cache folder others can write is never read from (CHARTER_CACHE_DIR=/tmp-like)", () => {
    const shared = join(project, ".shared-cache");
    mkdirSync(shared, { mode: 0o777 });
    chmodSync(shared, 0o777);
    const env = { CHARTER_CACHE_DIR: shared };
    expect(charter(CHECK, env).cache[0]).toBe("charter cache: miss (no entry)");
    // The entry is there, but in a folder anyone could have planted it in: not read.
    expect(readdirSync(shared).some((name) => name.endsWith(".json"))).toBe(true);
    const again = checkBoth(CHECK, env);
    expect(again.cache[0]).toBe("charter cache: miss (no entry)");
  });

  it("a damaged entry is a miss, never an error", () => {
    for (const name of readdirSync(cacheDir)) writeFileSync(join(cacheDir, name), "{ not json");
    const run = checkBoth(CHECK);
    expect(run.cache[0]).toBe("charter cache: miss (no entry)");
    expect(failures(run)).toEqual(["limit-replicas", "no-default-namespace"]);
  });

  it("a policy that reads what the recording cannot key is never cached", () => {
    write(
      "policies/reads-a-descriptor.ts",
      `import { closeSync, openSync, readSync } from "node:fs";
import { kinds, policy, when } from "@charter/dsl";
const fd = openSync(new URL("./support/limits.ts", import.meta.url), "r");
readSync(fd, Buffer.alloc(8));
closeSync(fd);
export default policy("reads-a-descriptor", {
  title: "Reads", severity: "low", category: "Test", controls: [],
  match: kinds("apps/v1/Deployment"),
  rules: { r: { fail: when\`object.spec.replicas > 100\`, message: "many" } },
  cases: { pass: [], fail: [] },
});
`,
    );
    const run = checkBoth(CHECK);
    expect(run.cache).toContain("charter cache: not stored: fs.openSync");
    expect(checkBoth(CHECK).cache[0]).toMatch(/miss/);
    rmSync(join(project, "policies/reads-a-descriptor.ts"));
  });
});

describe("the cache key", () => {
  it("another Charter or another Node never reads an entry", async () => {
    const build = charterBuild();
    expect(build).toMatchObject({ node: process.version });
    const dir = mkdtempSync(join(tmpdir(), "charter-cache-key-"));
    const loads: string[] = [];
    const use = (name: string, builtBy = build) =>
      cached({ key: { name }, near: dir, log: () => {}, build: builtBy }, async () => {
        loads.push(name);
        return { name };
      });
    const before = process.env.CHARTER_CACHE_DIR;
    process.env.CHARTER_CACHE_DIR = dir;
    try {
      await use("a");
      await use("a");
      expect(loads).toEqual(["a"]);
      await use("a", build && { ...build, node: "v99.0.0" });
      await use("a", build && { ...build, charter: "99.0.0" });
      await use("a", build && { ...build, builds: ["ir: another build"] });
      expect(loads).toEqual(["a", "a", "a", "a"]);
    } finally {
      process.env.CHARTER_CACHE_DIR = before;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
