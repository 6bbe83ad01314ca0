/** The rows `charter check` reports: the JSON contract of docs/cli.md. */
import type { Finding } from "@charter/runtime";

export interface Row {
  readonly policy: string;
  readonly rule: string;
  readonly result: Finding["result"];
  readonly message: string;
  readonly severity: Finding["severity"];
  readonly enforcement: Finding["enforcement"];
  readonly resource: Finding["resource"];
  readonly source?: { readonly file: string; readonly line: number };
  /** The policy exception that turned this row into a `skip`, when one applied. */
  readonly exception?: RowException;
}

export interface RowException {
  readonly name: string;
  readonly reason: string;
  readonly owner: string;
  /** The expiry as written: `YYYY-MM-DD` or an RFC 3339 date-time. */
  readonly expires: string;
}

export interface Summary {
  resources: number;
  pass: number;
  fail: number;
  skip: number;
  error: number;
}

/** The finding's row; `file` names its source file as the report shows it (default: as read). */
export function toRow(finding: Finding, file?: string): Row {
  const { policy, rule, result, message, severity, enforcement, resource, source, exception } =
    finding;
  return {
    policy,
    rule,
    result,
    message,
    severity,
    enforcement,
    resource,
    ...(source ? { source: { file: file ?? source.file, line: source.line } } : {}),
    ...(exception
      ? {
          exception: {
            name: exception.name,
            reason: exception.reason,
            owner: exception.owner,
            expires: exception.expires,
          },
        }
      : {}),
  };
}

export function summarize(resources: number, rows: readonly Row[]): Summary {
  const summary: Summary = { resources, pass: 0, fail: 0, skip: 0, error: 0 };
  for (const row of rows) summary[row.result]++;
  return summary;
}

/** How many (resource, policy, rule) rows the summary counts. */
export function checksOf(summary: Summary): number {
  return summary.pass + summary.fail + summary.skip + summary.error;
}

/** A failure or an error: what SARIF, annotations and `--quiet` are about. */
export function isFailing(row: Row): boolean {
  return row.result === "fail" || row.result === "error";
}
