/**
 * Gives each scanned resource the facts its image rules are judged on (packages/ir README,
 * item 18): for every policy with `images` and every matching image of the resource's pod view,
 * what the registry says (with `--verify-images`) and the scan `--vuln-reports` holds for it.
 * Each (policy, reference) is looked up once per run; a tag is resolved once, so every resource
 * running it is judged on the same digest.
 */
import {
  type ParsedImageReference,
  parseImageReference,
  type ScanReport,
  scanForImage,
} from "@charter/images/offline";
import {
  type ImageFacts,
  type ImageRules,
  imageRulesOf,
  type Json,
  type Policy,
} from "@charter/ir";
import { type ImageContext, podImages, podView, type ScanEvent } from "@charter/runtime/scan";

import { NO_SCANS, REGISTRY_NOT_READ } from "./skip-reasons.js";

/** Reads the registry: what `verifyImage` of @charter/images does. */
export type VerifyImage = (reference: string, rules: ImageRules) => Promise<ImageFacts>;

export interface ImageFactsOptions {
  /** Absent: the registry is not read (no `--verify-images`). */
  readonly verify?: VerifyImage;
  readonly reports: readonly ScanReport[];
  /** The judging instant, ms. */
  readonly now: number;
}

function withScan(
  facts: ImageFacts,
  parsed: ParsedImageReference,
  reports: readonly ScanReport[],
): ImageFacts {
  if (reports.length === 0) return { ...facts, unscanned: NO_SCANS };
  if (!parsed.ok) return facts;
  const scan = scanForImage(parsed.reference, facts.digest, reports);
  return scan ? { ...facts, scan } : facts;
}

/** A resource stream whose resources carry `images` for the policies that have image rules. */
export async function* withImageFacts(
  events: AsyncIterable<ScanEvent>,
  policies: readonly Policy[],
  options: ImageFactsOptions,
): AsyncIterable<ScanEvent> {
  const imagePolicies = policies.filter((policy) => policy.images !== undefined);
  // Read once, before any resource: a key that is not PEM is an error of the project.
  const rulesOf = new Map(imagePolicies.map((policy) => [policy.name, imageRulesOf(policy)]));
  if (imagePolicies.length === 0) {
    yield* events;
    return;
  }
  const cache = new Map<string, Promise<ImageFacts>>();
  const factsOf = (policy: Policy, rules: ImageRules, reference: string): Promise<ImageFacts> => {
    const key = `${policy.name}\u0000${reference}`;
    let facts = cache.get(key);
    if (facts === undefined) {
      const parsed = parseImageReference(reference);
      facts = (async (): Promise<ImageFacts> => {
        if (!parsed.ok)
          return { reference, signatures: [], attestations: [], error: parsed.reason };
        const read: ImageFacts = options.verify
          ? await options.verify(reference, rules)
          : { reference, signatures: [], attestations: [], unverified: REGISTRY_NOT_READ };
        return withScan(read, parsed, options.reports);
      })();
      cache.set(key, facts);
    }
    return facts;
  };
  for await (const event of events) {
    if (event.kind !== "resource") {
      yield event;
      continue;
    }
    const pod = podView(event.resource.object) as Json | undefined;
    const table = new Map<string, Map<string, ImageFacts>>();
    for (const policy of imagePolicies) {
      const rules = rulesOf.get(policy.name) as ImageRules;
      const byReference = new Map<string, ImageFacts>();
      for (const { reference } of podImages(pod, rules.references)) {
        if (!byReference.has(reference))
          byReference.set(reference, await factsOf(policy, rules, reference));
      }
      table.set(policy.name, byReference);
    }
    const images: ImageContext = {
      now: options.now,
      facts: (policy, reference) => table.get(policy)?.get(reference),
    };
    yield { ...event, resource: { ...event.resource, images } };
  }
}
