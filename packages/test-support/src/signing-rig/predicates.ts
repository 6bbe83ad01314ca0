/**
 * The predicates the rig attests, made from the shared supply-chain fixtures
 * (../shared/conformance/supply-chain, see its MANIFEST §1, §3 and §7):
 * - vuln (`cosign attest --type vuln`, predicateType https://cosign.sigstore.dev/attestation/vuln/v1):
 *   Trivy's own `--format cosign-vuln` example (trivy/extracted/cosign-vuln.example-1.json), whose
 *   one finding is CRITICAL with a fix (CVE-2021-36159, apk-tools 2.10.6-r0 → 2.10.7-r0).
 *   `critical` is that report as it is; `clean` is the same report with its CRITICAL findings
 *   removed (so it has none left); both say the scan finished at the rig's clock. `expired` is
 *   the clean report from a scan that finished on 2020-01-01: too old for any freshness gate.
 * - slsaprovenance1 (`--type slsaprovenance1`, predicateType https://slsa.dev/provenance/v1): the
 *   SLSA v1 predicate of local-cosign-rig/slsa.json (real GitHub Actions provenance), whose
 *   `runDetails.builder.id` is TRUSTED_BUILDER_ID; `other-builder` is the same with
 *   OTHER_BUILDER_ID.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SUPPLY_CHAIN_FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../../shared/conformance/supply-chain",
);

/** What `cosign attest --type <type>` writes as the statement's predicateType (cosign v3.1.3). */
export const PREDICATE_TYPES = {
  vuln: "https://cosign.sigstore.dev/attestation/vuln/v1",
  slsaprovenance1: "https://slsa.dev/provenance/v1",
} as const;

export type AttestationType = keyof typeof PREDICATE_TYPES;

export type VulnPredicateName = "clean" | "critical" | "expired";
export type SlsaPredicateName = "trusted-builder" | "other-builder";

/** The builder of local-cosign-rig/slsa.json. */
export const TRUSTED_BUILDER_ID =
  "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main";
/** A builder no policy trusts. */
export const OTHER_BUILDER_ID =
  "https://github.com/charter-rig/untrusted-builder/.github/workflows/build.yaml@refs/heads/main";

/** When the `expired` scan ran. */
export const EXPIRED_SCAN = {
  scanStartedOn: "2020-01-01T00:00:00Z",
  scanFinishedOn: "2020-01-01T00:05:00Z",
} as const;

interface TrivyVulnerability {
  readonly VulnerabilityID: string;
  readonly Severity?: string;
  readonly FixedVersion?: string;
}

interface VulnPredicate {
  readonly scanner: {
    readonly result: { readonly Results?: readonly { Vulnerabilities?: TrivyVulnerability[] }[] };
  };
  readonly metadata: { readonly scanStartedOn: string; readonly scanFinishedOn: string };
}

function readJson<T>(relative: string): T {
  return JSON.parse(readFileSync(join(SUPPLY_CHAIN_FIXTURES, relative), "utf8")) as T;
}

/** The vuln predicate of that name; `now` is the rig's clock (the scan time of clean and critical). */
export function vulnPredicate(name: VulnPredicateName, now: Date): VulnPredicate {
  const example = readJson<VulnPredicate>("trivy/extracted/cosign-vuln.example-1.json");
  const at = now.toISOString();
  const scanned = { scanStartedOn: at, scanFinishedOn: at };
  const withoutCritical = {
    ...example.scanner.result,
    Results: (example.scanner.result.Results ?? []).map((result) => ({
      ...result,
      Vulnerabilities: (result.Vulnerabilities ?? []).filter((v) => v.Severity !== "CRITICAL"),
    })),
  };
  switch (name) {
    case "critical":
      return { ...example, metadata: scanned };
    case "clean":
      return {
        ...example,
        scanner: { ...example.scanner, result: withoutCritical },
        metadata: scanned,
      };
    case "expired":
      return {
        ...example,
        scanner: { ...example.scanner, result: withoutCritical },
        metadata: { ...EXPIRED_SCAN },
      };
  }
}

/** The CRITICAL findings of a vuln predicate (what a "no CRITICAL" gate looks at). */
export function criticalFindings(predicate: VulnPredicate): TrivyVulnerability[] {
  return (predicate.scanner.result.Results ?? []).flatMap((result) =>
    (result.Vulnerabilities ?? []).filter((v) => v.Severity === "CRITICAL"),
  );
}

interface SlsaPredicate {
  readonly runDetails: { readonly builder: { readonly id: string } };
}

/** The SLSA provenance v1 predicate of that name. */
export function slsaPredicate(name: SlsaPredicateName): SlsaPredicate {
  const predicate = readJson<SlsaPredicate>("local-cosign-rig/slsa.json");
  if (predicate.runDetails.builder.id !== TRUSTED_BUILDER_ID) {
    throw new Error(`local-cosign-rig/slsa.json's builder is ${predicate.runDetails.builder.id}`);
  }
  if (name === "trusted-builder") return predicate;
  return {
    ...predicate,
    runDetails: {
      ...predicate.runDetails,
      builder: { ...predicate.runDetails.builder, id: OTHER_BUILDER_ID },
    },
  };
}
