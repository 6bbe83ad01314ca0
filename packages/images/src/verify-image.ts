/**
 * `verifyImage`: the `ImageFacts` of one image for one policy's image rules (IR README item 18).
 *
 * 1. The reference is parsed and resolved to a digest once (a pinned digest is used as is; a tag
 *    is asked of the registry, every time).
 * 2. For each attestor a requirement names: is there a signature of the digest it verifies (when
 *    a `signature` requirement names it), and which attestations of the predicate types the
 *    `attestation` requirements ask of it verify? What the cache already holds is not read again.
 * 3. The rest is read from the registry (cosign/collect.ts: `.sig`, `.att`, referrers) and every
 *    candidate verified under every attestor that wants it, through `verifyBundle`.
 *
 * Only what verified is listed, with the attestor's name; why the rest did not is in `notes`.
 * Anything that could not be read — registry unreachable, 401/403, a malformed manifest or
 * bundle, bytes that do not match their digest, a body over its limit, an attestor whose key or
 * trusted root cannot be read — is `error`, with nothing listed: fail closed.
 */
import {
  type Attestor,
  attestorKeys,
  type ImageFacts,
  type ImageRules,
  type Json,
  type VerifiedAttestation,
  type VerifiedSignature,
} from "@charter/ir";
import { type Candidate, COSIGN_SIGN_PREDICATE_TYPE, collect } from "./cosign/collect.js";
import { parseImageReference } from "./image-reference.js";
import { RegistryClient, type RegistryClientOptions } from "./oci/registry-client.js";
import { isRegistryError } from "./oci/registry-error.js";
import {
  type BundlePolicy,
  DEFAULT_THRESHOLDS,
  keyPolicy,
  readTrustedRoot,
  rootTrustMaterial,
} from "./sigstore/trust.js";
import { verifyBundle } from "./sigstore/verify-bundle.js";
import type { CachedAttestation, VerificationCache } from "./verification-cache.js";

export interface VerifyImageOptions {
  /** A client to share (its tokens are reused), or the options of a new one. */
  readonly registry?: RegistryClient | RegistryClientOptions;
  /** Verified (digest, attestor, kind) kept between calls; none: nothing is kept. */
  readonly cache?: VerificationCache;
  /**
   * The `trusted_root.json` keyless attestors without their own `trustedRoot` use. Charter does
   * not fetch the public-good root: give it as a file (Sigstore's TUF repository distributes it).
   */
  readonly trustedRoot?: string;
}

interface Need {
  readonly attestor: Attestor;
  signature: boolean;
  readonly predicateTypes: Set<string>;
}

class FactsError extends Error {}

/** What an attestor verifies with; `context`: the default trusted root, if it uses that. */
interface AttestorPolicies {
  readonly policies: readonly BundlePolicy[];
  readonly context: string;
}

