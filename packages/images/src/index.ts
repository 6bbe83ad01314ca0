export { instantNanos } from "@charter/ir";
export {
  type Candidate,
  COSIGN_SIGN_PREDICATE_TYPE,
  type Collected,
  collect,
} from "./cosign/collect.js";
export {
  canonicalReference,
  DOCKER_HUB,
  type ImageReference,
  type ParsedImageReference,
  parseImageReference,
  registryHost,
  sameRepository,
} from "./image-reference.js";
export {
  type CredentialLookup,
  type Credentials,
  dockerConfigPath,
  lookupCredentials,
} from "./oci/docker-config.js";
export type { Descriptor, ManifestDocument } from "./oci/manifest.js";
export {
  DEFAULT_MAX_BLOB_BYTES,
  DEFAULT_MAX_MANIFEST_BYTES,
  DEFAULT_TIMEOUT_MS,
  digestTag,
  type FetchedManifest,
  isLoopbackRegistry,
  type Referrers,
  RegistryClient,
  type RegistryClientOptions,
  type Repository,
} from "./oci/registry-client.js";
export { isRegistryError, RegistryError, type RegistryErrorKind } from "./oci/registry-error.js";
export { COSIGN_VULN_PREDICATE_TYPE, readCosignVulnPredicate } from "./scans/cosign-vuln.js";
export { scanForImage } from "./scans/scan-for-image.js";
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
export {
  isVulnerabilityReport,
  readVulnerabilityReport,
  TRIVY_OPERATOR_API_VERSION,
  VULNERABILITY_REPORT_KINDS,
} from "./scans/vulnerability-report.js";
export {
  type BundlePolicy,
  DEFAULT_THRESHOLDS,
  type Identity,
  identityMatches,
  KEY_THRESHOLDS,
  keylessPolicy,
  keyPolicy,
  parsePublicKey,
  rootTrustMaterial,
  type Thresholds,
} from "./sigstore/trust.js";
export {
  type BundleVerdict,
  type InTotoStatement,
  type SignedSubject,
  verifyBundle,
} from "./sigstore/verify-bundle.js";
export {
  type CachedAttestation,
  VerificationCache,
  type VerificationCacheOptions,
} from "./verification-cache.js";
export { type VerifyImageOptions, verifyImage } from "./verify-image.js";
