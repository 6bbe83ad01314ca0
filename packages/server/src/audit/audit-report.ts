/**
 * The audit report: what `charter audit --format json` prints, field for field (docs/cli.md
 * documents it; `reportVersion` changes on any incompatible change). Instants are RFC 3339 UTC
 * strings; lists are sorted so that the same logs give the same report.
 */
import type { SeverityCounts } from "./logged-image.js";

export const AUDIT_REPORT_VERSION = 1;

export interface Counts {
  /** Decisions of `charter/violations` (each judges one object against every policy). */
  readonly decisions: number;
  /** Decisions whose result held at least one violation. */
  readonly violatingDecisions: number;
  /** Violations: entries of the results (one per policy, rule and witness). */
  readonly violations: number;
}

export interface PolicyAudit {
  readonly policy: string;
  /** From the project's policies; null when no loaded policy has this name. */
  readonly title: string | null;
  /** From the project's policies, else from the logged violations; null when neither says. */
  readonly severity: string | null;
  /** Control tags; null when unknown (no loaded policy has this name). */
  readonly controls: readonly string[] | null;
  readonly violatingDecisions: number;
  readonly violations: number;
  /** Violations per enforcement: deny, warn, audit. */
  readonly byEnforcement: Readonly<Record<string, number>>;
  readonly rules: readonly { readonly rule: string; readonly violations: number }[];
}

export interface AuditReport {
  readonly reportVersion: typeof AUDIT_REPORT_VERSION;
  readonly generator: string;
  /** The folder read, as given. */
  readonly logs: string;
  readonly filters: {
    readonly since: string | null;
    readonly until: string | null;
    readonly window: string;
    readonly select: string | null;
  };
  /** The earliest and latest event counted; null when none. */
  readonly range: { readonly first: string | null; readonly last: string | null };
  readonly files: readonly string[];
  readonly totals: Counts & {
    /** Lines that held an event, before the time filter. */
    readonly events: number;
    readonly otherQueries: number;
    readonly errored: number;
    readonly corruptLines: number;
    /** Events left out by --since/--until. */
    readonly outsideRange: number;
    /** Events with neither `timestamp` nor `received_at`: counted, but in no window. */
    readonly untimed: number;
  };
  readonly byEnforcement: Readonly<Record<string, number>>;
  readonly policies: readonly PolicyAudit[];
  readonly namespaces: readonly (Counts & { readonly namespace: string })[];
  readonly controls: readonly {
    readonly control: string;
    readonly policies: readonly string[];
    readonly violatingDecisions: number;
    readonly violations: number;
  }[];
  /** Every window from the first event's to the last's (capped), empty ones included. */
  readonly windows: readonly (Counts & { readonly start: string; readonly end: string })[];
  readonly bundles: readonly {
    readonly bundle: string;
    readonly revision: string;
    readonly decisions: number;
    readonly first: string | null;
    readonly last: string | null;
  }[];
  readonly otherQueries: readonly { readonly path: string; readonly decisions: number }[];
  readonly errors: {
    readonly count: number;
    /** The first ones (up to 100). */
    readonly shown: readonly {
      readonly file: string;
      readonly line: number;
      readonly decisionId: string | null;
      readonly timestamp: string | null;
      readonly path: string;
      readonly message: string;
    }[];
  };
  readonly corruptLines: {
    readonly count: number;
    readonly shown: readonly {
      readonly file: string;
      readonly line: number;
      readonly reason: string;
    }[];
  };
  /**
   * Images and vulnerabilities; absent when no judged decision named an image (so a report of
   * logs without images is what it was before images were counted).
   */
  readonly images?: ImagesReport;
}

/** Distinct images of a namespace (or of all of them) over a time span. */
export interface ImageCounts {
  /** Distinct images (by digest when known, else canonical reference). */
  readonly images: number;
  /** Of them, those with a scan (only Charter's webhook logs scans). */
  readonly scanned: number;
  /** Scanned images with at least one CRITICAL finding. */
  readonly withCritical: number;
  /** Scanned images whose scan says which findings have a fix (`fixable` sums only these). */
  readonly withFixable: number;
  /** Findings by severity, each image at its newest scan in the span. */
  readonly vulnerabilities: SeverityCounts;
  readonly fixable: SeverityCounts;
}

export interface TrendOf {
  readonly first: number;
  readonly last: number;
  readonly direction: "up" | "down" | "flat";
}

/** The first window with a scanned image against the last one. */
export interface ImageTrend {
  /** Start of the first and of the last window with a scanned image. */
  readonly from: string;
  readonly to: string;
  readonly vulnerabilities: { readonly [S in keyof SeverityCounts]: TrendOf };
  readonly withCritical: TrendOf;
}

export interface ImageSection {
  /** The whole range (untimed events included). */
  readonly total: ImageCounts;
  /** Windows (`--window`) in which images were seen, chronological. */
  readonly windows: readonly (ImageCounts & { readonly start: string; readonly end: string })[];
  /** Null when fewer than two windows have a scanned image. */
  readonly trend: ImageTrend | null;
}

export interface ImagesReport {
  /** Judged decisions that named at least one image, by where it was read. */
  readonly decisions: {
    /** From the event's `images` (Charter's webhook). */
    readonly logged: number;
    /** From the logged input's pod view (OPA; no digest, no scan). */
    readonly input: number;
  };
  /** Every namespace together: an image in two namespaces counts once. */
  readonly all: ImageSection;
  /** Most CRITICAL findings first (whole range), then most images, then by name. */
  readonly namespaces: readonly (ImageSection & { readonly namespace: string })[];
  /** Entries of `images` that are not LoggedImages: not counted, listed (first 100). */
  readonly malformed: {
    readonly count: number;
    readonly shown: readonly {
      readonly file: string;
      readonly line: number;
      readonly decisionId: string | null;
      readonly timestamp: string | null;
      /** The entry's index; null when `images` itself is not a list. */
      readonly index: number | null;
      readonly message: string;
    }[];
  };
}

/** The control key for violations of a policy no loaded policy describes. */
export const UNKNOWN_CONTROL = "(unknown)";
