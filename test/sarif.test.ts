/** `charter check --format sarif` against the OASIS SARIF 2.1.0 schema. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./support/run-cli.js";

const schemaFile = join(repoRoot, "../shared/schemas/sarif/sarif-schema-2.1.0.draft-07.json");

describe("check --format sarif", () => {
  it("is valid SARIF 2.1.0 with one located result per failing rule", async () => {
    const run = await runCli(["check", "examples/todo-app/insecure", "--format", "sarif"]);
    expect(run.code).toBe(1);
    const sarif = JSON.parse(run.stdout);
    const validate = new Ajv({
      allErrors: true,
      strict: false,
      validateFormats: false,
      unicodeRegExp: false,
    }).compile(JSON.parse(readFileSync(schemaFile, "utf8")));
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    // The schema bites: a level SARIF does not know is rejected.
    const broken = structuredClone(sarif);
    broken.runs[0].results[0].level = "fatal";
    expect(validate(broken)).toBe(false);
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(83);
    const hostPath = results.find(
      (r: { ruleId: string }) => r.ruleId === "disallow-host-path/hostPath",
    );
    expect(hostPath.level).toBe("error");
    expect(hostPath.locations[0].physicalLocation.artifactLocation.uri).toBe(
      "examples/todo-app/insecure/postgres.yaml",
    );
    expect(hostPath.locations[0].physicalLocation.region.startLine).toBeGreaterThan(1);
    const rule = sarif.runs[0].tool.driver.rules[hostPath.ruleIndex];
    expect(rule.id).toBe("disallow-host-path/hostPath");
    expect(rule.properties.tags).toContain("pss:baseline:hostPathVolumes");
  });

  it("a clean scan has no results", async () => {
    const run = await runCli(["check", "examples/todo-app/hardened", "--format", "sarif"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).runs[0].results).toEqual([]);
  });
});
