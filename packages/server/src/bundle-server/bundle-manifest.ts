/**
 * Reads a bundle's `.manifest` revision from the gzipped tarball, for /health and /metrics,
 * through the one tar reader (@charter/compiler readTarGz): a hostile header (a negative size,
 * a duplicate entry) makes the revision unknown instead of hanging or misleading the server.
 */
import { readTarGz } from "@charter/compiler";

/** A bundle larger than this unpacked is served but its revision is not shown. */
const MAX_UNPACKED = 512 * 1024 * 1024;

/**
 * The `revision` in the bundle's `.manifest`, or undefined when there is none or it is
 * unreadable. At most `maxUnpacked` bytes are unpacked to find it.
 */
export function bundleRevision(
  gzipped: Uint8Array,
  maxUnpacked = MAX_UNPACKED,
): string | undefined {
  try {
    const manifest = readTarGz(gzipped, "the bundle", {
      maxTotalBytes: Math.min(maxUnpacked, MAX_UNPACKED),
    }).get(".manifest");
    if (manifest === undefined) return undefined;
    const parsed: unknown = JSON.parse(Buffer.from(manifest).toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const revision = (parsed as Record<string, unknown>).revision;
    return typeof revision === "string" ? revision : undefined;
  } catch {
    return undefined;
  }
}
