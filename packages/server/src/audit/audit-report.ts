/**
 * The audit report: what `charter audit --format json` prints, field for field (docs/cli.md
 * documents it; `reportVersion` changes on any incompatible change). Instants are RFC 3339 UTC
 * strings; lists are sorted so that the same logs give the same report.
 */
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
}

/** The control key for violations of a policy no loaded policy describes. */
export const UNKNOWN_CONTROL = "(unknown)";
