/**
 * `charter check --cluster --format policyreport|openreports --apply-reports`: the scan's
 * reports written back into the cluster it scanned, so Policy Reporter, Kyverno's UI or
 * `kubectl get policyreports` show them.
 *
 * - Each report is written with server-side apply (field manager `charter`, forced): the
 *   report of a namespace is always called `charter`, so a second scan replaces the first one's
 *   results (the CRDs' `results` is an atomic list) instead of adding a report beside it.
 * - Reports labelled `app.kubernetes.io/managed-by: charter` in the scanned scope that this
 *   scan did not write — a namespace whose objects are gone, or that no policy applies to any
 *   more — are deleted: a report is the last scan's word on its namespace, and an old failure
 *   left behind would be a finding that no longer exists. With `--namespace X` only X's report
 *   is considered; the cluster-wide report only with `--all-namespaces`.
 */
import type { ClusterClient } from "./cluster-client.js";
import { requestError } from "./cluster-client.js";
import type { ClusterScope } from "./cluster-resources.js";
import { discover, kindKey, type ServedKind } from "./discovery.js";

export const MANAGED_BY = "app.kubernetes.io/managed-by=charter";
const FIELD_MANAGER = "charter";

export interface ReportKinds {
  /** `wgpolicyk8s.io/v1alpha2` or `openreports.io/v1alpha1`. */
  readonly apiVersion: string;
  readonly namespacedKind: string;
  readonly clusterKind: string;
}

export interface ReportObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

export interface AppliedReport {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly action: "applied" | "deleted";
}

export interface ReportFailure {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly action: "apply" | "delete" | "list";
  readonly message: string;
}

export interface ApplyReportsResult {
  readonly done: readonly AppliedReport[];
  readonly failed: readonly ReportFailure[];
}

const groupOfApiVersion = (apiVersion: string) =>
  apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";

/** Where the cluster serves the report kinds, or a sentence saying which CRD is missing. */
async function reportKinds(
  client: ClusterClient,
  kinds: ReportKinds,
): Promise<{ namespaced: ServedKind; cluster: ServedKind } | string> {
  const group = groupOfApiVersion(kinds.apiVersion);
  const refs = [
    { group, kind: kinds.namespacedKind },
    { group, kind: kinds.clusterKind },
  ];
  const discovery = await discover(client, refs);
  const [namespaced, cluster] = refs.map((ref) => discovery.served.get(kindKey(ref)));
  if (namespaced === undefined || cluster === undefined) {
    const missing = discovery.unserved.map((ref) => `${ref.kind}.${ref.group}`).join(", ");
    return `cluster ${client.context} does not serve ${missing}: install the report CRDs first (${group === "openreports.io" ? "openreports.io_reports.yaml and openreports.io_clusterreports.yaml from openreports/reports-api" : "wgpolicyk8s.io_policyreports.yaml and wgpolicyk8s.io_clusterpolicyreports.yaml, as Kyverno installs them"})`;
  }
  return { namespaced, cluster };
}

function objectPath(kind: ServedKind, apiVersion: string, namespace?: string, name?: string) {
  const base = `/apis/${apiVersion}`;
  const collection =
    namespace !== undefined ? `${base}/namespaces/${encodeURIComponent(namespace)}` : base;
  return `${collection}/${kind.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ""}`;
}

/**
 * Applies `reports` (toPolicyReports' objects) and deletes the stale ones of the scope. A
 * missing CRD is an error thrown as a string for the caller's one line; every other failure
 * is listed and the rest goes on.
 */
export async function applyReports(
  client: ClusterClient,
  kinds: ReportKinds,
  reports: readonly ReportObject[],
  scope: ClusterScope,
): Promise<ApplyReportsResult | string> {
  const served = await reportKinds(client, kinds);
  if (typeof served === "string") return served;
  const done: AppliedReport[] = [];
  const failed: ReportFailure[] = [];
  const written = new Set<string>();
  const key = (kind: string, namespace: string | undefined, name: string) =>
    `${kind}/${namespace ?? ""}/${name}`;

  for (const report of reports) {
    const { name, namespace } = report.metadata;
    const kind = report.kind === kinds.clusterKind ? served.cluster : served.namespaced;
    const response = await client.request(
      "PATCH",
      objectPath(kind, report.apiVersion, namespace, name),
      {
        query: { fieldManager: FIELD_MANAGER, force: "true" },
        body: JSON.stringify(report),
        contentType: "application/apply-patch+yaml",
      },
    );
    const where = { kind: report.kind, ...(namespace !== undefined ? { namespace } : {}), name };
    if (response.status >= 200 && response.status <= 299) {
      written.add(key(report.kind, namespace, name));
      done.push({ ...where, action: "applied" });
    } else {
      failed.push({ ...where, action: "apply", message: requestError(response).message });
    }
  }

  // The reports of this scope an earlier scan wrote and this one did not.
  const all = "allNamespaces" in scope;
  const scopes: { kind: ServedKind; kindName: string; namespace?: string }[] = [
    all
      ? { kind: served.namespaced, kindName: kinds.namespacedKind }
      : { kind: served.namespaced, kindName: kinds.namespacedKind, namespace: scope.namespace },
    ...(all ? [{ kind: served.cluster, kindName: kinds.clusterKind }] : []),
  ];
  for (const { kind, kindName, namespace } of scopes) {
    const response = await client.request("GET", objectPath(kind, kinds.apiVersion, namespace), {
      query: { labelSelector: MANAGED_BY },
    });
    if (response.status < 200 || response.status > 299) {
      failed.push({
        kind: kindName,
        ...(namespace !== undefined ? { namespace } : {}),
        name: "*",
        action: "list",
        message: requestError(response).message,
      });
      continue;
    }
    const list = JSON.parse(response.text) as {
      items?: { metadata?: { name?: string; namespace?: string } }[];
    };
    for (const item of list.items ?? []) {
      const name = item.metadata?.name;
      const itemNamespace = item.metadata?.namespace;
      if (typeof name !== "string" || written.has(key(kindName, itemNamespace, name))) continue;
      const deleted = await client.request(
        "DELETE",
        objectPath(kind, kinds.apiVersion, itemNamespace, name),
      );
      const where = {
        kind: kindName,
        ...(itemNamespace !== undefined ? { namespace: itemNamespace } : {}),
        name,
      };
      if ((deleted.status >= 200 && deleted.status <= 299) || deleted.status === 404) {
        done.push({ ...where, action: "deleted" });
      } else {
        failed.push({ ...where, action: "delete", message: requestError(deleted).message });
      }
    }
  }
  return { done, failed };
}
