/**
 * The images of one judged decision, for the image and vulnerability trends of `charter audit`.
 *
 * - An event with an `images` field (Charter's webhook writes one, `LoggedImage[]`) is read from
 *   it, each entry checked: an entry that is not a LoggedImage is reported as malformed (with its
 *   index and what is wrong) and not counted, never dropped in silence.
 * - An event without one (OPA's decision logs, an older webhook) is read from its input: the
 *   judged object (itself, or `request.object` of an AdmissionReview), its pod view (a Pod, or a
 *   pod controller's template), the images of its containers, initContainers and
 *   ephemeralContainers. Such images have no digest and no scan: OPA's events hold what was
 *   asked, not what the registry or a scanner said about it.
 *
 * Each image gets a key that makes two sightings the same image: its digest when one is known
 * (the resolved `digest`, else one the reference pins), else its canonical reference
 * (`nginx:1.27` is `docker.io/library/nginx:1.27`), else — a reference that does not parse —
 * the reference as written.
 */
import { canonicalReference, instantNanos, parseImageReference } from "@charter/images";
import type { Json } from "@charter/ir";
import { podImages, podView } from "@charter/runtime";
import { judgedObject } from "./decision-event.js";
import type { SeverityCounts } from "./logged-image.js";

export const SEVERITY_NAMES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"] as const;

export interface ImageScan {
  readonly vulnerabilities: SeverityCounts;
  /** Absent when the scan did not say which findings have a fix. */
  readonly fixable?: SeverityCounts;
  /** `scannedAt` in nanoseconds since the epoch; absent when not logged. */
  readonly scannedAt?: bigint;
}

export interface SeenImage {
  /** The same key, the same image: `digest sha256:…`, `ref docker.io/…:tag` or `raw <as written>`. */
  readonly key: string;
  /** The canonical reference without its digest, when it names a tag: how a digest-less sighting of the same image is recognised. */
  readonly tagReference?: string;
  readonly hasDigest: boolean;
  readonly scan?: ImageScan;
}

export interface MalformedImage {
  /** The entry's index in `images`; null when `images` itself is not a list. */
  readonly index: number | null;
  readonly message: string;
}

export interface EventImages {
  /** `logged`: the event's `images` field; `input`: the logged input's pod view. */
  readonly source: "logged" | "input";
  readonly images: readonly SeenImage[];
  readonly malformed: readonly MalformedImage[];
}

type JsonRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An OCI digest: `algorithm:encoded` (image-spec descriptor.md). */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function eventImages(event: JsonRecord): EventImages {
  if (Object.hasOwn(event, "images") && event.images !== undefined) {
    return readLogged(event.images);
  }
  const { object } = judgedObject(event.input);
  const view = podView(object as Json);
  const images = podImages(view as Json | undefined, []).map((image) =>
    seen(image.reference, undefined, undefined),
  );
  return { source: "input", images, malformed: [] };
}

function seen(
  reference: string,
  digest: string | undefined,
  scan: ImageScan | undefined,
): SeenImage {
  const parsed = parseImageReference(reference);
  const base = parsed.ok ? parsed.reference : undefined;
  const tagReference =
    base?.tag !== undefined
      ? canonicalReference({
          written: base.written,
          registry: base.registry,
          repository: base.repository,
          tag: base.tag,
        })
      : undefined;
  const pinned = digest ?? base?.digest;
  const key =
    pinned !== undefined
      ? `digest ${pinned}`
      : base
        ? `ref ${canonicalReference(base)}`
        : `raw ${reference}`;
  return {
    key,
    ...(tagReference !== undefined ? { tagReference } : {}),
    hasDigest: pinned !== undefined,
    ...(scan ? { scan } : {}),
  };
}

function readLogged(images: unknown): EventImages {
  if (!Array.isArray(images)) {
    return {
      source: "logged",
      images: [],
      malformed: [{ index: null, message: "`images` is not a list of images" }],
    };
  }
  const read: SeenImage[] = [];
  const malformed: MalformedImage[] = [];
  images.forEach((entry: unknown, index) => {
    const problem = checkEntry(entry);
    if (problem !== undefined) {
      malformed.push({ index, message: `images[${index}]: ${problem}` });
      return;
    }
    const image = entry as JsonRecord;
    const vulnerabilities = image.vulnerabilities as SeverityCounts | undefined;
    const scannedAt = instantNanos(image.scannedAt);
    const scan: ImageScan | undefined = vulnerabilities
      ? {
          vulnerabilities,
          ...(image.fixable !== undefined ? { fixable: image.fixable as SeverityCounts } : {}),
          ...(scannedAt !== undefined ? { scannedAt } : {}),
        }
      : undefined;
    read.push(seen(image.reference as string, image.digest as string | undefined, scan));
  });
  return { source: "logged", images: read, malformed };
}

/** What is wrong with a logged image entry; undefined when it is a LoggedImage. */
function checkEntry(entry: unknown): string | undefined {
  if (!isRecord(entry)) return "not an object";
  if (typeof entry.container !== "string") return "`container` is not a string";
  if (typeof entry.reference !== "string" || entry.reference === "") {
    return "`reference` is not a non-empty string";
  }
  if (entry.digest !== undefined) {
    if (typeof entry.digest !== "string" || !DIGEST.test(entry.digest)) {
      return "`digest` is not a digest (algorithm:hex)";
    }
    const parsed = parseImageReference(entry.reference);
    const pinned = parsed.ok ? parsed.reference.digest : undefined;
    if (pinned !== undefined && pinned !== entry.digest) {
      return `\`digest\` ${entry.digest} is not the digest ${pinned} the reference pins`;
    }
  }
  if (entry.vulnerabilities !== undefined) {
    const problem = checkCounts(entry.vulnerabilities, "vulnerabilities");
    if (problem) return problem;
  }
  if (entry.fixable !== undefined) {
    if (entry.vulnerabilities === undefined) return "`fixable` without `vulnerabilities`";
    const problem = checkCounts(entry.fixable, "fixable");
    if (problem) return problem;
    const all = entry.vulnerabilities as SeverityCounts;
    const fixable = entry.fixable as SeverityCounts;
    const over = SEVERITY_NAMES.find((s) => fixable[s] > all[s]);
    if (over) return `\`fixable.${over}\` is more than \`vulnerabilities.${over}\``;
  }
  if (entry.scannedAt !== undefined && instantNanos(entry.scannedAt) === undefined) {
    return "`scannedAt` is not an RFC 3339 instant";
  }
  if (entry.scanSource !== undefined && typeof entry.scanSource !== "string") {
    return "`scanSource` is not a string";
  }
  return undefined;
}

function checkCounts(value: unknown, field: string): string | undefined {
  if (!isRecord(value)) return `\`${field}\` is not an object of counts by severity`;
  for (const severity of SEVERITY_NAMES) {
    const count = value[severity];
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) {
      return `\`${field}.${severity}\` is not a whole number ≥ 0`;
    }
  }
  const extra = Object.keys(value).find((k) => !(SEVERITY_NAMES as readonly string[]).includes(k));
  if (extra !== undefined) {
    return `\`${field}\` has ${JSON.stringify(extra)}, not a severity (${SEVERITY_NAMES.join(", ")})`;
  }
  return undefined;
}
