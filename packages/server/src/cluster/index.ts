/**
 * `@charter/server/cluster`: a live cluster through @kubernetes/client-node. An entry of its own
 * so that only the commands that talk to a cluster load the client (it takes most of a second
 * to import); `charter serve`, `audit` and the rest never do.
 */
export {
  type AppliedReport,
  type ApplyReportsResult,
  applyReports,
  MANAGED_BY,
  type ReportFailure,
  type ReportKinds,
  type ReportObject,
} from "./apply-reports.js";
export {
  type ClusterClient,
  ClusterRequestError,
  ClusterUnusable,
  clusterClient,
} from "./cluster-client.js";
export {
  type ClusterListError,
  type ClusterScanPlan,
  type ClusterScope,
  clusterScanEvents,
  matchedKinds,
  PAGE_SIZE,
  planClusterScan,
} from "./cluster-resources.js";
export { type Discovery, discover, type ServedKind } from "./discovery.js";
export {
  type ClusterConnectionOptions,
  chosenKubeConfig,
  connectCluster,
  IN_CLUSTER_CONTEXT,
} from "./kubeconfig.js";
