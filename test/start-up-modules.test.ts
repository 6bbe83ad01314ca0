/**
 * What a warm `charter check` on the IR engine loads: the scan path only. The compiler's
 * emitters, the servers, the registry client, the DSL and its parser (chevrotain), the TypeScript
 * loader (jiti) and Ajv are each a share of the start-up budget (docs/benchmarks.md) and are
 * loaded only by the commands and flags that need them. Every module is seen: ES modules through
 * a loader hook, CommonJS ones in the require cache at exit, and each chunk of the CLI's bundle
 * (scripts/bundle-cli.mjs) as the source modules its metafile says went into it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "..");
const bin = join(repoRoot, "packages/cli/bin/charter.js");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "charter-modules-"));
  writeFileSync(
    join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(join(dir, "loaded.txt"))}, url + "\\n");
  return next(url, context);
}
`,
  );
  writeFileSync(
    join(dir, "register.mjs"),
    `import { createRequire, register } from "node:module";
import { appendFileSync } from "node:fs";
register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});
const required = createRequire(import.meta.url).cache;
process.on("exit", () => {
  appendFileSync(${JSON.stringify(join(dir, "loaded.txt"))}, Object.keys(required).join("\\n") + "\\n");
});
`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadedBy(args: string[]): string[] {
  rmSync(join(dir, "loaded.txt"), { force: true });
  const run = spawnSync(
    process.execPath,
    ["--import", pathToFileURL(join(dir, "register.mjs")).href, bin, ...args],
    {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, CHARTER_CACHE_DIR: join(dir, "cache"), CHARTER_CACHE_LOG: "1" },
    },
  );
  expect(run.status, run.stderr).toBe(0);
  const loaded = readFileSync(join(dir, "loaded.txt"), "utf8").split("\n").filter(Boolean);
  return loaded.flatMap((url) => sourcesOf(url.startsWith("file:") ? fileURLToPath(url) : url));
}

/** A bundle chunk's source modules (repository-relative paths); any other module itself. */
function sourcesOf(file: string): string[] {
  const chunk = relative(repoRoot, file);
  const output = metafile.outputs[chunk];
  return output ? Object.keys(output.inputs) : [file];
}

const metafile = JSON.parse(
  readFileSync(join(repoRoot, "packages/cli/dist/bundle/metafile.json"), "utf8"),
) as { outputs: Record<string, { inputs: Record<string, unknown> }> };

const NOT_ON_THE_SCAN_PATH: readonly [string, RegExp][] = [
  [
    "the compiler's emitters",
    /packages\/compiler\/(dist|src)\/(?!constants|docs\/controls|docs\/plural|targets\/engine-versions|targets\/webhook-target|webhook\/webhook-options)/,
  ],
  ["the servers", /packages\/server\//],
  [
    "the registry client and Sigstore",
    /packages\/images\/(dist|src)\/(oci|cosign|sigstore)|@sigstore/,
  ],
  ["the DSL", /packages\/dsl\//],
  ["chevrotain", /chevrotain/],
  ["jiti", /jiti/],
  ["Ajv", /\/ajv\//],
  ["the other engines' libraries", /@bufbuild|opa-wasm/],
];

describe("a warm charter check on the IR engine", () => {
  it("loads none of the modules only other commands and flags need", () => {
    const args = ["check", "examples/todo-app/hardened", "--quiet"];
    const cold = loadedBy(args);
    // The cold run loads the policies, so it does load the DSL: the check can fail.
    expect(cold.some((url) => /packages\/dsl\//.test(url))).toBe(true);
    const warm = loadedBy(args);
    // The bundle is what ran: its chunks, read as their sources.
    expect(warm.some((url) => /packages\/runtime\/dist\/ir-engine\//.test(url))).toBe(true);
    for (const [what, pattern] of NOT_ON_THE_SCAN_PATH) {
      expect(
        warm.filter((url) => pattern.test(url)),
        what,
      ).toEqual([]);
    }
  });
});
