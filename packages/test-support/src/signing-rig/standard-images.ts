/**
 * The standard set of test images: what each one is, who signed and attested it, and what cosign
 * v3.1.3 itself says about it. The rig builds every case for each (signature format × registry
 * kind) asked for; this file is only the plan and the expected outcomes, written down before
 * anything runs, so the rig's test can hold the real cosign to them.
 */
import type { SignatureFormat } from "./cosign-commands.js";
import type { KeyName } from "./cosign-keys.js";
import type { GateName } from "./cosign-policies.js";
import type { AttestationType, SlsaPredicateName, VulnPredicateName } from "./predicates.js";

export type ImageCase =
  | "signed"
  | "signed-other-key"
  | "unsigned"
  | "retagged"
  | "vuln-clean"
  | "vuln-critical"
  | "vuln-expired"
  | "vuln-other-key"
  | "slsa-trusted-builder"
  | "slsa-other-builder"
  | "attested-unsigned";

export type PlannedAttestation =
  | { readonly type: "vuln"; readonly predicate: VulnPredicateName; readonly signedBy: KeyName }
  | {
      readonly type: "slsaprovenance1";
      readonly predicate: SlsaPredicateName;
      readonly signedBy: KeyName;
    };

export interface ImagePlan {
  readonly case: ImageCase;
  readonly description: string;
  /** Who signed the image (`cosign sign`); undefined: nobody. */
  readonly signedBy?: KeyName;
  /** In the order they were made, all after the signature. */
  readonly attestations: readonly PlannedAttestation[];
  /**
   * Signed, then its tag moved to another (unsigned) image: the tag resolves to the unsigned
   * digest, and the signature stays with the old digest.
   */
  readonly retagged?: true;
}

export const STANDARD_IMAGES: readonly ImagePlan[] = [
  {
    case: "signed",
    description: "signed by the trusted key",
    signedBy: "trusted",
    attestations: [],
  },
  {
    case: "signed-other-key",
    description: "signed by another key only",
    signedBy: "other",
    attestations: [],
  },
  { case: "unsigned", description: "neither signed nor attested", attestations: [] },
  {
    case: "retagged",
    description:
      "signed by the trusted key, then its tag moved to a different, unsigned image: the tag now resolves to the unsigned digest",
    signedBy: "trusted",
    attestations: [],
    retagged: true,
  },
  {
    case: "vuln-clean",
    description:
      "signed, and a vuln attestation with no CRITICAL finding, scanned at the rig's clock",
    signedBy: "trusted",
    attestations: [{ type: "vuln", predicate: "clean", signedBy: "trusted" }],
  },
  {
    case: "vuln-critical",
    description:
      "signed, and a vuln attestation with a CRITICAL finding that has a fix (CVE-2021-36159), scanned at the rig's clock",
    signedBy: "trusted",
    attestations: [{ type: "vuln", predicate: "critical", signedBy: "trusted" }],
  },
  {
    case: "vuln-expired",
    description:
      "signed, and a vuln attestation with no CRITICAL finding from a scan finished in 2020",
    signedBy: "trusted",
    attestations: [{ type: "vuln", predicate: "expired", signedBy: "trusted" }],
  },
  {
    case: "vuln-other-key",
    description: "signed by the trusted key, but its (clean) vuln attestation by another key",
    signedBy: "trusted",
    attestations: [{ type: "vuln", predicate: "clean", signedBy: "other" }],
  },
  {
    case: "slsa-trusted-builder",
    description: "signed, and SLSA provenance v1 from the trusted builder",
    signedBy: "trusted",
    attestations: [{ type: "slsaprovenance1", predicate: "trusted-builder", signedBy: "trusted" }],
  },
  {
    case: "slsa-other-builder",
    description: "signed, and SLSA provenance v1 from another builder",
    signedBy: "trusted",
    attestations: [{ type: "slsaprovenance1", predicate: "other-builder", signedBy: "trusted" }],
  },
  {
    case: "attested-unsigned",
    description: "never `cosign sign`ed: only a (clean) vuln attestation by the trusted key",
    attestations: [{ type: "vuln", predicate: "clean", signedBy: "trusted" }],
  },
];

export type CosignOutcome = "pass" | "fail";

/** What cosign v3.1.3 answers about an image (its current digest) with one key. */
export interface CosignOutcomes {
  /** `cosign verify --key <pub> --insecure-ignore-tlog=true <ref>` */
  readonly verify: CosignOutcome;
  /** `cosign verify-attestation --type <type> …` for each type. */
  readonly verifyAttestation: Readonly<Record<AttestationType, CosignOutcome>>;
  /** `cosign verify-attestation --type <gate's type> --policy <gate>.rego …` (cosign-policies.ts). */
  readonly gates: Readonly<Record<GateName, CosignOutcome>>;
}

/**
 * cosign's own verdicts on an image built from this plan, checked with `key`, about the digest its
 * tag resolves to (for `retagged`, the unsigned image). `verify` and `verifyAttestation` judge
 * signatures only, never predicate contents: cosign passes a CRITICAL or a 2020 scan as readily as
 * a clean one. The contents are judged by the gates, cosign's `--policy` (cosign-policies.ts): the
 * vuln gate passes only a clean, fresh scan, the SLSA gate only the trusted builder — each on an
 * attestation the key verifies.
 *
 * One behaviour of cosign to know: in the bundle format `cosign verify` accepts any bundle the key
 * verifies, attestations included — it does not look for the `https://sigstore.dev/cosign/sign/v1`
 * predicate type that `cosign sign` writes (cmd/cosign/cli/verify/verify.go: the new-format branch
 * calls VerifyImageAttestations and filters nothing). So an image that was only attested passes
 * `cosign verify` in the bundle format and fails it in the legacy format, where `verify` reads the
 * `.sig` tag alone.
 */
export function expectedOutcomes(
  plan: ImagePlan,
  format: SignatureFormat,
  key: KeyName,
): CosignOutcomes {
  const outcome = (ok: boolean): CosignOutcome => (ok ? "pass" : "fail");
  if (plan.retagged) {
    return {
      verify: "fail",
      verifyAttestation: { vuln: "fail", slsaprovenance1: "fail" },
      gates: { "vuln-no-critical-fresh": "fail", "slsa-trusted-builder": "fail" },
    };
  }
  const verified = plan.attestations.filter((a) => a.signedBy === key);
  const attestedBy = (type?: AttestationType): boolean =>
    verified.some((a) => type === undefined || a.type === type);
  const allOfType = (type: AttestationType, good: string): boolean => {
    const ofType = verified.filter((a) => a.type === type);
    return ofType.length > 0 && ofType.every((a) => a.predicate === good);
  };
  return {
    verify: outcome(plan.signedBy === key || (format === "bundle" && attestedBy())),
    verifyAttestation: {
      vuln: outcome(attestedBy("vuln")),
      slsaprovenance1: outcome(attestedBy("slsaprovenance1")),
    },
    gates: {
      "vuln-no-critical-fresh": outcome(allOfType("vuln", "clean")),
      "slsa-trusted-builder": outcome(allOfType("slsaprovenance1", "trusted-builder")),
    },
  };
}
