/**
 * Distinct images and their findings per namespace and per window, as decisions stream by.
 * Memory grows with the distinct images of each namespace and window, not with events: a
 * re-deployed image is the same entry, and only its newest scan is kept.
 */
import type {
  ImageCounts,
  ImageSection,
  ImagesReport,
  ImageTrend,
  TrendOf,
} from "./audit-report.js";
import { type ImageScan, SEVERITY_NAMES, type SeenImage } from "./event-images.js";
import type { SeverityCounts } from "./logged-image.js";
import { iso, windowStart } from "./time.js";

/** Every namespace together, under a key no namespace can have. */
const ALL = "\u0000all";

interface ImageState {
  readonly tagReference?: string;
  readonly hasDigest: boolean;
  /** The latest event that saw it (-Infinity for untimed events). */
  lastSeen: number;
  scan?: ImageScan;
  /** The event time of `scan`'s sighting, to order scans that logged no scannedAt. */
  scanSeen: number;
}

/** Whether scan `a` (seen at `aSeen`) is newer than `b`: by scannedAt, then by event time. */
function newer(a: ImageScan, aSeen: number, b: ImageScan | undefined, bSeen: number): boolean {
  if (b === undefined) return true;
  if (a.scannedAt !== undefined && b.scannedAt !== undefined && a.scannedAt !== b.scannedAt) {
    return a.scannedAt > b.scannedAt;
  }
  if ((a.scannedAt === undefined) !== (b.scannedAt === undefined)) {
    return a.scannedAt !== undefined;
  }
  return aSeen >= bSeen;
}

const zero = (): { -readonly [S in keyof SeverityCounts]: number } => ({
  CRITICAL: 0,
  HIGH: 0,
  MEDIUM: 0,
  LOW: 0,
  UNKNOWN: 0,
});

class ImageBucket {
  readonly #images = new Map<string, ImageState>();

  add(image: SeenImage, seenAt: number): void {
    let state = this.#images.get(image.key);
    if (!state) {
      state = {
        ...(image.tagReference !== undefined ? { tagReference: image.tagReference } : {}),
        hasDigest: image.hasDigest,
        lastSeen: seenAt,
        scanSeen: Number.NEGATIVE_INFINITY,
      };
      this.#images.set(image.key, state);
    }
    state.lastSeen = Math.max(state.lastSeen, seenAt);
    if (image.scan && newer(image.scan, seenAt, state.scan, state.scanSeen)) {
      state.scan = image.scan;
      state.scanSeen = seenAt;
    }
  }

  /**
   * The counts, once sightings without a digest are merged into a sighting of the same tag with
   * one (the webhook resolved it there, or OPA and the webhook logged the same deployment): into
   * the digest last seen under that tag, whose scan is then the newer of the two.
   */
  counts(): ImageCounts {
    const byTag = new Map<string, ImageState>();
    for (const state of this.#images.values()) {
      if (!state.hasDigest || state.tagReference === undefined) continue;
      const known = byTag.get(state.tagReference);
      if (!known || state.lastSeen > known.lastSeen) byTag.set(state.tagReference, state);
    }
    const scans = new Map<ImageState, { scan?: ImageScan; seen: number }>();
    for (const state of this.#images.values()) {
      const into =
        !state.hasDigest && state.tagReference !== undefined
          ? byTag.get(state.tagReference)
          : undefined;
      const target = into ?? state;
      const current = scans.get(target) ?? { ...pick(target), seen: target.scanSeen };
      if (state.scan && newer(state.scan, state.scanSeen, current.scan, current.seen)) {
        scans.set(target, { scan: state.scan, seen: state.scanSeen });
      } else {
        scans.set(target, current);
      }
    }
    const vulnerabilities = zero();
    const fixable = zero();
    let scanned = 0;
    let withCritical = 0;
    let withFixable = 0;
    for (const { scan } of scans.values()) {
      if (!scan) continue;
      scanned++;
      if (scan.vulnerabilities.CRITICAL > 0) withCritical++;
      if (scan.fixable) withFixable++;
      for (const severity of SEVERITY_NAMES) {
        vulnerabilities[severity] += scan.vulnerabilities[severity];
        fixable[severity] += scan.fixable?.[severity] ?? 0;
      }
    }
    return { images: scans.size, scanned, withCritical, withFixable, vulnerabilities, fixable };
  }
}

