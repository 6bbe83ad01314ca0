/**
 * `@charter/images/offline`: what judging images needs without a registry — image references
 * and vulnerability scanner reports. The package's main entry also loads the registry client and
 * Sigstore's verifiers, which only `--verify-images` uses.
 */
export {
  type ParsedImageReference,
  parseImageReference,
} from "./image-reference.js";
export { scanForImage } from "./scans/scan-for-image.js";
export type { ReadScanReport, ScanReport } from "./scans/scan-report.js";
export { readTrivyReport } from "./scans/trivy-report.js";
export { isVulnerabilityReport, readVulnerabilityReport } from "./scans/vulnerability-report.js";
