/**
 * The `images` of a decision event (audit/logged-image.ts): one entry per container image of the
 * pod view the webhook judged — every container, init and ephemeral container, in that order —
 * with the digest its registry read resolved (or the digest the reference pins), and the
 * findings of the scan it was judged on, by severity and with a fix. Written only for requests
 * some image policy judged.
 */
import { parseImageReference, type ScanReport, scanForImage } from "@charter/images";
import { type ImageFacts, type ImageScan, type Json, pinnedDigest } from "@charter/ir";
import { podImages } from "@charter/runtime";
import type { LoggedImage, SeverityCounts } from "../audit/logged-image.js";

type Counts = { CRITICAL: number; HIGH: number; MEDIUM: number; LOW: number; UNKNOWN: number };

function zero(): Counts {
  return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
}

function counted(scan: ImageScan): { all: SeverityCounts; fixable: SeverityCounts } {
  const all = zero();
  const fixable = zero();
  for (const finding of scan.vulnerabilities) {
    const severity = (finding.severity in all ? finding.severity : "UNKNOWN") as keyof Counts;
    all[severity]++;
    if (finding.fixedVersion) fixable[severity]++;
  }
  return { all, fixable };
}

/**
 * `facts`: what the review's image policies read (policy → reference → facts); `scans`: the
 * namespace's reports when a policy read them, so an image no policy verified still shows its scan.
 */
export function loggedImages(
  pod: Json | undefined,
  facts: ReadonlyMap<string, ReadonlyMap<string, ImageFacts>>,
  scans: readonly ScanReport[] | undefined,
): LoggedImage[] {
  const known = new Map<string, ImageFacts[]>();
  for (const byReference of facts.values()) {
    for (const [reference, fact] of byReference) {
      known.set(reference, [...(known.get(reference) ?? []), fact]);
    }
  }
  return podImages(pod, []).map(({ container, reference }) => {
    const read = known.get(reference) ?? [];
    const digest = read.find((f) => f.digest !== undefined)?.digest ?? pinnedDigest(reference);
    let scan = read.find((f) => f.scan !== undefined)?.scan;
    if (scan === undefined && scans !== undefined && scans.length > 0) {
      const parsed = parseImageReference(reference);
      if (parsed.ok) scan = scanForImage(parsed.reference, digest, scans);
    }
    const counts = scan === undefined ? undefined : counted(scan);
    return {
      container,
      reference,
      ...(digest !== undefined ? { digest } : {}),
      ...(scan !== undefined && counts !== undefined
        ? {
            vulnerabilities: counts.all,
            fixable: counts.fixable,
            ...(scan.finishedAt !== undefined ? { scannedAt: scan.finishedAt } : {}),
            scanSource: scan.source,
          }
        : {}),
    };
  });
}
