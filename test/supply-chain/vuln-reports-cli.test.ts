/**
 * `charter check --vuln-reports`: the library's vulnerability gates on Trivy's own reports
 * (../shared/conformance/supply-chain/trivy, written by Trivy's integration tests) and on a
 * Trivy Operator VulnerabilityReport, through the CLI as a user runs it. The verdicts are pinned
 * from the MANIFEST's counts: alpine-39 has 2 CRITICAL findings with a fix, centos-7 none.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/run-cli.js";

const supplyChain = join(repoRoot, "..", "shared", "conformance", "supply-chain");
const golden = (name: string) =>
  join(supplyChain, "trivy", "integration", "testdata", `${name}.json.golden`);
const IMAGE = "ghcr.io/aquasecurity/trivy-test-images";

function manifests(): string {
  const dir = mkdtempSync(join(tmpdir(), "charter-vuln-"));
  const file = join(dir, "pods.yaml");
  const pod = (name: string, image: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: team-a}\nspec:\n  containers: [{name: app, image: "${image}"}]\n`;
  writeFileSync(
    file,
    [
      pod("alpine", `${IMAGE}:alpine-39`),
      pod("centos", `${IMAGE}:centos-7`),
      pod("unscanned", "registry.example.com/never-scanned:1.0"),
    ].join("---\n"),
  );
  return file;
}

interface Row {
  policy: string;
  rule: string;
  result: string;
  message: string;
  resource: { name: string };
}

async function rows(args: string[]): Promise<{ code: number; rows: Row[]; stderr: string }> {
  const run = await runCli([
    "check",
    manifests(),
    "--select",
    "area:image-scanning",
    "--format",
    "json",
    ...args,
  ]);
  const report = JSON.parse(run.stdout) as { results: Row[] };
  return { code: run.code, rows: report.results, stderr: run.stderr };
}

const verdicts = (list: Row[]) =>
  Object.fromEntries(list.map((row) => [`${row.policy}/${row.resource.name}`, row.result]));

describe("charter check --vuln-reports", () => {
  it("judges the gates on Trivy's reports, matched to images by reference", async () => {
    const { code, rows: found } = await rows([
      "--vuln-reports",
      golden("alpine-39"),
      golden("centos-7"),
      "--now",
      "2021-08-30T00:00:00Z",
    ]);
    expect(verdicts(found)).toEqual({
      "block-vulnerable-images/alpine": "fail",
      "block-vulnerable-images/centos": "pass",
      "block-vulnerable-images/unscanned": "fail",
      "require-recent-vulnerability-scan/alpine": "pass",
      "require-recent-vulnerability-scan/centos": "pass",
      "require-recent-vulnerability-scan/unscanned": "fail",
    });
    expect(code).toBe(1);
    const unscanned = found.find(
      (row) => row.policy === "block-vulnerable-images" && row.resource.name === "unscanned",
    );
    expect(unscanned?.message).toContain("has no vulnerability scan");
  });

  it("finds the same scans too old a week after they ran", async () => {
    const { rows: found } = await rows([
      "--vuln-reports",
      golden("alpine-39"),
      golden("centos-7"),
      "--now",
      "2021-09-02T00:00:01Z",
    ]);
    expect(verdicts(found)["require-recent-vulnerability-scan/centos"]).toBe("fail");
  });

  it("without reports, says the gates were not judged instead of passing them", async () => {
    const { code, rows: found } = await rows([]);
    expect(new Set(found.map((row) => row.result))).toEqual(new Set(["skip"]));
    expect(found[0]?.message).toContain("--vuln-reports");
    expect(code).toBe(0);
  });

  it("refuses a report it cannot read, naming the file and line (exit 2)", async () => {
    const broken = join(
      supplyChain,
      "trivy-operator",
      "extracted",
      "vulnerability-report.example-2.yaml",
    );
    const run = await runCli([
      "check",
      manifests(),
      "--select",
      "area:image-scanning",
      "--vuln-reports",
      broken,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("vulnerability-report.example-2.yaml:49");
  });
});
