/**
 * The webhook's decision logs: one line per review in the store `charter serve` keeps, and
 * `charter audit` over them reports, per policy, the violations the webhook answered — from a
 * folder, and through `charter serve`'s POST /logs.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SYSTEM_NAMESPACES } from "@charter/ir";
import { inventoryKindsOf } from "@charter/runtime";
import { postReview, reviewOf } from "@charter/test-support/webhook-client";
import {
  configMap,
  defaultDeny,
  LEGACY_EXCEPTION,
  namespaceObject,
  service,
  WEBHOOK_POLICIES,
  webhookPod,
} from "@charter/test-support/webhook-fixtures";
import { describe, expect, it } from "vitest";
import { auditLogs } from "../audit/audit-logs.js";
import { createBundleServer } from "../bundle-server/bundle-server.js";
import { silentLogger } from "../bundle-server/log.js";
import { selfSignedCertificates } from "../certificates/self-signed.js";
import { decisionLabels } from "./decision-event.js";
import { openDecisionLog } from "./decision-log.js";
import { createJudge } from "./judge-review.js";
import { staticJudgingContext } from "./judging-context.js";
import { createWebhookServer } from "./webhook-server.js";

const helm = { "app.kubernetes.io/managed-by": "helm" };

/** What the test sends: every kind of answer, twice a dry run. */
const REVIEWS = [
  reviewOf(webhookPod("web", "team-a")),
  reviewOf(webhookPod("agent", "team-a", { privileged: true, hostPath: true })),
  reviewOf(webhookPod("agent", "team-a", { privileged: true }), { dryRun: true }),
  reviewOf(webhookPod("agent", "legacy", { privileged: true })),
  reviewOf(webhookPod("web", "team-b")),
  reviewOf(configMap("settings", "team-a", helm)),
  reviewOf(configMap("settings", "team-a", helm), { dryRun: true }),
  reviewOf(service("db", "team-a", "ExternalName")),
  reviewOf(service("db", "legacy", "ExternalName")),
  reviewOf(configMap("keep", "team-a", { protected: "true" })),
  reviewOf(undefined, {
    operation: "DELETE",
    oldObject: configMap("keep", "team-a", { protected: "true" }),
  }),
];

interface Answer {
  readonly allowed: boolean;
  readonly status?: { message: string };
  readonly warnings?: string[];
  readonly auditAnnotations?: Record<string, string>;
}

/** Violations per policy as the answers tell them: denial entries, warnings, annotations. */
function violationsInAnswers(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  const bump = (policy: string, by = 1) => {
    counts[policy] = (counts[policy] ?? 0) + by;
  };
  for (const answer of answers) {
    for (const match of answer.status?.message.matchAll(/\[([a-z0-9-]+)\/[A-Za-z0-9]+\]/g) ?? []) {
      bump(match[1] as string);
    }
    for (const warning of answer.warnings ?? [])
      bump(/^\[([a-z0-9-]+)\//.exec(warning)?.[1] ?? "?");
    for (const [policy, value] of Object.entries(answer.auditAnnotations ?? {})) {
      bump(policy, value.split("; ").length);
    }
  }
  return counts;
}

async function judgeAll(decisionLog: Awaited<ReturnType<typeof openDecisionLog>>) {
  const certs = selfSignedCertificates({ hosts: ["127.0.0.1"] });
  const context = staticJudgingContext(inventoryKindsOf(WEBHOOK_POLICIES), [
    namespaceObject("team-a"),
    defaultDeny("team-a"),
    defaultDeny("legacy"),
  ]);
  const server = await createWebhookServer({
    port: 0,
    tls: certs.serving,
    judge: createJudge(
      {
        policies: WEBHOOK_POLICIES,
        exceptions: [LEGACY_EXCEPTION],
        systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
      },
      context,
    ),
    context,
    labels: decisionLabels("1.2.3"),
    logger: silentLogger,
    decisionLog,
  });
  const answers: Answer[] = [];
  for (const review of REVIEWS) {
    answers.push((await postReview(server.url, certs.ca.cert, review)).json().response);
  }
  // Flushes the decision log.
  await server.close();
  return answers;
}

/** Violations per policy in the audit (it lists the policies never failed with 0: left out). */
const perPolicy = (report: Awaited<ReturnType<typeof auditLogs>>) =>
  Object.fromEntries(
    report.policies.filter((p) => p.violations > 0).map((p) => [p.policy, p.violations]),
  );

describe("decision logs", () => {
  it("logs each review as charter serve stores OPA's, and charter audit reports what the webhook answered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "charter-webhook-logs-"));
    const failures: number[] = [];
    const log = await openDecisionLog({
      dir,
      logger: silentLogger,
      onFailure: (n) => failures.push(n),
    });
    const answers = await judgeAll(log);
    expect(failures).toEqual([]);
    expect(readdirSync(dir)).toEqual(["decisions-000001.jsonl"]);
    const lines = readFileSync(join(dir, "decisions-000001.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(REVIEWS.length);
    for (const [index, line] of lines.entries()) {
      const review = REVIEWS[index] as { request: { uid: string; dryRun: boolean } };
      expect(line.path).toBe("charter/violations");
      expect(line.input).toEqual(review);
      expect(line.labels).toMatchObject({ app: "charter-webhook", version: "1.2.3" });
      expect(line.decision_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(line.timestamp)).not.toBeNaN();
      expect(line.requested_by).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(line.dry_run).toBe(review.request.dryRun);
      expect(line.allowed).toBe(answers[index]?.allowed);
    }
    // The exception excused the legacy Pod: allowed, and no violation logged.
    expect(lines[3].allowed).toBe(true);
    expect(lines[3].result).toEqual([]);
    const expected = violationsInAnswers(answers);
    expect(expected).toEqual({
      "disallow-privileged-containers": 2,
      "disallow-host-path": 1,
      "require-default-deny-network-policy": 2,
      "warn-team-label": 2,
      "audit-service-type": 1,
      "protect-configmaps": 1,
    });
    const report = await auditLogs({ dir, policies: WEBHOOK_POLICIES, generator: "test" });
    expect(perPolicy(report)).toEqual(expected);
    expect(report.totals.decisions).toBe(REVIEWS.length);
  });

  it("POSTs batches to charter serve's /logs, which stores them for the same audit", async () => {
    const root = mkdtempSync(join(tmpdir(), "charter-webhook-serve-"));
    const serve = await createBundleServer({
      port: 0,
      bundlesDir: join(root, "bundles"),
      logsDir: join(root, "logs"),
    });
    try {
      const failures: number[] = [];
      const log = await openDecisionLog({
        url: `${serve.url}/logs`,
        logger: silentLogger,
        onFailure: (n) => failures.push(n),
        maxBatch: 4,
      });
      const answers = await judgeAll(log);
      expect(failures).toEqual([]);
      const report = await auditLogs({
        dir: join(root, "logs"),
        policies: WEBHOOK_POLICIES,
        generator: "test",
      });
      expect(report.totals.decisions).toBe(REVIEWS.length);
      expect(perPolicy(report)).toEqual(violationsInAnswers(answers));
    } finally {
      await serve.close();
    }
  });

  it("counts the events an unreachable endpoint never took, without holding up reviews", async () => {
    const failures: number[] = [];
    const log = await openDecisionLog({
      url: "http://127.0.0.1:1/logs",
      logger: silentLogger,
      onFailure: (n) => failures.push(n),
      closeTimeoutMs: 200,
    });
    await judgeAll(log);
    expect(failures.reduce((a, b) => a + b, 0)).toBe(REVIEWS.length);
  });
});
