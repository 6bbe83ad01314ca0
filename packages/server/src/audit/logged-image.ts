/**
 * The images of a judged request as a decision event records them (`images` beside `result`):
 * what `charter audit` counts for image and vulnerability trends (issue 16, requirement 8).
 * Charter's webhook writes one entry per container image of the pod view it judged; OPA's
 * decision logs carry none, so the audit reads their images from the logged input's pod spec,
 * without vulnerabilities.
 */

/** Findings of the image's scan by severity; absent when no scan was found for the image. */
export interface SeverityCounts {
  readonly CRITICAL: number;
  readonly HIGH: number;
  readonly MEDIUM: number;
  readonly LOW: number;
  readonly UNKNOWN: number;
}

export interface LoggedImage {
  /** The container's name in the pod view. */
  readonly container: string;
  /** The reference as written. */
  readonly reference: string;
  /** The digest it resolved to, when the registry was read. */
  readonly digest?: string;
  /** The scan the image rules were judged on: its findings by severity, and when it finished. */
  readonly vulnerabilities?: SeverityCounts;
  /** With `fixable`: of `vulnerabilities`, those with a fix. */
  readonly fixable?: SeverityCounts;
  readonly scannedAt?: string;
  /** Where the scan came from (`<namespace>/<name>` of a VulnerabilityReport, a report file). */
  readonly scanSource?: string;
}
