/** One decision-log folder used by the audit tests: two files, every kind of line. */
import { admissionReview, decisionEvent, pod, writeDecisionLog } from "./decision-logs.js";

export const PRIVILEGED = {
  policy: "disallow-privileged-containers",
  rule: "privileged",
  severity: "critical",
};
export const HOST_PATH = { policy: "disallow-host-path", rule: "hostPath", severity: "high" };
export const LEGACY = {
  policy: "legacy-policy",
  rule: "old",
  severity: "low",
  enforcement: "warn",
};

export const REVISION_A = "sha256:aaaa";
export const REVISION_B = "sha256:bbbb";

export function writeScenario(dir: string): void {
  writeDecisionLog(dir, {
    1: [
      decisionEvent({
        timestamp: "2026-01-05T10:15:00.123456789Z",
        input: pod("team-a", "web", true),
        result: [PRIVILEGED],
        revision: REVISION_A,
      }),
      decisionEvent({
        timestamp: "2026-01-05T11:20:00Z",
        input: pod("team-a"),
        result: [],
        revision: REVISION_A,
      }),
      decisionEvent({
        timestamp: "2026-01-05T11:40:00Z",
        input: pod("team-b", "node-agent", true),
        result: [HOST_PATH, HOST_PATH, PRIVILEGED],
        revision: REVISION_A,
      }),
      '{"decision_id": "truncated", "path": "charter/viol',
      decisionEvent({
        timestamp: "2026-01-06T09:00:00Z",
        input: admissionReview(pod("team-c")),
        result: [LEGACY],
        revision: REVISION_B,
      }),
    ],
    2: [
      decisionEvent({ timestamp: "2026-01-06T09:30:00Z", path: "/system/main", result: true }),
      decisionEvent({
        timestamp: "2026-01-06T10:00:00Z",
        error: {
          code: "internal_error",
          message: "eval_cancel_error: caller cancelled query execution",
        },
        revision: REVISION_B,
      }),
      // No `timestamp`: the time our server received it counts.
      decisionEvent({
        receivedAt: "2026-01-07T08:00:00Z",
        input: pod("team-a"),
        revision: REVISION_B,
      }),
      "[1, 2]",
      decisionEvent({
        timestamp: "2026-01-04T23:59:59Z",
        input: pod("team-a"),
        result: [{ ...PRIVILEGED, enforcement: "audit" }],
        revision: REVISION_A,
      }),
    ],
  });
}
