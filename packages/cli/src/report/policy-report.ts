/**
 * Policy reports for `charter check --format policyreport|openreports`: the results of a scan
 * in the shape cluster tools (Policy Reporter, Kyverno's UI, kubectl) already read. One
 * namespaced report per namespace and one cluster-wide report for cluster-scoped objects, as
 * multi-document YAML that `kubectl apply -f` takes — split into several reports where one
 * would be too large for the API server to take (REPORT_BUDGET_BYTES).
 *
 * - `wgpolicyk8s.io/v1alpha2` PolicyReport / ClusterPolicyReport (the Kubernetes Policy WG's
 *   API, as Kyverno installs it);
 * - `openreports.io/v1alpha1` Report / ClusterReport: the same results, and a top-level
 *   `source`.
 *
 * A result is the row's result as it is (`pass`, `fail`, `skip`, `error`): the report says
 * whether the object complies, and `properties.enforcement` what the cluster does about it.
 * `properties` is a string map (the CRDs say so): controls comma-separated, file and line,
 * and the exception that skipped the row when there is one.
 */
import { toYaml } from "@charter/compiler";
import type { Policy } from "@charter/ir";
import { reportNamespaceOf } from "@charter/runtime";
import { groupBy } from "./group.js";
import type { ReportInput } from "./report-input.js";
import { checkOf, isObjectError, type ReportRow } from "./rows.js";

export interface ReportApi {
  readonly apiVersion: string;
  readonly namespacedKind: string;
  readonly clusterKind: string;
  /** openreports.io names the producing tool on the report too. */
  readonly topLevelSource: boolean;
}

export const WG_POLICY_REPORT: ReportApi = {
  apiVersion: "wgpolicyk8s.io/v1alpha2",
  namespacedKind: "PolicyReport",
  clusterKind: "ClusterPolicyReport",
  topLevelSource: false,
};

export const OPEN_REPORTS: ReportApi = {
  apiVersion: "openreports.io/v1alpha1",
  namespacedKind: "Report",
  clusterKind: "ClusterReport",
  topLevelSource: true,
};

const SOURCE = "charter";
const REPORT_NAME = "charter";

/**
 * The most the results of one report may weigh, as the compact JSON the API server receives.
 * `kubectl apply -f` (client-side, the usual way) copies the whole object into its
 * `kubectl.kubernetes.io/last-applied-configuration` annotation, and an object's annotations
 * may hold at most 256 KiB (262,144 bytes): the API server refuses more ("metadata.annotations:
 * Too long"); etcd refuses any object over 1.5 MiB ("request is too large"). Measured in the
 * dev cluster: one namespace with 12 Deployments already broke the first limit, 60 the second
 * (test/cluster/crd-objects.test.ts). 200 KiB leaves room for the envelope and Go's escapes.
 * A scope whose results weigh more is written as several reports, `charter`, `charter-2`, …,
 * each holding whole resources (the rows of one resource are split only when they alone weigh
 * more); a scan that fits keeps its one report named `charter`.
 */
export const REPORT_BUDGET_BYTES = 200 * 1024;

/** The bytes of a value as Go's encoding/json writes it (`<`, `>`, `&`, U+2028/9 as `\u00XX`). */
function jsonWeight(value: unknown): number {
  const text = JSON.stringify(value);
  const escaped = text.match(/[<>&\u2028\u2029]/g)?.length ?? 0;
  return Buffer.byteLength(text, "utf8") + 5 * escaped;
}

/** Consecutive runs of one resource's rows, packed into parts of at most `budget` bytes. */
function parts<T>(
  items: readonly T[],
  resourceOf: (item: T) => string,
  weightOf: (item: T) => number,
  budget: number,
): T[][] {
  const out: T[][] = [[]];
  let weight = 0;
  const startPart = () => {
    out.push([]);
    weight = 0;
  };
  for (let start = 0; start < items.length; ) {
    const resource = resourceOf(items[start] as T);
    let end = start;
    while (end < items.length && resourceOf(items[end] as T) === resource) end++;
    const run = items.slice(start, end);
    const weights = run.map(weightOf);
    // A comma between entries: one byte each.
    const runWeight = weights.reduce((a, b) => a + b + 1, 0);
    if (weight > 0 && weight + runWeight > budget) startPart();
    run.forEach((item, index) => {
      const itemWeight = (weights[index] as number) + 1;
      if (weight > 0 && weight + itemWeight > budget) startPart();
      out[out.length - 1]?.push(item);
      weight += itemWeight;
    });
    start = end;
  }
  return out;
}

