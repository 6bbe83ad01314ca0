export {
  canonicalReference,
  DOCKER_HUB,
  type ImageReference,
  type ParsedImageReference,
  parseImageReference,
  registryHost,
  sameRepository,
} from "./image-reference.js";
export { instantNanos } from "./scans/instant.js";
export type {
  ImageIdentity,
  NotImageIdentity,
  ReadScanReport,
  ScanIdentity,
  ScanReport,
} from "./scans/scan-report.js";
export {
  isSeverity,
  SEVERITIES,
  type Severity,
  severityRank,
  vendorSeverity,
} from "./scans/severity.js";
export { readTrivyReport, TRIVY_CONTAINER_IMAGE } from "./scans/trivy-report.js";
