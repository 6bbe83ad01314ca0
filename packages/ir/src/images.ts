/**
 * Image rules (README item 18): what must hold of the images a pod runs — signatures,
 * attestations, a digest, a recent vulnerability scan. Unlike a rule's condition, these need
 * the registry (or a scanner's report), so they are stated as structured requirements the
 * engines that can reach a registry enforce; every other target refuses the policy.
 *
 * A policy with `images` matches `pod`. It is judged once per image of the pod view
 * (`containers`, `initContainers`, `ephemeralContainers`, in that order) whose reference one of
 * `references` matches; every requirement gives one verdict for that image.
 */
import type { Expr, Segment } from "./expr.js";
import type { Json } from "./json.js";

/** How an identity field of a keyless certificate is matched. */
export type IdentityMatch =
  | { readonly exact: string }
  /** RE2, matched against the whole value (anchored), as cosign's `--certificate-identity-regexp`. */
  | { readonly regex: string };

/**
 * Who may sign. `key`: a cosign public key (PEM: ECDSA P-256/P-384, Ed25519 or RSA).
 * `keyless`: a Fulcio certificate whose OIDC issuer and subject (the SAN: e-mail or URI) match,
 * chaining to a certificate authority of the trusted root, its signature witnessed by the
 * transparency log or a timestamp authority of that root (`trustedRoot`: a path to a Sigstore
 * `trusted_root.json`; absent: Sigstore's public-good root).
 */
export type Attestor =
  | { readonly name: string; readonly kind: "key"; readonly publicKey: string }
  /**
   * `keys`: any of the cosign public keys the policy's list parameter `param` holds (key
   * rotation; a library policy each team gives its own keys): verified when one key verifies,
   * and counted once. An empty list leaves the policy unconfigured (`unconfiguredReason`): not
   * built, not judged. `publicKeys` is set only by `imageRulesOf` (the parameter's values then);
   * an IR document never holds it.
   */
  | {
      readonly name: string;
      readonly kind: "keys";
      readonly param: string;
      readonly publicKeys?: readonly string[];
    }
  | {
      readonly name: string;
      readonly kind: "keyless";
      readonly issuer: IdentityMatch;
      readonly subject: IdentityMatch;
      readonly trustedRoot?: string;
    };

/**
 * A timestamp that must be recent: the value at `path` under the requirement's variable is an
 * RFC 3339 instant at most `days` days before the judging instant (`--now`, or the clock). A
 * missing or unreadable timestamp is too old.
 */
export interface MaxAge {
  readonly path: readonly Segment[];
  readonly days: number;
}

/**
 * One thing that must hold of an image; `name` is the verdict's rule name.
 * - `digest`: the reference as written pins a digest (`…@sha256:<64 hex>`).
 * - `signature`: at least `count` of `attestors` (names from `ImageRules.attestors`) signed the
 *   image's digest.
 * - `attestation`: some attestation of `predicateType` about the image's digest, signed by one of
 *   `attestors`, whose predicate — bound to the variable `predicate` — makes `condition` hold
 *   (absent: any) and is recent enough (`maxAge`).
 * - `vulnerabilities`: the newest scanner report about the image (a Trivy JSON report given to the
 *   scan, or a Trivy Operator VulnerabilityReport), bound to the variable `scan` as an
 *   `ImageScan`, makes `condition` hold (absent: any scan) and is recent enough (`maxAge` over
 *   `finishedAt`).
 */
export type ImageRequirement =
  | { readonly kind: "digest"; readonly name: string }
  | {
      readonly kind: "signature";
      readonly name: string;
      readonly attestors: readonly string[];
      readonly count: number;
    }
  | {
      readonly kind: "attestation";
      readonly name: string;
      readonly predicateType: string;
      readonly attestors: readonly string[];
      readonly condition?: Expr;
      readonly maxAge?: MaxAge;
    }
  | {
      readonly kind: "vulnerabilities";
      readonly name: string;
      readonly condition?: Expr;
      readonly maxAge?: MaxAge;
    };

