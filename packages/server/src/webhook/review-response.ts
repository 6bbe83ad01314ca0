/**
 * The AdmissionReview the webhook answers, from a verdict: `deny` failures (and any rule the
 * engine could not judge: fail closed) refuse the request with one message naming every
 * failing policy and rule; `warn` failures become warnings, one per failing rule; `audit`
 * failures become audit annotations, one per policy.
 *
 * Limits, from k8s.io/apiserver v0.35:
 * - warnings: the API server keeps 4096 runes of warning text per response, and past that
 *   cuts each to 256 runes (pkg/endpoints/filters/warning.go); a warning with a control
 *   character is dropped (util/net.NewWarningHeader). We send at most 256 runes each and 4096
 *   in all, the last one saying how many were left out, and no control character.
 * - audit annotations: the key becomes `<webhook name>/<key>` and must be a qualified name
 *   (pkg/admission/attributes.go checkKeyFormat), so a key is at most 63 characters of
 *   `[A-Za-z0-9._-]`, starting and ending alphanumeric; values are cut at 10 KiB, the limit the
 *   API server puts on ValidatingAdmissionPolicy audit annotations.
 * - the denial message is prefixed `admission webhook "<name>" denied the request: ` and
 *   shown by kubectl as is; we keep it under 8 KiB so a hundred failures stay readable.
 */
import { createHash } from "node:crypto";
import type { Finding } from "@charter/runtime";
import type { Verdict } from "./judge-review.js";
import { headerSafe, runeCount, truncateRunes, truncateUtf8 } from "./response-text.js";

export const MAX_WARNING_RUNES = 256;
export const MAX_WARNINGS_TOTAL_RUNES = 4096;
export const MAX_ANNOTATION_VALUE_BYTES = 10 * 1024;
export const MAX_DENIAL_MESSAGE_BYTES = 8 * 1024;
/** One failure's part of a denial message, at most. */
const MAX_DENIAL_ENTRY_BYTES = 1024;
const MAX_ANNOTATION_KEY_LENGTH = 63;

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason?: string; readonly message: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

export interface ReviewAnswer {
  readonly apiVersion: "admission.k8s.io/v1";
  readonly kind: "AdmissionReview";
  readonly response: AdmissionResponse;
}

/** The rows that make the request fail: `deny` failures and rules that could not be judged. */
export function denyingRows(findings: readonly Finding[]): Finding[] {
  return findings.filter(
    (f) => f.result === "error" || (f.result === "fail" && f.enforcement === "deny"),
  );
}

export function reviewAnswer(uid: string, verdict: Verdict): ReviewAnswer {
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: response() };

  function response(): AdmissionResponse {
    if (verdict.kind === "not-judged") {
      return { uid, allowed: true, status: { code: 200, message: headerSafe(verdict.reason) } };
    }
    if (verdict.kind === "failed") {
      return { uid, allowed: false, status: forbidden(headerSafe(verdict.reason)) };
    }
    const { findings, unjudged } = verdict;
    const denying = denyingRows(findings);
    const noticed = (action: "warn" | "audit") =>
      unjudged
        .filter((u) => u.action === action)
        .map((u) => ({ policy: u.policy.name, rule: "(not judged)", message: u.message }));
    const warnings = warningsOf([
      ...findings.filter((f) => f.result === "fail" && f.enforcement === "warn"),
      ...noticed("warn"),
    ]);
    const annotations = auditAnnotationsOf([
      ...findings.filter((f) => f.result === "fail" && f.enforcement === "audit"),
      ...noticed("audit"),
    ]);
    return {
      uid,
      allowed: denying.length === 0,
      ...(denying.length > 0 ? { status: forbidden(denialMessage(denying)) } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(Object.keys(annotations).length > 0 ? { auditAnnotations: annotations } : {}),
    };
  }
}

function forbidden(message: string) {
  return { code: 403, reason: "Forbidden", message };
}

/** What a warning or an annotation tells of a row. */
type Noted = Pick<Finding, "policy" | "rule" | "message">;

