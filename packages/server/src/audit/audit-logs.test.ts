import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Policy } from "@charter/ir";
import { REVISION_A, REVISION_B, writeScenario } from "@charter/test-support/audit-scenario";
import { decisionEvent, pod, writeDecisionLog } from "@charter/test-support/decision-logs";
import { beforeAll, describe, expect, it } from "vitest";
import disallowHostPath from "../../../../policies/disallow-host-path.js";
import disallowPrivilegedContainers from "../../../../policies/disallow-privileged-containers.js";
import { auditLogs } from "./audit-logs.js";
import type { AuditReport } from "./audit-report.js";
import { renderMarkdown } from "./render-markdown.js";

const scratch = () => mkdtempSync(join(tmpdir(), "charter-audit-"));

let policies: Policy[];
let dir: string;

beforeAll(async () => {
  // Two of the repository's own policies, in name order as `charter audit --policies` loads them
  // (the server does not load policy sources: its caller hands it the policies).
  policies = [disallowHostPath, disallowPrivilegedContainers];
  dir = scratch();
  writeScenario(dir);
}, 60_000);

const audit = (options: { since?: string; until?: string; window?: string } = {}) =>
  auditLogs({ dir, policies, generator: "charter test", ...options });

const policyRow = (report: AuditReport, name: string) =>
  report.policies.find((p) => p.policy === name);

