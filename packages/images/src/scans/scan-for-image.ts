/**
 * Which scan is an image's: the `scan` of the IR's `vulnerabilities` requirement (README item
 * 18), written here as the rule every engine follows.
 *
 * Given the image's reference and the digest it resolved to (the reference's own pinned digest
 * when none is given), among the reports about an image (never one about a repository, a file
 * system or an SBOM):
 *
 * 1. **By digest.** The reports that name the image's digest in the image's repository (Trivy's
 *    `RepoDigests`, a VulnerabilityReport's `artifact.digest`, a name that pins it).
 * 2. **Else by tag**, only when there are none: the reports that name the image's tag in its
 *    repository (Trivy's `ArtifactName`, `Metadata.Reference`, `RepoTags`; a
 *    VulnerabilityReport's `artifact.tag`) — except, when the image's digest is known, a report
 *    that names other digests of that repository and not this one: it scanned what the tag
 *    pointed at then, which is not this image (a tag moved after scanning is unscanned, as a tag
 *    moved after signing is unsigned). A reference that pins only a digest has no tag to match.
 * 3. **The newest** of them by `finishedAt` (compared as instants, to the nanosecond); a report
 *    with no readable `finishedAt` is older than any that has one; of reports equally new, the one
 *    with the most findings (failing closed), then the earlier in `reports` order.
 *
 * Repositories compare canonically (registry and path, `parseImageReference`): `nginx:1.27`,
 * `docker.io/library/nginx:1.27` and `index.docker.io/library/nginx:1.27` are one image, and a
 * report about another repository never counts, whatever its digest. Trivy's `ImageID` (the
 * config digest) is never matched. No report found is `undefined`: the requirement then fails
 * (no report is not a clean report).
 */
import { type ImageScan, instantNanos } from "@charter/ir";
import { type ImageReference, sameRepository } from "../image-reference.js";
import type { ImageIdentity, ScanReport } from "./scan-report.js";

export function scanForImage(
  image: ImageReference,
  digest: string | undefined,
  reports: readonly ScanReport[],
): ImageScan | undefined {
  const resolved = digest ?? image.digest;
  const about: { identity: ImageIdentity; scan: ImageScan }[] = [];
  for (const report of reports) {
    if (report.identity.kind === "image")
      about.push({ identity: report.identity, scan: report.scan });
  }
  const byDigest =
    resolved === undefined
      ? []
      : about.filter(({ identity }) =>
          identity.digests.some((d) => sameRepository(d, image) && d.digest === resolved),
        );
  if (byDigest.length > 0) return newest(byDigest);
  if (image.tag === undefined) return undefined;
  const byTag = about.filter(
    ({ identity }) =>
      identity.tags.some((t) => sameRepository(t, image) && t.tag === image.tag) &&
      !(resolved !== undefined && identity.digests.some((d) => sameRepository(d, image))),
  );
  return newest(byTag);
}

function newest(candidates: readonly { scan: ImageScan }[]): ImageScan | undefined {
  let best: { scan: ImageScan; at: bigint | undefined } | undefined;
  for (const { scan } of candidates) {
    const at = instantNanos(scan.finishedAt);
    const newer = at !== undefined && (best?.at === undefined || at > best.at);
    const asNew = best !== undefined && at === best.at;
    if (
      best === undefined ||
      (newer && !asNew) ||
      (asNew && scan.vulnerabilities.length > best.scan.vulnerabilities.length)
    ) {
      best = { scan, at };
    }
  }
  return best?.scan;
}