export async function verifyImage(
  reference: string,
  rules: ImageRules,
  options: VerifyImageOptions = {},
): Promise<ImageFacts> {
  const failed = (error: string, digest?: string): ImageFacts => ({
    reference,
    ...(digest !== undefined ? { digest } : {}),
    signatures: [],
    attestations: [],
    error,
  });
  const parsed = parseImageReference(reference);
  if (!parsed.ok) return failed(parsed.reason);
  const ref = parsed.reference;

  let needs: Map<string, Need>;
  let policies: Map<string, AttestorPolicies>;
  try {
    needs = needsOf(rules);
    policies = policiesOf(needs, options.trustedRoot);
  } catch (error) {
    return failed((error as Error).message, ref.digest);
  }
  const registryNeeded = rules.requirements.some((r) => r.kind !== "digest");
  if (!registryNeeded) {
    return {
      reference,
      ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
      signatures: [],
      attestations: [],
    };
  }

  const client =
    options.registry instanceof RegistryClient
      ? options.registry
      : new RegistryClient(options.registry ?? {});
  let digest: string;
  try {
    digest = await client.resolveDigest(ref);
  } catch (error) {
    if (isRegistryError(error)) return failed(error.message);
    throw error;
  }

  const cache = options.cache;
  const verifiedSignatures = new Set<string>();
  const verifiedAttestations = new Map<string, Map<string, CachedAttestation[]>>();
  let wantSignatures = false;
  const wantTypes = new Set<string>();
  for (const [name, need] of needs) {
    const { context } = policies.get(name) as { context: string };
    if (need.signature) {
      if (cache?.hasSignature(digest, need.attestor, context)) verifiedSignatures.add(name);
      else wantSignatures = true;
    }
    for (const type of need.predicateTypes) {
      const cached = cache?.attestations(digest, need.attestor, context, type);
      if (cached !== undefined) attestationList(verifiedAttestations, name, type).push(...cached);
      else wantTypes.add(type);
    }
  }

  const notes: string[] = [];
  if (wantSignatures || wantTypes.size > 0) {
    let collected: Awaited<ReturnType<typeof collect>>;
    try {
      collected = await collect(client, ref, digest, {
        signatures: wantSignatures,
        predicateTypes: wantTypes,
      });
    } catch (error) {
      if (isRegistryError(error)) return failed(error.message, digest);
      throw error;
    }
    notes.push(...collected.notes);
    try {
      judge(collected.candidates, collected.looked, digest, needs, policies, {
        verifiedSignatures,
        verifiedAttestations,
        wantSignatures,
        wantTypes,
        notes,
        cache,
      });
    } catch (error) {
      if (error instanceof FactsError) return failed(error.message, digest);
      throw error;
    }
  }

  const signatures: VerifiedSignature[] = [];
  const attestations: VerifiedAttestation[] = [];
  for (const attestor of rules.attestors) {
    if (verifiedSignatures.has(attestor.name)) signatures.push({ attestor: attestor.name });
    for (const [predicateType, list] of verifiedAttestations.get(attestor.name) ?? []) {
      for (const item of list) {
        attestations.push({ attestor: attestor.name, predicateType, predicate: item.predicate });
      }
    }
  }
  return {
    reference,
    digest,
    signatures,
    attestations,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

function attestationList(
  map: Map<string, Map<string, CachedAttestation[]>>,
  attestor: string,
  predicateType: string,
): CachedAttestation[] {
  let byType = map.get(attestor);
  if (byType === undefined) {
    byType = new Map();
    map.set(attestor, byType);
  }
  let list = byType.get(predicateType);
  if (list === undefined) {
    list = [];
    byType.set(predicateType, list);
  }
  return list;
}

/** Which attestor is asked for what. */
function needsOf(rules: ImageRules): Map<string, Need> {
  const byName = new Map(rules.attestors.map((a) => [a.name, a]));
  const needs = new Map<string, Need>();
  const need = (name: string, requirement: string): Need => {
    const attestor = byName.get(name);
    if (attestor === undefined) {
      throw new Error(
        `the requirement ${JSON.stringify(requirement)} names the attestor ${JSON.stringify(name)}, which the policy's attestors do not define`,
      );
    }
    let found = needs.get(name);
    if (found === undefined) {
      found = { attestor, signature: false, predicateTypes: new Set() };
      needs.set(name, found);
    }
    return found;
  };
  for (const requirement of rules.requirements) {
    if (requirement.kind === "signature") {
      for (const name of requirement.attestors) need(name, requirement.name).signature = true;
    } else if (requirement.kind === "attestation") {
      for (const name of requirement.attestors)
        need(name, requirement.name).predicateTypes.add(requirement.predicateType);
    }
  }
  return needs;
}

/**
 * What each attestor verifies with: one policy per key (a `keys` attestor: each key its
 * parameter holds; any one verifying counts), or its keyless identity and trusted root.
 */
function policiesOf(needs: Map<string, Need>, defaultRoot: string | undefined) {
  const policies = new Map<string, AttestorPolicies>();
  for (const [name, { attestor }] of needs) {
    if (attestor.kind !== "keyless") {
      const keys = attestorKeys(attestor);
      if (keys.length === 0) {
        throw new Error(
          `the attestor ${JSON.stringify(name)} has no keys: its parameter ${attestor.kind === "keys" ? attestor.param : ""} lists none`,
        );
      }
      try {
        policies.set(name, { policies: keys.map((key) => keyPolicy(key)), context: "" });
      } catch (error) {
        throw new Error(`the attestor ${JSON.stringify(name)}: ${(error as Error).message}`);
      }
      continue;
    }
    const path = attestor.trustedRoot ?? defaultRoot;
    if (path === undefined) {
      throw new Error(
        `the keyless attestor ${JSON.stringify(name)} has no trustedRoot and no default trusted root was given; Charter does not fetch Sigstore's public-good root over the network — pass its trusted_root.json as a file`,
      );
    }
    let trust: BundlePolicy["trust"];
    try {
      trust = rootTrustMaterial(readTrustedRoot(path));
    } catch (error) {
      throw new Error(
        `the trusted root ${path} of the attestor ${JSON.stringify(name)} cannot be used: ${(error as Error).message}`,
      );
    }
    policies.set(name, {
      policies: [
        {
          trust,
          thresholds: DEFAULT_THRESHOLDS,
          identity: { issuer: attestor.issuer, subject: attestor.subject },
        },
      ],
      context: attestor.trustedRoot === undefined ? path : "",
    });
  }
  return policies;
}

/** The first verdict of the attestor's policies that verifies, else the first one's. */
function verifyWithAny(
  bundle: Parameters<typeof verifyBundle>[0],
  subject: Parameters<typeof verifyBundle>[1],
  policies: readonly BundlePolicy[],
): ReturnType<typeof verifyBundle> {
  let first: ReturnType<typeof verifyBundle> | undefined;
  for (const policy of policies) {
    const verdict = verifyBundle(bundle, subject, policy);
    if (verdict.ok) return verdict;
    first ??= verdict;
  }
  return first as ReturnType<typeof verifyBundle>;
}

function describeAttestor(attestor: Attestor): string {
  return `${attestor.kind} ${attestor.name}`;
}

interface JudgeState {
  readonly verifiedSignatures: Set<string>;
  readonly verifiedAttestations: Map<string, Map<string, CachedAttestation[]>>;
  readonly wantSignatures: boolean;
  readonly wantTypes: ReadonlySet<string>;
  readonly notes: string[];
  readonly cache: VerificationCache | undefined;
}

/** Verifies every candidate under every attestor that wants what it may be. */
function judge(
  candidates: readonly Candidate[],
  looked: readonly string[],
  digest: string,
  needs: Map<string, Need>,
  policies: Map<string, AttestorPolicies>,
  state: JudgeState,
): void {
  const where = looked.join(", ");
  for (const [name, need] of needs) {
    const { policies: attestorPolicies, context } = policies.get(name) as AttestorPolicies;
    const who = describeAttestor(need.attestor);
    const wantSignature = need.signature && !state.verifiedSignatures.has(name);
    const wantTypes = new Set([...need.predicateTypes].filter((t) => state.wantTypes.has(t)));
    if (!wantSignature && wantTypes.size === 0) continue;
    const signatureReasons: string[] = [];
    const attestationReasons: string[] = [];
    let signatureCandidates = 0;
    const found = new Map<string, CachedAttestation[]>();

    for (const candidate of candidates) {
      if (candidate.format === "legacy-sig") {
        if (!wantSignature) continue;
        signatureCandidates += 1;
        if (need.attestor.kind === "keyless") {
          signatureReasons.push(
            `${candidate.source}: keyless legacy signatures are not supported (sign with cosign v3's bundle format)`,
          );
          continue;
        }
        const verdict = verifyWithAny(
          candidate.bundle,
          { artifact: candidate.payload },
          attestorPolicies,
        );
        if (!verdict.ok) {
          if (verdict.malformed)
            throw new FactsError(
              `the signature ${candidate.source} is malformed: ${verdict.reason}`,
            );
          signatureReasons.push(`${candidate.source}: ${verdict.reason}`);
        } else if (candidate.signedDigest !== digest) {
          signatureReasons.push(
            `${candidate.source}: it signs ${candidate.signedDigest}, not ${digest}`,
          );
        } else {
          state.verifiedSignatures.add(name);
        }
        continue;
      }
      if (candidate.format === "legacy-att" && need.attestor.kind === "keyless") {
        if (wantTypes.size > 0) {
          attestationReasons.push(
            `${candidate.source}: keyless legacy attestations are not supported (attest with cosign v3's bundle format)`,
          );
        }
        continue;
      }
      // A DSSE bundle: a signature (cosign's sign predicate) or an attestation.
      const verdict = verifyWithAny(candidate.bundle, { digest }, attestorPolicies);
      if (!verdict.ok) {
        if (verdict.malformed)
          throw new FactsError(
            `the ${candidate.format === "bundle" ? "Sigstore bundle" : "attestation"} ${candidate.source} is malformed: ${verdict.reason}`,
          );
        // Not knowing what it is, count it where it may belong.
        if (wantSignature && candidate.format === "bundle") {
          signatureCandidates += 1;
          signatureReasons.push(`${candidate.source}: ${verdict.reason}`);
        }
        if (wantTypes.size > 0) {
          attestationReasons.push(`${candidate.source}: ${verdict.reason}`);
        }
        continue;
      }
      // Any bundle the attestor verifies about the digest is its signature, whatever its
      // predicate type — as `cosign verify` v3 and Kyverno's verifyImageSignatures read bundles
      // (IR README item 18): the attestor signed a statement naming this digest.
      if (wantSignature && candidate.format === "bundle") {
        signatureCandidates += 1;
        state.verifiedSignatures.add(name);
      }
      const type = verdict.statement?.predicateType;
      if (type !== undefined && type !== COSIGN_SIGN_PREDICATE_TYPE && wantTypes.has(type)) {
        const predicate = (verdict.statement?.predicate ?? null) as Json;
        const list = found.get(type) ?? [];
        if (!list.some((item) => JSON.stringify(item.predicate) === JSON.stringify(predicate)))
          list.push({ predicateType: type, predicate });
        found.set(type, list);
      }
    }

    if (wantSignature) {
      if (state.verifiedSignatures.has(name)) {
        state.cache?.addSignature(digest, need.attestor, context);
      } else if (signatureCandidates === 0) {
        state.notes.push(`no signature found for ${who} (looked at ${where})`);
      } else {
        state.notes.push(`signature by ${who} did not verify: ${summarize(signatureReasons)}`);
      }
    }
    for (const type of wantTypes) {
      const list = found.get(type) ?? [];
      if (list.length > 0) {
        attestationList(state.verifiedAttestations, name, type).push(...list);
        state.cache?.addAttestations(digest, need.attestor, context, type, list);
      } else if (attestationReasons.length === 0) {
        state.notes.push(`no attestation of ${type} found for ${who} (looked at ${where})`);
      } else {
        state.notes.push(
          `no attestation of ${type} by ${who} verified: ${summarize(attestationReasons)}`,
        );
      }
    }
  }
}

/** At most 3 reasons, then how many more. */
function summarize(reasons: readonly string[]): string {
  const unique = [...new Set(reasons)];
  const shown = unique.slice(0, 3).join("; ");
  return unique.length > 3 ? `${shown}; and ${unique.length - 3} more` : shown;
}
