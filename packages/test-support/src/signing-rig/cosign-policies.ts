/**
 * Two content gates that cosign itself evaluates (`cosign verify-attestation --policy FILE.rego`:
 * cosign v3.1.3 runs the query `data.signature.allow` with its embedded OPA over the in-toto
 * statement of each attestation of the asked `--type`, in Rego v0 mode — hence `import rego.v1`
 * — and fails when one is not allowed). They give the image tests a third opinion on the gates
 * Charter writes: what cosign says about the same predicates, on the same images.
 *
 * - `vuln-no-critical-fresh` (on `--type vuln`): no finding of severity CRITICAL in the Trivy
 *   report at `predicate.scanner.result`, and the scan finished at most VULN_MAX_AGE_DAYS before
 *   cosign's clock (`predicate.metadata.scanFinishedOn`).
 * - `slsa-trusted-builder` (on `--type slsaprovenance1`): `predicate.runDetails.builder.id` is
 *   TRUSTED_BUILDER_ID.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AttestationType, TRUSTED_BUILDER_ID } from "./predicates.js";

export type GateName = "vuln-no-critical-fresh" | "slsa-trusted-builder";

export const GATE_NAMES: readonly GateName[] = ["vuln-no-critical-fresh", "slsa-trusted-builder"];

export const VULN_MAX_AGE_DAYS = 30;

/** The attestation type each gate reads. */
export const GATE_TYPES: Readonly<Record<GateName, AttestationType>> = {
  "vuln-no-critical-fresh": "vuln",
  "slsa-trusted-builder": "slsaprovenance1",
};

export const GATE_REGO: Readonly<Record<GateName, string>> = {
  "vuln-no-critical-fresh": `package signature

import rego.v1

default allow := false

max_age_ns := ${VULN_MAX_AGE_DAYS} * 24 * 60 * 60 * 1000000000

critical contains v.VulnerabilityID if {
	some result in input.predicate.scanner.result.Results
	some v in result.Vulnerabilities
	v.Severity == "CRITICAL"
}

fresh if {
	finished := time.parse_rfc3339_ns(input.predicate.metadata.scanFinishedOn)
	time.now_ns() - finished <= max_age_ns
}

allow if {
	count(critical) == 0
	fresh
}
`,
  "slsa-trusted-builder": `package signature

import rego.v1

default allow := false

allow if input.predicate.runDetails.builder.id == ${JSON.stringify(TRUSTED_BUILDER_ID)}
`,
};

/** Writes each gate's policy as `<dir>/gate-<name>.rego` (cosign picks Rego by the extension). */
export function writeGatePolicies(dir: string): Readonly<Record<GateName, string>> {
  const files = {} as Record<GateName, string>;
  for (const name of GATE_NAMES) {
    const file = join(dir, `gate-${name}.rego`);
    writeFileSync(file, GATE_REGO[name]);
    files[name] = file;
  }
  return files;
}
