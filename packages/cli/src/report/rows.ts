/** The rows `charter check` reports: the JSON contract of docs/cli.md. */
import type { Finding } from "@charter/runtime";

/**
 * A finding as the report shows it: without what only engines need (every witness's message,
 * the index in the batch), its source the file as the report names it and the line.
 */
export type Row = Omit<Finding, "messages" | "resourceIndex" | "source"> & {
  readonly source?: RowSource;
};

/** A manifest's file as the report names it, and the line its document starts on. */
export interface FileSource {
  readonly file: string;
  readonly line: number;
}

/** An object read from a live cluster (`check --cluster`): the kubeconfig context's name. */
export interface ClusterSource {
  readonly cluster: string;
}

/** Where a row's object was read. */
export type RowSource = FileSource | ClusterSource;

/** The row's file and line, when its object was read from a file. */
export function fileOf(row: { readonly source?: RowSource }): FileSource | undefined {
  return row.source && "file" in row.source ? row.source : undefined;
}

/** `file:line`, or `cluster <context>`: where the object was read, in words. */
export function sourceText(source: RowSource): string {
  return "file" in source ? `${source.file}:${source.line}` : `cluster ${source.cluster}`;
}

/**
 * An object `check` read but no policy can judge (its apiVersion is one Kubernetes does not
 * serve): an error row with no policy, rule, severity or enforcement. Formats that need a
 * policy and a rule name it with OBJECT_CHECK.
 */
export interface ObjectErrorRow {
  readonly result: "error";
  readonly message: string;
  readonly resource: Finding["resource"];
  readonly source?: RowSource;
}

/** What a `check` report lists: policy rows and object errors. */
export type ReportRow = Row | ObjectErrorRow;

/**
 * The policy and rule an object error is filed under where a format requires both (SARIF's
 * ruleId, JUnit's suites, policy reports' `policy`): no policy name can contain `:`.
 */
export const OBJECT_CHECK = { policy: "charter:input", rule: "api-version" } as const;

export function isObjectError(row: ReportRow): row is ObjectErrorRow {
  return !("policy" in row);
}

/** The row's policy and rule, or OBJECT_CHECK's for an object error. */
export function checkOf(row: ReportRow): { readonly policy: string; readonly rule: string } {
  return isObjectError(row) ? OBJECT_CHECK : row;
}

export interface Summary {
  resources: number;
  pass: number;
  fail: number;
  skip: number;
  error: number;
}

/**
 * The finding's row; `file` names its source file as the report shows it (default: as read);
 * `cluster` (check --cluster) names the context its object was read from instead. The JSON
 * report prints a row as it is, so its fields keep the finding's order (findingOf), then the
 * source, then the exception (a cluster replacing a file source where it stood). Built in one object literal: this runs once per
 * row of a scan, millions of times, so no rest/spread copies.
 */
export function toRow(finding: Finding, file?: string, cluster?: ClusterSource): Row {
  const { source, exception } = finding;
  const row: {
    -readonly [K in keyof Row]: Row[K];
  } = {
    policy: finding.policy,
    rule: finding.rule,
    result: finding.result,
    message: finding.message,
    severity: finding.severity,
    enforcement: finding.enforcement,
    resource: finding.resource,
  };
  if (source) row.source = cluster ?? { file: file ?? source.file, line: source.line };
  if (exception) row.exception = exception;
  if (cluster && !source) row.source = cluster;
  return row;
}

export function summarize(resources: number, rows: readonly ReportRow[]): Summary {
  const summary: Summary = { resources, pass: 0, fail: 0, skip: 0, error: 0 };
  for (const row of rows) summary[row.result]++;
  return summary;
}

/** How many (resource, policy, rule) rows the summary counts. */
export function checksOf(summary: Summary): number {
  return summary.pass + summary.fail + summary.skip + summary.error;
}

/** A failure or an error: what SARIF, annotations and `--quiet` are about. */
export function isFailing(row: ReportRow): boolean {
  return row.result === "fail" || row.result === "error";
}
