export { type AuditLogsOptions, auditLogs } from "./audit/audit-logs.js";
export type { AuditReport } from "./audit/audit-report.js";
export { renderMarkdown } from "./audit/render-markdown.js";
export { bundleRevision } from "./bundle-server/bundle-manifest.js";
export {
  type BundleServer,
  type BundleServerOptions,
  createBundleServer,
} from "./bundle-server/bundle-server.js";
export { isBundleName } from "./bundle-server/bundle-store.js";
export {
  errorMessage,
  jsonLogger,
  type Logger,
  type LogLevel,
} from "./bundle-server/log.js";
export {
  type RebuildCommand,
  type RebuildResult,
  type SourceWatcher,
  watchSources,
} from "./bundle-server/rebuild.js";
export {
  type CertificatePair,
  type SelfSignedBundle,
  type SelfSignedOptions,
  selfSignedCertificates,
} from "./certificates/self-signed.js";
export {
  type DevCluster,
  type DevClusterOptions,
  startDevCluster,
} from "./dev-cluster/dev-cluster.js";
export {
  findKubernetesBinaries,
  KUBERNETES_PROGRAMS,
  type KubernetesBinaries,
  type KubernetesProgram,
  requireKubernetesBinaries,
} from "./dev-cluster/kubernetes-binaries.js";
export * from "./webhook/index.js";