/** `file` and `line` of a manifest's object; `cluster` (the context) of a live cluster's. */
function sourceProperties(row: ReportRow): Record<string, string> {
  if (row.source === undefined) return {};
  return "file" in row.source
    ? { file: row.source.file, line: String(row.source.line) }
    : { cluster: row.source.cluster };
}

function properties(row: ReportRow, policy: Policy | undefined): Record<string, string> {
  if (isObjectError(row)) return sourceProperties(row);
  return {
    ...(policy && policy.controls.length > 0 ? { controls: policy.controls.join(",") } : {}),
    enforcement: row.enforcement,
    ...sourceProperties(row),
    ...(row.exception
      ? {
          exception: row.exception.name,
          exceptionReason: row.exception.reason,
          exceptionOwner: row.exception.owner,
          exceptionExpires: row.exception.expires,
        }
      : {}),
  };
}

function result(row: ReportRow, policy: Policy | undefined, timestamp: object): object {
  const { apiVersion, kind, namespace, name } = row.resource;
  // An object error has no policy: it is filed under OBJECT_CHECK, without a severity.
  const check = checkOf(row);
  return {
    policy: check.policy,
    rule: check.rule,
    result: row.result,
    ...(isObjectError(row) ? {} : { severity: row.severity }),
    ...(row.message ? { message: row.message } : {}),
    ...(policy?.category ? { category: policy.category } : {}),
    scored: true,
    source: SOURCE,
    timestamp,
    resources: [{ apiVersion, kind, ...(namespace ? { namespace } : {}), name }],
    properties: properties(row, policy),
  };
}

function summaryOf(rows: readonly ReportRow[]) {
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const row of rows) summary[row.result]++;
  return summary;
}

/**
 * The report documents, namespaced ones by namespace name, then the cluster-wide one; a scope
 * over REPORT_BUDGET_BYTES (or `budget`) is several documents, in row order.
 */
export function toPolicyReports(
  input: ReportInput,
  api: ReportApi,
  budget = REPORT_BUDGET_BYTES,
): object[] {
  const byName = new Map(input.policies.map((policy) => [policy.name, policy]));
  const seconds = Math.floor(input.now.getTime() / 1000);
  const timestamp = { seconds, nanos: 0 };
  const CLUSTER = "";
  const groups = groupBy(input.rows, (row) => reportNamespaceOf(row.resource) ?? CLUSTER);
  const scopes = [...groups.keys()].sort((a, b) =>
    a === CLUSTER ? 1 : b === CLUSTER ? -1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return scopes.flatMap((scope) => {
    const entries = (groups.get(scope) ?? []).map((row) => ({
      row,
      result: result(row, byName.get(checkOf(row).policy), timestamp),
    }));
    const split = parts(
      entries,
      (entry) => JSON.stringify(entry.row.resource),
      (entry) => jsonWeight(entry.result),
      budget,
    );
    return split.map((part, index) => ({
      apiVersion: api.apiVersion,
      kind: scope === CLUSTER ? api.clusterKind : api.namespacedKind,
      metadata: {
        name: index === 0 ? REPORT_NAME : `${REPORT_NAME}-${index + 1}`,
        ...(scope === CLUSTER ? {} : { namespace: scope }),
        labels: { "app.kubernetes.io/managed-by": SOURCE },
      },
      ...(api.topLevelSource ? { source: SOURCE } : {}),
      summary: summaryOf(part.map((entry) => entry.row)),
      results: part.map((entry) => entry.result),
    }));
  });
}

/**
 * Multi-document YAML through the compiler's one YAML writer: messages and resource names come
 * from manifests, and Kubernetes (a YAML 1.1 reader) must read them back as the same strings.
 */
export function toPolicyReportYaml(input: ReportInput, api: ReportApi): string {
  return toYaml(toPolicyReports(input, api)).replace(/\n$/, "");
}
