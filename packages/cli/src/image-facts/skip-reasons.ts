/**
 * The skip messages of image rules judged without their facts. Apart from with-image-facts.ts so
 * that the table (report/table.ts) can fold them without loading the registry client.
 */
import { NOT_VERIFIED } from "@charter/runtime/scan";

/** Why vulnerability requirements were not judged. */
export const NO_SCANS =
  "not judged: no scanner reports were given (charter check --vuln-reports trivy-report.json …)";

/** Why signature and attestation requirements were not judged. */
export const REGISTRY_NOT_READ =
  "not verified: signatures and attestations are read from the registry with charter check --verify-images";

/**
 * The skip messages that only say a flag was not given, with that flag: the table folds their
 * rows into one line per flag (report/table.ts), since every workload would repeat them.
 */
export const SKIPPED_FOR_WANT_OF: ReadonlyMap<string, string> = new Map([
  [NO_SCANS, "--vuln-reports"],
  [REGISTRY_NOT_READ, "--verify-images"],
  [NOT_VERIFIED, "--verify-images"],
]);
