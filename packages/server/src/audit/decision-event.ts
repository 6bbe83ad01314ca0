/**
 * One OPA decision-log event, read for an audit: which query it answered, the object it
 * judged (the Kubernetes object itself, or an AdmissionReview around it), and Charter's
 * violations in its result.
 */
import { reportNamespaceOf } from "@charter/runtime";

/** The query whose result is Charter's findings, as OPA logs its path. */
export const VIOLATIONS_PATH = "charter/violations";

/** A namespace key for objects the API server keeps outside namespaces. */
export const CLUSTER_SCOPE = "(cluster)";

export interface LoggedViolation {
  readonly policy: string;
  readonly rule: string;
  readonly severity?: string;
  readonly enforcement: string;
}

export type ReadDecision =
  /** A `charter/violations` decision; `violations` empty means the object passed. */
  | {
      readonly kind: "judged";
      readonly namespace: string;
      readonly violations: readonly LoggedViolation[];
    }
  /** Any other query: counted, not judged. */
  | { readonly kind: "other"; readonly path: string }
  /** OPA reported an error, or the result is not Charter's list of violations. */
  | { readonly kind: "errored"; readonly path: string; readonly message: string };

type JsonRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * `charter/violations` whichever way it is written: `/charter/violations`,
 * `data/charter/violations`, `data.charter.violations`.
 */
export function normalizePath(event: JsonRecord): string {
  const raw =
    typeof event.path === "string"
      ? event.path
      : typeof event.query === "string"
        ? event.query
        : "";
  let path = raw.trim().replace(/^\/+/, "");
  if (!path.includes("/") && path.includes(".")) path = path.replaceAll(".", "/");
  return path.replace(/^data\//, "").replace(/\/+$/, "");
}

/** The judged object: `input` itself, or `input.request.object` of an AdmissionReview. */
export function judgedObject(input: unknown): { object: JsonRecord; requestNamespace?: string } {
  if (!isRecord(input)) return { object: {} };
  const request = input.request;
  if (isRecord(request) && (input.kind === "AdmissionReview" || isRecord(request.object))) {
    const object = isRecord(request.object) ? request.object : {};
    return typeof request.namespace === "string" && request.namespace
      ? { object, requestNamespace: request.namespace }
      : { object };
  }
  return { object: input };
}

function namespaceOf(input: unknown): string {
  const { object, requestNamespace } = judgedObject(input);
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const namespace =
    typeof metadata.namespace === "string" && metadata.namespace
      ? metadata.namespace
      : requestNamespace;
  const kind = typeof object.kind === "string" ? object.kind : "";
  return reportNamespaceOf({ kind, ...(namespace ? { namespace } : {}) }) ?? CLUSTER_SCOPE;
}

function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (isRecord(error)) {
    const parts = [error.code, error.message].filter((part) => typeof part === "string");
    if (parts.length) return parts.join(": ");
  }
  return JSON.stringify(error);
}

function asViolation(entry: unknown): LoggedViolation | undefined {
  if (!isRecord(entry) || typeof entry.policy !== "string" || typeof entry.rule !== "string") {
    return undefined;
  }
  return {
    policy: entry.policy,
    rule: entry.rule,
    ...(typeof entry.severity === "string" ? { severity: entry.severity } : {}),
    enforcement: typeof entry.enforcement === "string" ? entry.enforcement : "deny",
  };
}

export function readDecision(event: JsonRecord): ReadDecision {
  const path = normalizePath(event);
  if (event.error !== undefined && event.error !== null) {
    return { kind: "errored", path, message: errorMessage(event.error) };
  }
  if (path !== VIOLATIONS_PATH) return { kind: "other", path: path || "(no path)" };
  const result = event.result;
  // An undefined result (no `result` key) means no violation.
  if (result === undefined || result === null) {
    return { kind: "judged", namespace: namespaceOf(event.input), violations: [] };
  }
  const entries = Array.isArray(result) ? result : undefined;
  const violations = entries?.map(asViolation);
  if (!violations || violations.some((v) => v === undefined)) {
    return {
      kind: "errored",
      path,
      message: "the result is not a list of {policy, rule, …} violations",
    };
  }
  return {
    kind: "judged",
    namespace: namespaceOf(event.input),
    violations: violations as LoggedViolation[],
  };
}
