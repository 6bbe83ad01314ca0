/**
 * cosign's vulnerability attestation predicate (`https://cosign.sigstore.dev/attestation/vuln/v1`,
 * cosign's `specs/COSIGN_VULN_ATTESTATION_SPEC.md`; what `trivy image --format cosign-vuln`
 * writes) read as a scan: `predicate.scanner.result` is a whole Trivy JSON report, read as
 * `readTrivyReport` reads one, and the scan finished at `predicate.metadata.scanFinishedOn`
 * (the report's own `CreatedAt` is not read: the predicate's time is the one that was signed as
 * the scan's).
 *
 * The predicate is read as given: that its attestation verified, and for which digest, is the
 * verifier's (`VerifiedAttestation`). A predicate with no result (`"result": null`, as in
 * cosign's own e2e fixture) is refused — no report is not a clean report — and so is a result
 * that is not a Trivy report (other scanners' formats are not read).
 */
import { describe, isObject, type ReadScanReport, Refusal, refusing } from "./scan-report.js";
import { readInstant, readTrivyBody } from "./trivy-report.js";

export const COSIGN_VULN_PREDICATE_TYPE = "https://cosign.sigstore.dev/attestation/vuln/v1";

/** Reads a cosign vuln predicate; `source` names it in the scan (the image's attestation). */
export function readCosignVulnPredicate(predicate: unknown, source: string): ReadScanReport {
  return refusing(`vulnerability attestation ${source}`, () => {
    if (!isObject(predicate)) throw new Refusal(`the predicate is ${describe(predicate)}`);
    const scanner = predicate.scanner;
    if (!isObject(scanner)) throw new Refusal(`scanner is ${describe(scanner)}, not an object`);
    if (scanner.result === undefined || scanner.result === null) {
      throw new Refusal(
        "scanner.result is missing: the attestation holds no scan report, and no report is not a clean report",
      );
    }
    const warnings: string[] = [];
    const { identity, vulnerabilities } = readTrivyBody(
      scanner.result,
      "scanner.result.",
      warnings,
    );
    const metadata = isObject(predicate.metadata) ? predicate.metadata : {};
    const finishedAt = readInstant(metadata.scanFinishedOn, "metadata.scanFinishedOn", warnings);
    return {
      report: {
        identity,
        scan: { source, ...(finishedAt !== undefined ? { finishedAt } : {}), vulnerabilities },
      },
      warnings,
    };
  });
}
