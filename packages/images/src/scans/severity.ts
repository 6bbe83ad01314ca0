/**
 * Severities as Trivy names them (trivy-db's `SeverityNames`), lowest first. A finding's
 * severity is one of these five; `UNKNOWN` is a real answer of the scanner (no vendor rated
 * it), not a missing one, and ranks lowest.
 */
export const SEVERITIES = ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;

export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

/** 0 for UNKNOWN … 4 for CRITICAL: `a` is at or above `b` when its rank is not lower. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * A vendor's rating in Trivy's `VendorSeverity` map: trivy-db's numbers, 0 UNKNOWN, 1 LOW,
 * 2 MEDIUM, 3 HIGH, 4 CRITICAL. Anything else is not a rating (undefined).
 */
export function vendorSeverity(value: unknown): Severity | undefined {
  return typeof value === "number" && Number.isInteger(value) ? SEVERITIES[value] : undefined;
}
