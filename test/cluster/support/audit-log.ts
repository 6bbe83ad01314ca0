/**
 * The API server's audit log, read back by request: a ValidatingAdmissionPolicy's `Audit`
 * action is seen only here, as the `validation.policy.admission.k8s.io/validation_failure`
 * annotation of the request's event (a JSON list of the failing validations).
 */
import { readFileSync } from "node:fs";

export interface AuditedFailure {
  readonly policy: string;
  readonly binding: string;
  readonly expressionIndex: number;
  readonly message: string;
  readonly validationActions: readonly string[];
}

const FAILURE_ANNOTATION = "validation.policy.admission.k8s.io/validation_failure";

/** Each ResponseComplete event's failures, by audit ID (no annotation: no failure). */
export function auditedFailures(auditLog: string): Map<string, AuditedFailure[]> {
  const byId = new Map<string, AuditedFailure[]>();
  for (const line of readFileSync(auditLog, "utf8").split("\n")) {
    if (line === "") continue;
    const event = JSON.parse(line) as {
      auditID: string;
      stage: string;
      annotations?: Record<string, string>;
    };
    if (event.stage !== "ResponseComplete") continue;
    const failures = event.annotations?.[FAILURE_ANNOTATION];
    byId.set(
      event.auditID,
      failures === undefined ? [] : (JSON.parse(failures) as AuditedFailure[]),
    );
  }
  return byId;
}
