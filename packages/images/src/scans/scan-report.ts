/**
 * What reading a scanner's report gives: the scan (the `scan` variable of a `vulnerabilities`
 * requirement, the IR's `ImageScan`) and what the report is about, for `scanForImage` to match
 * it to an image. The readers take parsed JSON/YAML values, never files: reading a file (and
 * naming its line and column when it does not parse) is the caller's, since this package
 * imports only `@charter/ir`.
 *
 * Fail closed: a report that cannot be read as a whole — a finding without an id, a severity
 * that is not one of the five, a list that is not a list — is refused with the reason (the
 * path of the offending field), never read as fewer findings. No report is not a clean report.
 */
import type { ImageScan } from "@charter/ir";
import type { ImageReference } from "../image-reference.js";

/** What a report is about. */
export type ScanIdentity = ImageIdentity | NotImageIdentity;

export interface ImageIdentity {
  readonly kind: "image";
  /**
   * The scanner's name for what it scanned: Trivy's `ArtifactName` (a reference, or the path of
   * an image archive), `<registry.server>/<artifact.repository>[:tag][@digest]` of a
   * VulnerabilityReport.
   */
  readonly name?: string;
  /** Trivy's `ArtifactType` when it says (`container_image`). */
  readonly artifactType?: string;
  /** The tags it is about, each with its repository (`tag` always set). */
  readonly tags: readonly ImageReference[];
  /** The manifest digests it is about, each with its repository (`digest` always set). */
  readonly digests: readonly ImageReference[];
  /**
   * Trivy's `Metadata.ImageID`: the digest of the image's config blob, not of its manifest, so
   * it never equals the digest a registry resolves a tag to and is not matched on.
   */
  readonly imageId?: string;
}

/** A report about a repository, a file system, an SBOM…: never the scan of an image. */
export interface NotImageIdentity {
  readonly kind: "not-image";
  readonly name?: string;
  readonly artifactType?: string;
  readonly reason: string;
}

export interface ScanReport {
  readonly identity: ScanIdentity;
  readonly scan: ImageScan;
}

/**
 * `warnings` are true statements about a report that was read whole but that a reader may want
 * to know (no OS detected, so no OS packages scanned; a timestamp that could not be read, so
 * the scan counts as too old). `reason`: why a report was refused, naming the field.
 */
export type ReadScanReport =
  | { readonly ok: true; readonly report: ScanReport; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string };

export type JsonObject = { readonly [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Thrown inside a reader, caught at its top: the report is refused with `message`. */
export class Refusal extends Error {}

/** A string field that may be absent (or null); an empty string counts as absent. */
export function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new Refusal(`${path} is ${describe(value)}, not a string`);
  return value;
}

export function requiredString(value: unknown, path: string): string {
  const text = optionalString(value, path);
  if (text === undefined) throw new Refusal(`${path} is missing`);
  return text;
}

/** A list that may be absent (or null, as Go writes a nil slice). */
export function optionalList(value: unknown, path: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Refusal(`${path} is ${describe(value)}, not a list`);
  return value;
}

export function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Runs a reader body, turning a `Refusal` into `{ ok: false }`. */
export function refusing(
  what: string,
  read: () => { report: ScanReport; warnings: readonly string[] },
): ReadScanReport {
  try {
    return { ok: true, ...read() };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: `${what}: ${error.message}` };
    throw error;
  }
}