export type ImageRequirementKind = ImageRequirement["kind"];

export interface ImageRules {
  /** Globs over the reference as written (DESIGN glob: `*` any run, `?` one); empty: every image. */
  readonly references: readonly string[];
  readonly attestors: readonly Attestor[];
  readonly requirements: readonly ImageRequirement[];
}

/** The variable an attestation's condition reads its predicate through. */
export const PREDICATE_VARIABLE = "predicate";
/** The variable a vulnerability requirement reads the image's scan through. */
export const SCAN_VARIABLE = "scan";

/** One finding of a scanner, normalised from Trivy's JSON or a VulnerabilityReport. */
export interface ImageVulnerability {
  readonly id: string;
  /** CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN. */
  readonly severity: string;
  readonly package: string;
  readonly installedVersion?: string;
  /** Absent when there is no fix. */
  readonly fixedVersion?: string;
}

/** What a scanner said about one image: the `scan` variable of a `vulnerabilities` requirement. */
export interface ImageScan {
  /** Where it came from: a report file's path, or `<namespace>/<name>` of a VulnerabilityReport. */
  readonly source: string;
  readonly finishedAt?: string;
  readonly vulnerabilities: readonly ImageVulnerability[];
}

/** A signature that verified for the image's digest under one attestor. */
export interface VerifiedSignature {
  readonly attestor: string;
}

/** An attestation that verified for the image's digest under one attestor. */
export interface VerifiedAttestation {
  readonly attestor: string;
  readonly predicateType: string;
  readonly predicate: Json;
}

/**
 * What the registry (and the scanners) say about one image, for one policy's attestors: the
 * input of the judgement, so that a test case can state it without a registry. Only verified
 * material is listed; why the rest did not verify is in `notes` (shown in messages).
 * `error`: the image could not be judged (registry unreachable, denied, a malformed manifest…):
 * every requirement but `digest` is an `error` verdict with this reason — never a pass.
 */
export interface ImageFacts {
  readonly reference: string;
  /** The digest the reference resolved to (`sha256:<hex>`), once, for every requirement. */
  readonly digest?: string;
  readonly signatures: readonly VerifiedSignature[];
  readonly attestations: readonly VerifiedAttestation[];
  readonly scan?: ImageScan;
  readonly notes?: readonly string[];
  readonly error?: string;
  /**
   * The registry was not read (verification is off), with the reason: `signature` and
   * `attestation` requirements are `skip` rows giving it; `digest` and `vulnerabilities` (on a
   * scan matched by reference) are judged.
   */
  readonly unverified?: string;
  /**
   * No scanner report was given to the judgement at all (not: none about this image), with the
   * reason: `vulnerabilities` requirements are `skip` rows giving it.
   */
  readonly unscanned?: string;
}

/** Attestor names a requirement refers to. */
export function requirementAttestors(requirement: ImageRequirement): readonly string[] {
  return requirement.kind === "signature" || requirement.kind === "attestation"
    ? requirement.attestors
    : [];
}

/** The variable a requirement's condition is judged with, if it has one. */
export function requirementVariable(requirement: ImageRequirement): string | undefined {
  if (requirement.kind === "attestation") return PREDICATE_VARIABLE;
  if (requirement.kind === "vulnerabilities") return SCAN_VARIABLE;
  return undefined;
}

/** `…@sha256:<64 lower-case hex>`: the digest a reference pins, if it pins one. */
export function pinnedDigest(reference: string): string | undefined {
  const match = /@(sha256:[0-9a-f]{64})$/.exec(reference);
  return match?.[1];
}

/** The rule names a policy's report rows carry: its rules', then its image requirements'. */
export function ruleNamesOf(policy: {
  readonly rules: readonly { readonly name: string }[];
  readonly images?: ImageRules;
}): string[] {
  return [
    ...policy.rules.map((rule) => rule.name),
    ...(policy.images?.requirements.map((requirement) => requirement.name) ?? []),
  ];
}
