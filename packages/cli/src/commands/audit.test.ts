/** `charter audit` end to end, in-process through `main` as a terminal would see it. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeScenario } from "@charter/test-support/audit-scenario";
import { writeImageScenario } from "@charter/test-support/image-scenario";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../../../../test/support/run-cli.js";

const POLICIES = [
  "--policies",
  "policies/disallow-privileged-containers.ts,policies/disallow-host-path.ts",
];

/** `charter …` in-process, with captured output (the helper every CLI test uses). */
const charter = (args: readonly string[], cwd = repoRoot) => runCli(args, { cwd });

let logs: string;
beforeAll(() => {
  logs = mkdtempSync(join(tmpdir(), "charter-audit-cli-"));
  writeScenario(logs);
});

describe("charter audit", () => {
  it("prints a Markdown report, warns about corrupt lines by file:line, and exits 0", async () => {
    const run = await charter(["audit", "--logs", logs, ...POLICIES]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# Charter audit report/);
    expect(run.stdout).toMatch(/\| Decisions \(`charter\/violations`\) \| 6 \|/);
    expect(run.stdout).toMatch(
      /\| `disallow-privileged-containers` \| Containers do not run privileged \| critical \| .*pss:baseline:privileged.* \| 3 \| 3 \| audit 1, deny 2 \| privileged \(3\) \|/,
    );
    expect(run.stdout).toMatch(/\| `legacy-policy` \| – \| low \| unknown \| 1 \| 1 \| warn 1 \|/);
    expect(run.stdout).toMatch(/\| team-b \| 1 \| 1 \| 100\.0 % \| 3 \|/);
    expect(run.stdout).toMatch(/## Time windows \(1d, UTC\)/);
    expect(run.stdout).toMatch(/\| charter \| `sha256:bbbb` \| 3 \|/);
    expect(run.stdout).toMatch(/## Decisions that errored[\s\S]*decisions-000002\.jsonl:2/);
    expect(run.stderr).toMatch(/decisions-000001\.jsonl:4: warning: not JSON/);
    expect(run.stderr).toMatch(/decisions-000002\.jsonl:4: warning: not a JSON object/);
  });

  it("--format json --output writes the documented shape", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "charter-audit-out-")), "reports/audit.json");
    const run = await charter([
      "audit",
      "--logs",
      logs,
      ...POLICIES,
      "--format",
      "json",
      "--window",
      "1h",
      "--since",
      "2026-01-05T00:00:00Z",
      "--output",
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(Object.keys(report)).toEqual([
      "reportVersion",
      "generator",
      "logs",
      "filters",
      "range",
      "files",
      "totals",
      "byEnforcement",
      "policies",
      "namespaces",
      "controls",
      "windows",
      "bundles",
      "otherQueries",
      "errors",
      "corruptLines",
      // The scenario's OPA inputs are Pods running nginx:1.27: images read from the input.
      "images",
    ]);
    expect(report.reportVersion).toBe(1);
    expect(report.filters).toMatchObject({ since: "2026-01-05T00:00:00.000Z", window: "1h" });
    expect(report.totals).toMatchObject({ decisions: 5, outsideRange: 1 });
    // 2026-01-05T10:00 to 2026-01-07T08:00, every hour.
    expect(report.windows).toHaveLength(47);
  });

  it("--select counts only the selected policies' violations", async () => {
    const run = await charter([
      "audit",
      "--logs",
      logs,
      ...POLICIES,
      "--select",
      "cis:5.2.11",
      "--format",
      "json",
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.policies.map((p: { policy: string }) => p.policy)).toEqual([
      "disallow-host-path",
    ]);
    expect(report.totals).toMatchObject({ decisions: 6, violatingDecisions: 1, violations: 2 });
  });

  it.each([
    [["--since", "2026-13-01"], /--since "2026-13-01" is not a date/],
    [["--until", "tomorrow"], /--until "tomorrow" is not a date/],
    [["--window", "1w"], /--window "1w" is not a duration/],
    [["--format", "html"], /argument 'html' is invalid/],
  ])("%s is a usage error (exit 2)", async (flags, message) => {
    const run = await charter(["audit", "--logs", logs, ...POLICIES, ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("a missing folder is exit 2 with what to do; an empty one reports no decisions", async () => {
    const missing = await charter(["audit", "--logs", join(logs, "nope"), ...POLICIES]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/error: decision-log folder not found: .*nope/);
    expect(missing.stderr).toMatch(/hint: pass --logs the folder/);
    const empty = await charter([
      "audit",
      "--logs",
      mkdtempSync(join(tmpdir(), "charter-audit-empty-")),
      ...POLICIES,
    ]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/\*\*No decisions\*\*/);
  });

  it("images and vulnerabilities: a section per namespace with its trend, malformed entries warned", async () => {
    const imageLogs = mkdtempSync(join(tmpdir(), "charter-audit-images-"));
    writeImageScenario(imageLogs);
    const run = await charter(["audit", "--logs", imageLogs, ...POLICIES]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/## Images and vulnerabilities \(1d windows, UTC\)/);
    expect(run.stdout).toMatch(/### shop\n\nTrend .*: CRITICAL 4 → 0 ↓, HIGH 3 → 1 ↓/);
    expect(run.stderr).toMatch(
      /decisions-000002\.jsonl:5: warning: images\[2\]: `vulnerabilities\.CRITICAL` is not a whole number ≥ 0; image entry not counted/,
    );
    expect(run.stderr).toMatch(/decisions-000002\.jsonl:6: warning: `images` is not a list/);
    const json = await charter(["audit", "--logs", imageLogs, ...POLICIES, "--format", "json"]);
    const report = JSON.parse(json.stdout);
    expect(report.images.namespaces.map((n: { namespace: string }) => n.namespace)).toEqual([
      "shop",
      "web",
    ]);
    expect(report.images.malformed.count).toBe(2);
  });

  it("without a loadable project, controls are unknown and the report still comes", async () => {
    const bare = mkdtempSync(join(tmpdir(), "charter-audit-bare-"));
    const run = await charter(["audit", "--logs", logs, "--format", "json"], bare);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: no policies loaded/);
    const report = JSON.parse(run.stdout);
    expect(report.policies.every((p: { controls: unknown }) => p.controls === null)).toBe(true);
    expect(report.controls).toEqual([
      expect.objectContaining({ control: "(unknown)", violations: 6 }),
    ]);
  });
});