describe("auditLogs", () => {
  it("counts decisions, violations, other queries, errors and corrupt lines", async () => {
    const report = await audit();
    expect(report.files).toEqual(["decisions-000001.jsonl", "decisions-000002.jsonl"]);
    expect(report.totals).toEqual({
      events: 8,
      decisions: 6,
      violatingDecisions: 4,
      violations: 6,
      otherQueries: 1,
      errored: 1,
      corruptLines: 2,
      outsideRange: 0,
      untimed: 0,
    });
    expect(report.byEnforcement).toEqual({ audit: 1, deny: 4, warn: 1 });
    expect(report.range).toEqual({
      first: "2026-01-04T23:59:59.000Z",
      last: "2026-01-07T08:00:00.000Z",
    });
    expect(report.corruptLines.shown).toEqual([
      { file: "decisions-000001.jsonl", line: 4, reason: expect.stringMatching(/^not JSON/) },
      { file: "decisions-000002.jsonl", line: 4, reason: "not a JSON object" },
    ]);
    expect(report.errors.shown).toEqual([
      {
        file: "decisions-000002.jsonl",
        line: 2,
        decisionId: expect.any(String),
        timestamp: "2026-01-06T10:00:00.000Z",
        path: "charter/violations",
        message: "internal_error: eval_cancel_error: caller cancelled query execution",
      },
    ]);
    expect(report.otherQueries).toEqual([{ path: "system/main", decisions: 1 }]);
  });

  it("per policy: the project's title, severity and controls; unknown names say so", async () => {
    const report = await audit();
    expect(policyRow(report, "disallow-privileged-containers")).toEqual({
      policy: "disallow-privileged-containers",
      title: "Containers do not run privileged",
      severity: "critical",
      controls: expect.arrayContaining(["pss:baseline:privileged", "cis:5.2.2"]),
      violatingDecisions: 3,
      violations: 3,
      byEnforcement: { audit: 1, deny: 2 },
      rules: [{ rule: "privileged", violations: 3 }],
    });
    expect(policyRow(report, "disallow-host-path")).toMatchObject({
      violatingDecisions: 1,
      violations: 2,
      rules: [{ rule: "hostPath", violations: 2 }],
    });
    expect(policyRow(report, "legacy-policy")).toEqual({
      policy: "legacy-policy",
      title: null,
      severity: "low",
      controls: null,
      violatingDecisions: 1,
      violations: 1,
      byEnforcement: { warn: 1 },
      rules: [{ rule: "old", violations: 1 }],
    });
    // Worst first.
    expect(report.policies.map((p) => p.policy)).toEqual([
      "disallow-privileged-containers",
      "disallow-host-path",
      "legacy-policy",
    ]);
  });

  it("per control: a decision counts once per control; unknown policies under (unknown)", async () => {
    const report = await audit();
    const control = (name: string) => report.controls.find((c) => c.control === name);
    // privileged ×3 and hostPath ×2 both cite area:pod-security; decision 3 hits it 3 times.
    expect(control("area:pod-security")).toEqual({
      control: "area:pod-security",
      policies: ["disallow-host-path", "disallow-privileged-containers"],
      violatingDecisions: 3,
      violations: 5,
    });
    expect(control("cis:5.2.11")).toMatchObject({ violatingDecisions: 1, violations: 2 });
    expect(control("(unknown)")).toEqual({
      control: "(unknown)",
      policies: ["legacy-policy"],
      violatingDecisions: 1,
      violations: 1,
    });
  });

  it("per namespace, including an AdmissionReview's", async () => {
    const report = await audit();
    expect(report.namespaces).toEqual([
      { namespace: "team-b", decisions: 1, violatingDecisions: 1, violations: 3 },
      { namespace: "team-a", decisions: 4, violatingDecisions: 2, violations: 2 },
      { namespace: "team-c", decisions: 1, violatingDecisions: 1, violations: 1 },
    ]);
  });

  it("per window: days by default, hours on request, empty windows in between listed", async () => {
    const days = await audit();
    expect(days.windows.map((w) => [w.start.slice(0, 10), w.decisions, w.violations])).toEqual([
      ["2026-01-04", 1, 1],
      ["2026-01-05", 3, 4],
      ["2026-01-06", 1, 1],
      ["2026-01-07", 1, 0],
    ]);
    const hours = await audit({ since: "2026-01-05", until: "2026-01-05", window: "1h" });
    expect(hours.windows).toEqual([
      {
        start: "2026-01-05T10:00:00.000Z",
        end: "2026-01-05T11:00:00.000Z",
        decisions: 1,
        violatingDecisions: 1,
        violations: 1,
      },
      {
        start: "2026-01-05T11:00:00.000Z",
        end: "2026-01-05T12:00:00.000Z",
        decisions: 2,
        violatingDecisions: 1,
        violations: 3,
      },
    ]);
  });

  it("--since/--until keep only the events inside; a bare --until date includes its day", async () => {
    const report = await audit({ since: "2026-01-05", until: "2026-01-06" });
    expect(report.totals).toMatchObject({
      events: 8,
      decisions: 4,
      violatingDecisions: 3,
      otherQueries: 1,
      errored: 1,
      outsideRange: 2,
    });
    expect(report.filters).toEqual({
      since: "2026-01-05T00:00:00.000Z",
      until: "2026-01-07T00:00:00.000Z",
      window: "1d",
      select: null,
    });
    const instant = await audit({ since: "2026-01-05T11:20:00Z", until: "2026-01-05T11:40:00Z" });
    // since inclusive, a date-time until exclusive.
    expect(instant.totals.decisions).toBe(1);
    await expect(audit({ since: "2026-01-06", until: "2026-01-05" })).rejects.toThrow(
      /is not before --until/,
    );
    await expect(audit({ since: "last week" })).rejects.toThrow(
      /--since "last week" is not a date/,
    );
  });

  it("lists the bundle revisions seen", async () => {
    const report = await audit();
    expect(report.bundles).toEqual([
      {
        bundle: "charter",
        revision: REVISION_A,
        decisions: 4,
        first: "2026-01-04T23:59:59.000Z",
        last: "2026-01-05T11:40:00.000Z",
      },
      {
        bundle: "charter",
        revision: REVISION_B,
        decisions: 3,
        first: "2026-01-06T09:00:00.000Z",
        last: "2026-01-07T08:00:00.000Z",
      },
      // the other query's event carried the default fixture revision
      expect.objectContaining({ revision: "sha256:1f2e3d", decisions: 1 }),
    ]);
  });

  it("an empty folder is a report of no decisions; a missing one is a usage error", async () => {
    const empty = scratch();
    const report = await auditLogs({ dir: empty, policies, generator: "t" });
    expect(report.totals.decisions).toBe(0);
    expect(report.windows).toEqual([]);
    expect(renderMarkdown(report)).toContain("**No decisions**");
    await expect(auditLogs({ dir: join(empty, "nope"), policies, generator: "t" })).rejects.toThrow(
      /decision-log folder not found/,
    );
  });

  it("a decision file that cannot be read is a usage error naming it", async () => {
    const logs = scratch();
    mkdirSync(join(logs, "decisions-000001.jsonl"));
    await expect(auditLogs({ dir: logs, policies, generator: "t" })).rejects.toThrow(
      /cannot read .*decisions-000001\.jsonl: EISDIR/,
    );
  });

  it("reads files in sequence order, 10 after 9, and ignores other files", async () => {
    const logs = scratch();
    writeDecisionLog(logs, {
      10: [decisionEvent({ timestamp: "2026-02-01T00:00:00Z", input: pod("x"), result: [] })],
      9: [decisionEvent({ timestamp: "2026-01-01T00:00:00Z", input: pod("x"), result: [] })],
    });
    mkdirSync(join(logs, "status"));
    writeDecisionLog(join(logs, "status"), { 1: ["not read"] });
    const report = await auditLogs({ dir: logs, policies, generator: "t" });
    expect(report.files).toEqual(["decisions-000009.jsonl", "decisions-000010.jsonl"]);
    expect(report.totals.decisions).toBe(2);
    expect(report.totals.corruptLines).toBe(0);
  });
});
