/**
 * `pnpm depcheck` (dependency-cruiser with .dependency-cruiser.cjs) is the check that keeps the
 * package arrows of docs/architecture.md pointing down. These tests prove it can fail: the same
 * rules over a tree broken on purpose (test/fixtures/layering) report each violation.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { cruise, type IConfiguration } from "dependency-cruiser";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/run-cli.js";

const config = createRequire(import.meta.url)(
  join(repoRoot, ".dependency-cruiser.cjs"),
) as IConfiguration;

async function violations(baseDir: string, paths: string[]): Promise<string[]> {
  const result = await cruise(
    paths,
    { ...config.options, ruleSet: { forbidden: config.forbidden ?? [] }, validate: true, baseDir },
    { conditionNames: ["charter-source", "import", "node", "default"] },
  );
  if (typeof result.output === "string") throw new Error("expected the JSON result");
  return result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe("the package layering check", () => {
  it("reports a package importing one above it, a type-only cycle and test support in source", async () => {
    const found = await violations(join(repoRoot, "test/fixtures/layering"), ["packages"]);
    expect(found).toEqual(
      expect.arrayContaining([
        "ir-imports-only-itself: packages/ir/src/index.ts → packages/compiler/src/a.ts",
        "runtime-imports-only-ir-compiler: packages/runtime/src/index.ts → packages/dsl/src/index.ts",
        "published-tests-only-use-test-support: packages/dsl/src/index.ts → packages/test-support/src/index.ts",
      ]),
    );
    expect(found.filter((line) => line.startsWith("no-cycles:"))).not.toHaveLength(0);
  });
});
