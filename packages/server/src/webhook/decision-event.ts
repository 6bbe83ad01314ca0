/**
 * One webhook decision as a decision-log event, in the shape `charter serve` stores OPA's
 * (bundle-server/jsonl-log.ts) and `charter audit` reads (audit/decision-event.ts): the path
 * `charter/violations`, `input` the AdmissionReview as received (the audit unwraps
 * `request.object`), `result` the violations as the Rego target lists them ({policy, rule,
 * message, severity, enforcement}, the failures no exception excused). Beside them: the
 * decision's id and time, the labels of this webhook, `dry_run`, whether the request was
 * `allowed`, and for a request not judged or refused without judging, the `reason`. A review
 * the webhook could not judge is logged with `error`, which the audit counts as an error. A
 * request some image policy judged carries `images`: its pod view's images, digests and scans.
 */
import { randomUUID } from "node:crypto";
import type { JsonObject } from "@charter/ir";
import type { Finding } from "@charter/runtime";
import { VIOLATIONS_PATH } from "../audit/decision-event.js";
import type { LoggedImage } from "../audit/logged-image.js";
import type { Verdict } from "./judge-review.js";

export interface DecisionLabels {
  /** This webhook process (one id per start, as OPA's labels.id). */
  readonly id: string;
  readonly app: "charter-webhook";
  readonly version: string;
}

export interface DecisionEvent {
  readonly labels: DecisionLabels;
  readonly decision_id: string;
  readonly path: typeof VIOLATIONS_PATH;
  readonly input: JsonObject;
  readonly result: readonly LoggedViolation[];
  readonly timestamp: string;
  /** Who called (`ip:port`), as OPA logs it. */
  readonly requested_by?: string;
  readonly dry_run: boolean;
  readonly allowed: boolean;
  readonly reason?: string;
  readonly error?: { readonly code: string; readonly message: string };
  /** The pod view's images, for a request some image policy judged (logged-images.ts). */
  readonly images?: readonly LoggedImage[];
}

export interface LoggedViolation {
  readonly policy: string;
  readonly rule: string;
  readonly message: string;
  readonly severity: string;
  readonly enforcement: string;
}

export function decisionLabels(version: string): DecisionLabels {
  return { id: randomUUID(), app: "charter-webhook", version };
}

export function decisionEvent(options: {
  readonly labels: DecisionLabels;
  readonly review: JsonObject;
  readonly verdict: Verdict;
  readonly allowed: boolean;
  readonly dryRun: boolean;
  readonly at: Date;
  readonly requestedBy?: string;
}): DecisionEvent {
  const { verdict } = options;
  const findings: readonly Finding[] = verdict.kind === "judged" ? verdict.findings : [];
  const errors = findings.filter((f) => f.result === "error");
  const error =
    verdict.kind === "failed"
      ? { code: "webhook_error", message: verdict.reason }
      : errors.length > 0
        ? {
            code: "evaluation_error",
            message: errors.map((f) => `${f.policy}/${f.rule}: ${f.message}`).join("; "),
          }
        : undefined;
  return {
    labels: options.labels,
    decision_id: randomUUID(),
    path: VIOLATIONS_PATH,
    input: options.review,
    result: findings
      .filter((f) => f.result === "fail")
      .map((f) => ({
        policy: f.policy,
        rule: f.rule,
        message: f.message,
        severity: f.severity,
        enforcement: f.enforcement,
      })),
    timestamp: options.at.toISOString(),
    ...(options.requestedBy ? { requested_by: options.requestedBy } : {}),
    dry_run: options.dryRun,
    allowed: options.allowed,
    ...(verdict.kind === "not-judged" ? { reason: verdict.reason } : {}),
    ...(error ? { error } : {}),
    ...(verdict.kind === "judged" && verdict.images !== undefined
      ? { images: verdict.images }
      : {}),
  };
}
