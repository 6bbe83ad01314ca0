/**
 * The facts image rules are judged on at admission (packages/ir README, item 18): for every
 * applying policy with `images`, each matching image of the pod view is read from its registry
 * with `verifyImage` (@charter/images) — one RegistryClient for the process (its tokens are
 * reused) and one VerificationCache (what verified, per digest and attestor, for a TTL: the
 * "digest cache"; never a tag's digest, never a failure) — and, for a `vulnerabilities`
 * requirement, matched with its scan among the namespace's VulnerabilityReports (scan-reports.ts).
 *
 * Fail closed. The registry reads of one review share one deadline, below the API server's
 * timeout for the webhook: an image whose read has not finished by then is an `error` fact
 * naming the deadline, and so is one whose read threw — an error row, which denies a `deny`
 * policy's request with the reason. No registry configured at all is an error fact too.
 */
import {
  parseImageReference,
  RegistryClient,
  type ScanReport,
  scanForImage,
  VerificationCache,
  verifyImage,
} from "@charter/images";
import {
  type ImageFacts,
  type ImageRules,
  imageRulesOf,
  type Json,
  type Policy,
} from "@charter/ir";
import { type ImageContext, podImages } from "@charter/runtime";

/** What the judge reads images with: one registry client and cache for the whole process. */
export interface AdmissionImages {
  /** The facts of one image for one policy's image rules (`verifyImage`). */
  verify(reference: string, rules: ImageRules): Promise<ImageFacts>;
  /** Every registry read of a review must be done within this (ms). */
  readonly deadlineMs: number;
}

/**
 * 7 s: under the webhook's default admission timeout (10 s, `--webhook-timeout`), leaving the
 * rest of the review and the network its share.
 */
export const DEFAULT_IMAGE_DEADLINE_MS = 7_000;

export interface RegistryImagesOptions {
  /** The Docker config file with `auths` (default `$DOCKER_CONFIG/config.json`, `~/.docker/config.json`). */
  readonly dockerConfig?: string;
  /** Registries (host[:port]) read over plain HTTP besides loopback ones. */
  readonly insecureRegistries?: readonly string[];
  /** The `trusted_root.json` keyless attestors without their own use. */
  readonly trustedRoot?: string;
  readonly deadlineMs?: number;
  /** How long what verified is kept (default 5 minutes). */
  readonly cacheTtlMs?: number;
}

/** The registry as `charter webhook` reads it: one client, one verification cache. */
export function registryImages(options: RegistryImagesOptions = {}): AdmissionImages {
  const deadlineMs = options.deadlineMs ?? DEFAULT_IMAGE_DEADLINE_MS;
  const registry = new RegistryClient({
    // No single request may outlive the review's deadline (a read cut by it stops soon after).
    timeoutMs: deadlineMs,
    ...(options.dockerConfig !== undefined ? { dockerConfig: options.dockerConfig } : {}),
    ...(options.insecureRegistries?.length
      ? { insecureRegistries: options.insecureRegistries }
      : {}),
  });
  const cache = new VerificationCache(
    options.cacheTtlMs !== undefined ? { ttlMs: options.cacheTtlMs } : {},
  );
  return {
    deadlineMs,
    verify: (reference, rules) =>
      verifyImage(reference, rules, {
        registry,
        cache,
        ...(options.trustedRoot !== undefined ? { trustedRoot: options.trustedRoot } : {}),
      }),
  };
}

/** The facts of a review: the ImageContext the engine reads, and each (policy, reference)'s. */
export interface ReviewImageFacts {
  readonly context: ImageContext;
  /** `policy → reference → facts`, for the decision log. */
  readonly table: ReadonlyMap<string, ReadonlyMap<string, ImageFacts>>;
}

function errorFacts(reference: string, error: string): ImageFacts {
  return { reference, signatures: [], attestations: [], error };
}

export const NO_REGISTRY =
  "the webhook reads no registry (it was started without image verification)";

/** Each policy's image rules with their keys read (`imageRulesOf`), once per policy, not per review. */
const resolved = new WeakMap<Policy, ImageRules | undefined>();
function rulesOf(policy: Policy): ImageRules | undefined {
  if (!resolved.has(policy)) resolved.set(policy, imageRulesOf(policy));
  return resolved.get(policy);
}

/**
 * Reads the facts of every matching image of `pod` for each of `policies` (those with
 * `images`), within one deadline. `scans`: the namespace's reports, for policies that read
 * scans (undefined when none does).
 */
export async function imageFactsFor(
  policies: readonly Policy[],
  pod: Json | undefined,
  scans: readonly ScanReport[] | undefined,
  images: AdmissionImages | undefined,
  now: number,
): Promise<ReviewImageFacts> {
  let timer: NodeJS.Timeout | undefined;
  const deadline =
    images === undefined
      ? undefined
      : new Promise<"deadline">((resolve) => {
          timer = setTimeout(() => resolve("deadline"), images.deadlineMs);
        });
  const read = async (reference: string, rules: ImageRules): Promise<ImageFacts> => {
    if (images === undefined || deadline === undefined) return errorFacts(reference, NO_REGISTRY);
    const verified = images
      .verify(reference, rules)
      .catch(
        (error: unknown): ImageFacts =>
          errorFacts(
            reference,
            `reading the registry failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    const first = await Promise.race([verified, deadline]);
    return first === "deadline"
      ? errorFacts(
          reference,
          `the registry did not answer within the webhook's image deadline (${images.deadlineMs} ms)`,
        )
      : first;
  };
  try {
    const reads: Promise<[string, string, ImageFacts]>[] = [];
    for (const policy of policies) {
      const rules = rulesOf(policy);
      if (rules === undefined) continue;
      const references = new Set(podImages(pod, rules.references).map((i) => i.reference));
      for (const reference of references) {
        reads.push(
          read(reference, rules).then((facts) => [
            policy.name,
            reference,
            scans === undefined ? facts : withScan(facts, scans),
          ]),
        );
      }
    }
    const table = new Map<string, Map<string, ImageFacts>>();
    for (const [policy, reference, facts] of await Promise.all(reads)) {
      const byReference = table.get(policy) ?? new Map<string, ImageFacts>();
      table.set(policy, byReference.set(reference, facts));
    }
    return {
      table,
      context: { now, facts: (policy, reference) => table.get(policy)?.get(reference) },
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The image's scan among `scans` (by its resolved digest, else its tag), when there is one. */
function withScan(facts: ImageFacts, scans: readonly ScanReport[]): ImageFacts {
  const parsed = parseImageReference(facts.reference);
  if (!parsed.ok) return facts;
  const scan = scanForImage(parsed.reference, facts.digest, scans);
  return scan === undefined ? facts : { ...facts, scan };
}