const pick = (state: ImageState): { scan?: ImageScan } => (state.scan ? { scan: state.scan } : {});

class NamespaceImages {
  readonly total = new ImageBucket();
  readonly windows = new Map<number, ImageBucket>();
}

const trendOf = (first: number, last: number): TrendOf => ({
  first,
  last,
  direction: last > first ? "up" : last < first ? "down" : "flat",
});

export class ImageTally {
  readonly #windowMs: number;
  readonly #namespaces = new Map<string, NamespaceImages>();
  readonly #decisions = { logged: 0, input: 0 };

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** The images of one judged decision; `instant` NaN for an untimed event (no window). */
  add(
    namespace: string,
    source: "logged" | "input",
    images: readonly SeenImage[],
    instant: number,
  ): void {
    if (images.length === 0) return;
    this.#decisions[source]++;
    const seenAt = Number.isNaN(instant) ? Number.NEGATIVE_INFINITY : instant;
    const window = Number.isNaN(instant) ? undefined : windowStart(instant, this.#windowMs);
    for (const key of [namespace, ALL]) {
      let tally = this.#namespaces.get(key);
      if (!tally) {
        tally = new NamespaceImages();
        this.#namespaces.set(key, tally);
      }
      let bucket: ImageBucket | undefined;
      if (window !== undefined) {
        bucket = tally.windows.get(window);
        if (!bucket) {
          bucket = new ImageBucket();
          tally.windows.set(window, bucket);
        }
      }
      for (const image of images) {
        tally.total.add(image, seenAt);
        bucket?.add(image, seenAt);
      }
    }
  }

  get seen(): boolean {
    return this.#namespaces.size > 0;
  }

  report(malformed: ImagesReport["malformed"]): ImagesReport {
    const all = this.#namespaces.get(ALL);
    const namespaces = [...this.#namespaces]
      .filter(([key]) => key !== ALL)
      .map(([namespace, tally]) => ({ namespace, ...this.#section(tally) }))
      .sort(
        (a, b) =>
          b.total.vulnerabilities.CRITICAL - a.total.vulnerabilities.CRITICAL ||
          b.total.images - a.total.images ||
          a.namespace.localeCompare(b.namespace),
      );
    return {
      decisions: { ...this.#decisions },
      all: this.#section(all ?? new NamespaceImages()),
      namespaces,
      malformed,
    };
  }

  #section(tally: NamespaceImages): ImageSection {
    const windows = [...tally.windows]
      .sort(([a], [b]) => a - b)
      .map(([start, bucket]) => ({
        start: iso(start),
        end: iso(start + this.#windowMs),
        ...bucket.counts(),
      }));
    const scanned = windows.filter((w) => w.scanned > 0);
    const first = scanned[0];
    const last = scanned.at(-1);
    const trend: ImageTrend | null =
      first && last && first !== last
        ? {
            from: first.start,
            to: last.start,
            vulnerabilities: {
              CRITICAL: trendOf(first.vulnerabilities.CRITICAL, last.vulnerabilities.CRITICAL),
              HIGH: trendOf(first.vulnerabilities.HIGH, last.vulnerabilities.HIGH),
              MEDIUM: trendOf(first.vulnerabilities.MEDIUM, last.vulnerabilities.MEDIUM),
              LOW: trendOf(first.vulnerabilities.LOW, last.vulnerabilities.LOW),
              UNKNOWN: trendOf(first.vulnerabilities.UNKNOWN, last.vulnerabilities.UNKNOWN),
            },
            withCritical: trendOf(first.withCritical, last.withCritical),
          }
        : null;
    return { total: tally.total.counts(), windows, trend };
  }
}
