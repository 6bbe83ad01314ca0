/**
 * `charter check --vuln-reports` on hostile or broken reports: each is an error naming the file
 * (exit 2), never a clean scan, and an enormous file is refused before it is read.
 */
import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "charter-vuln-attack-"));
const pods = join(dir, "pod.yaml");
writeFileSync(
  pods,
  'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team-a}\nspec:\n  containers: [{name: c, image: "nginx:1.27"}]\n',
);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function checkWith(report: string) {
  return runCli(["check", pods, "--select", "area:image-scanning", "--vuln-reports", report]);
}

describe("--vuln-reports refuses what it cannot read", () => {
  it.each([
    ["truncated JSON", file("truncated.json", '{"SchemaVersion": 2, "Results": [')],
    [
      "a finding without an id",
      file(
        "no-id.json",
        JSON.stringify({
          SchemaVersion: 2,
          ArtifactName: "nginx:1.27",
          ArtifactType: "container_image",
          Results: [{ Target: "x", Vulnerabilities: [{ PkgName: "a", Severity: "CRITICAL" }] }],
        }),
      ),
    ],
    [
      "a YAML alias bomb",
      file("bomb.yaml", `a: &a [x, x]\nb: &b [*a, *a]\n${"c: [*b, *b]\n".repeat(1)}`),
    ],
    [
      "a file that holds no report",
      file("configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"),
    ],
    ["a missing file", join(dir, "absent.json")],
  ])("%s: exit 2, the file named", async (_what, report) => {
    const run = await checkWith(report);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(report.split("/").at(-1) as string);
  });

  it("refuses a report over 64 MiB without reading it", async () => {
    const big = join(dir, "big.json");
    const fd = openSync(big, "w");
    writeSync(fd, "{", 64 * 1024 * 1024); // a sparse file: its size, not its bytes
    closeSync(fd);
    const run = await checkWith(big);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("over the 67108864-byte limit");
  });
});
