/**
 * The live-cluster side of `charter check --cluster`: which cluster and namespaces, the
 * objects as a stream of scan events, one error line per kind that could not be listed, and
 * `--apply-reports`.
 *
 * Exit code: a kind that could not be listed (RBAC 403, an aggregated API that is down) leaves
 * the scan incomplete. Its rows are missing, so the report would look cleaner than the
 * cluster is: the scan goes on (the rest is worth reporting), each such kind gets one error
 * line on stderr, and the run exits 2 after the report — the same contract as an unreadable
 * manifest (docs/cli.md, "Exit codes": 2 wins over 1). A cluster that cannot be used at all
 * (unreachable, a certificate that does not verify, a token the server refuses) is one error
 * line and exit 2 before any report.
 *
 * Objects from the server are judged as stored: the server has applied its defaults. Any
 * offline defaulting `check` applies to manifests (issue 14, requirement 4) must not be applied
 * to them — it belongs to the file input only.
 */
import { resolve } from "node:path";
import { CharterError, type Policy } from "@charter/ir";
import type { ScanEvent } from "@charter/runtime";
import {
  type ApplyReportsResult,
  applyReports,
  type ClusterClient,
  type ClusterListError,
  type ClusterScope,
  clusterScanEvents,
  connectCluster,
  planClusterScan,
  type ReportObject,
} from "@charter/server/cluster";
import type { Context } from "../context.js";
import { terminalText } from "../terminal-text.js";
import type { ClusterOptions } from "./cluster-options.js";

export interface ClusterInput {
  readonly client: ClusterClient;
  readonly scope: ClusterScope;
  readonly events: AsyncIterable<ScanEvent>;
  /** How many kinds (or namespaces of a kind) could not be listed so far. */
  readonly listErrors: () => number;
  /** Says where the scan looked, when it found nothing to judge. */
  readonly describe: () => string;
}

function scopeText(scope: ClusterScope): string {
  return "allNamespaces" in scope ? "all namespaces" : `namespace ${scope.namespace}`;
}

function listErrorLine(context: string, failure: ClusterListError): string {
  const { kind, namespace, error, purpose } = failure;
  const what = `${kind.resource}${kind.group ? `.${kind.group}` : ""}`;
  const where = namespace !== undefined ? ` in namespace ${namespace}` : "";
  const status = `${error.status}${error.reason ? ` ${error.reason}` : ""}`;
  const consequence =
    purpose === "judged"
      ? `its objects are not judged`
      : `the cross-resource rules that read ${kind.kind} objects are judged without them`;
  const reading =
    purpose === "context" && !kind.namespaced && namespace !== undefined
      ? `get the ${kind.kind} ${namespace}`
      : `list ${what} (${kind.apiVersion} ${kind.kind})${where}`;
  return `error: cluster ${context}: cannot ${reading}: ${status}: ${error.serverMessage}; ${consequence}, and the run exits 2`;
}

/** Connects, plans what to list, and gives the objects as scan events. */
export async function clusterInput(
  ctx: Context,
  options: ClusterOptions,
  policies: readonly Policy[],
  verbose: boolean,
  before: () => void,
): Promise<ClusterInput> {
  const client = connectCluster({
    ...(options.kubeconfig !== undefined
      ? { kubeconfig: resolve(ctx.cwd, options.kubeconfig) }
      : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
  });
  const scope: ClusterScope = options.allNamespaces
    ? { allNamespaces: true }
    : { namespace: options.namespace ?? client.namespace };
  if ("namespace" in scope) {
    // A misspelt namespace would otherwise be a clean scan of nothing.
    const found = await client.request(
      "GET",
      `/api/v1/namespaces/${encodeURIComponent(scope.namespace)}`,
    );
    if (found.status === 404) {
      throw new CharterError(
        `cluster ${client.context} has no namespace ${scope.namespace}`,
        {},
        "pick one with --namespace (kubectl get namespaces), or scan them all with --all-namespaces",
      );
    }
  }
  const plan = await planClusterScan(client, policies, scope);
  if (verbose && plan.unserved.length > 0) {
    ctx.output.err(
      terminalText(
        `note: cluster ${client.context} does not serve ${plan.unserved.map((k) => `${k.kind}${k.group ? `.${k.group}` : ""}`).join(", ")}: nothing of ${plan.unserved.length === 1 ? "that kind" : "those kinds"} to judge or read`,
      ),
    );
  }
  let errors = 0;
  const events = clusterScanEvents(client, plan, (failure) => {
    errors++;
    before();
    ctx.output.err(terminalText(listErrorLine(client.context, failure)));
  });
  return {
    client,
    scope,
    events,
    listErrors: () => errors,
    describe: () =>
      `note: cluster ${client.context} holds no object of the kinds the policies match in ${scopeText(scope)}`,
  };
}

/**
 * Applies the reports and deletes the stale ones; one line per report on stdout, one error
 * line per failure on stderr. Returns the number of failures (a missing CRD counts as one).
 */
export async function applyClusterReports(
  ctx: Context,
  input: ClusterInput,
  kinds: { apiVersion: string; namespacedKind: string; clusterKind: string },
  reports: readonly ReportObject[],
): Promise<number> {
  const context = input.client.context;
  if (input.listErrors() > 0) {
    ctx.output.err(
      `error: cluster ${context}: the scan is incomplete, so no report was applied (a report would show its namespace cleaner than it is); fix the errors above and run again`,
    );
    return 1;
  }
  const result: ApplyReportsResult | string = await applyReports(
    input.client,
    kinds,
    reports,
    input.scope,
  );
  if (typeof result === "string") {
    ctx.output.err(terminalText(`error: ${result}`));
    return 1;
  }
  const named = (r: { kind: string; namespace?: string; name: string }) =>
    `${r.kind} ${r.namespace !== undefined ? `${r.namespace}/` : ""}${r.name}`;
  for (const report of result.done) {
    ctx.output.out(
      terminalText(
        report.action === "applied"
          ? `applied ${named(report)} (cluster ${context})`
          : `deleted ${named(report)} (cluster ${context}): stale, this scan found nothing there`,
      ),
    );
  }
  for (const failure of result.failed) {
    ctx.output.err(
      terminalText(
        `error: cluster ${context}: cannot ${failure.action} ${named(failure)}: ${failure.message}`,
      ),
    );
  }
  return result.failed.length;
}