/** `[policy/rule] message`, one line. */
function rowText(finding: Noted): string {
  return headerSafe(`[${finding.policy}/${finding.rule}] ${finding.message}`);
}

/**
 * `Pod "web" in namespace team-a violates 2 policies: [p/r] message; [q/s] message`, the
 * entries each at most 1 KiB, the whole under MAX_DENIAL_MESSAGE_BYTES.
 */
export function denialMessage(rows: readonly Finding[]): string {
  const first = rows[0] as Finding;
  const { kind, name, namespace } = first.resource;
  const who = `${kind || "object"}${name ? ` "${name}"` : ""}${namespace ? ` in namespace ${namespace}` : ""}`;
  const count = (result: string) =>
    new Set(rows.filter((row) => row.result === result).map((row) => row.policy)).size;
  const policies = (n: number) => `${n} polic${n === 1 ? "y" : "ies"}`;
  const failed = count("fail");
  const errored = count("error");
  const why = [
    ...(failed > 0 ? [`violates ${policies(failed)} enforced with deny`] : []),
    // Fail closed: what could not be judged is refused.
    ...(errored > 0 ? [`could not be judged by ${policies(errored)}, so it is refused`] : []),
  ];
  const head = headerSafe(`${who} ${why.join(" and ")}: `);
  const entries = rows.map((row) => truncateUtf8(rowText(row), MAX_DENIAL_ENTRY_BYTES));
  let message = head;
  for (const [index, entry] of entries.entries()) {
    const separator = index === 0 ? "" : "; ";
    const left = entries.length - index;
    const tail = `; and ${left} more (see the webhook's decision log)`;
    const fits =
      Buffer.byteLength(message) +
        Buffer.byteLength(separator + entry) +
        (left > 1 ? Buffer.byteLength(tail) : 0) <=
      MAX_DENIAL_MESSAGE_BYTES;
    if (!fits) return `${message}${index === 0 ? tail.slice(2) : tail}`;
    message += separator + entry;
  }
  return message;
}

/** One warning per failing rule, within the API server's limits (see the top of the file). */
export function warningsOf(rows: readonly Noted[]): string[] {
  const warnings: string[] = [];
  let total = 0;
  for (const [index, row] of rows.entries()) {
    const warning = truncateRunes(rowText(row), MAX_WARNING_RUNES);
    const size = runeCount(warning);
    const left = rows.length - index;
    const more = `${left} more warning${left === 1 ? "" : "s"} left out (see the webhook's decision log)`;
    const reserve = left > 1 ? runeCount(more) : 0;
    if (total + size + reserve > MAX_WARNINGS_TOTAL_RUNES) {
      warnings.push(more);
      return warnings;
    }
    warnings.push(warning);
    total += size;
  }
  return warnings;
}

/** One annotation per policy: its failing rules and their messages, bounded. */
export function auditAnnotationsOf(rows: readonly Noted[]): Record<string, string> {
  const byPolicy = new Map<string, string[]>();
  for (const row of rows) {
    const lines = byPolicy.get(row.policy) ?? [];
    lines.push(headerSafe(`${row.rule}: ${row.message}`));
    byPolicy.set(row.policy, lines);
  }
  const annotations: Record<string, string> = {};
  for (const [policy, lines] of byPolicy) {
    annotations[annotationKey(policy)] = truncateUtf8(lines.join("; "), MAX_ANNOTATION_VALUE_BYTES);
  }
  return annotations;
}

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * The policy's name when it is a valid qualified-name part (Charter's policy names are), else
 * its letters and digits with a short hash of the name, so two policies never share a key.
 */
export function annotationKey(policy: string): string {
  if (policy.length <= MAX_ANNOTATION_KEY_LENGTH && QUALIFIED_NAME.test(policy)) return policy;
  const hash = createHash("sha256").update(policy).digest("hex").slice(0, 8);
  const cleaned = policy
    .replace(/[^-A-Za-z0-9_.]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, MAX_ANNOTATION_KEY_LENGTH - hash.length - 1)
    .replace(/[^A-Za-z0-9]+$/, "");
  return cleaned ? `${cleaned}-${hash}` : hash;
}
