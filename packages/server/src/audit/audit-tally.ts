/**
 * Counts decisions as they stream by, in memory proportional to the number of policies,
 * namespaces, windows and revisions, never to the number of events.
 */
import type { Policy } from "@charter/ir";
import {
  AUDIT_REPORT_VERSION,
  type AuditReport,
  type Counts,
  type PolicyAudit,
  UNKNOWN_CONTROL,
} from "./audit-report.js";
import { type LoggedViolation, readDecision } from "./decision-event.js";
import { eventImages } from "./event-images.js";
import { ImageTally } from "./image-tally.js";
import type { LogLine } from "./read-logs.js";
import { eventInstant, iso, windowStart } from "./time.js";

export interface TallyOptions {
  /** The project's policies: titles, severities and controls of the logged policy names. */
  readonly policies: readonly Policy[];
  /** Count only these policies' violations (`--select`); all when undefined. */
  readonly onlyPolicies?: ReadonlySet<string>;
  readonly since?: number;
  readonly until?: number;
  readonly windowMs: number;
}

/** Errors and corrupt lines listed in full; the rest are counted. */
const SHOWN = 100;
/** More windows than this and only the ones with decisions are listed. */
const MAX_FILLED_WINDOWS = 1000;

class Counter implements Counts {
  decisions = 0;
  violatingDecisions = 0;
  violations = 0;
  add(violations: number): void {
    this.decisions++;
    if (violations > 0) this.violatingDecisions++;
    this.violations += violations;
  }
}

interface PolicyTally {
  violatingDecisions: number;
  violations: number;
  severity?: string;
  readonly byEnforcement: Map<string, number>;
  readonly rules: Map<string, number>;
}

const bump = (map: Map<string, number>, key: string, by = 1) =>
  map.set(key, (map.get(key) ?? 0) + by);

const sortedRecord = (map: ReadonlyMap<string, number>): Record<string, number> =>
  Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));

/** Most violations first, then by name: the worst offenders lead every table. */
const byViolations =
  <T extends { violations: number }>(name: (item: T) => string) =>
  (a: T, b: T) =>
    b.violations - a.violations || name(a).localeCompare(name(b));

export class AuditTally {
  readonly #options: TallyOptions;
  readonly #known: ReadonlyMap<string, Policy>;
  readonly #totals = new Counter();
  #events = 0;
  #otherQueries = 0;
  #outsideRange = 0;
  #untimed = 0;
  #first = Number.POSITIVE_INFINITY;
  #last = Number.NEGATIVE_INFINITY;
  readonly #byEnforcement = new Map<string, number>();
  readonly #policies = new Map<string, PolicyTally>();
  readonly #namespaces = new Map<string, Counter>();
  readonly #controls = new Map<string, { violatingDecisions: number; violations: number }>();
  readonly #windows = new Map<number, Counter>();
  readonly #bundles = new Map<string, { decisions: number; first: number; last: number }>();
  readonly #other = new Map<string, number>();
  readonly #errors: AuditReport["errors"]["shown"][number][] = [];
  #errorCount = 0;
  readonly #corrupt: AuditReport["corruptLines"]["shown"][number][] = [];
  #corruptCount = 0;
  readonly #images: ImageTally;
  readonly #malformedImages: NonNullable<AuditReport["images"]>["malformed"]["shown"][number][] =
    [];
  #malformedImageCount = 0;

  constructor(options: TallyOptions) {
    this.#options = options;
    this.#images = new ImageTally(options.windowMs);
    this.#known = new Map(options.policies.map((policy) => [policy.name, policy]));
  }

  add(line: LogLine): void {
    if (line.kind === "corrupt") {
      this.#corruptCount++;
      if (this.#corrupt.length < SHOWN) {
        this.#corrupt.push({ file: line.file, line: line.line, reason: line.reason });
      }
      return;
    }
    const { event } = line;
    this.#events++;
    const instant = eventInstant(event.timestamp, event.received_at);
    const { since, until } = this.#options;
    if (Number.isNaN(instant)) {
      // An event without a time cannot be placed inside an asked-for range.
      if (since !== undefined || until !== undefined) {
        this.#outsideRange++;
        return;
      }
      this.#untimed++;
    } else if (
      (since !== undefined && instant < since) ||
      (until !== undefined && instant >= until)
    ) {
      this.#outsideRange++;
      return;
    } else {
      this.#first = Math.min(this.#first, instant);
      this.#last = Math.max(this.#last, instant);
    }
    this.#countRevisions(event.bundles, instant);

    const decision = readDecision(event);
    if (decision.kind === "other") {
      this.#otherQueries++;
      bump(this.#other, decision.path);
      return;
    }
    if (decision.kind === "errored") {
      this.#errorCount++;
      if (this.#errors.length < SHOWN) {
        this.#errors.push({
          file: line.file,
          line: line.line,
          decisionId: typeof event.decision_id === "string" ? event.decision_id : null,
          timestamp: Number.isNaN(instant) ? null : iso(instant),
          path: decision.path,
          message: decision.message,
        });
      }
      return;
    }
    const only = this.#options.onlyPolicies;
    const violations = only
      ? decision.violations.filter((v) => only.has(v.policy))
      : decision.violations;
    this.#totals.add(violations.length);
    this.#counter(this.#namespaces, decision.namespace).add(violations.length);
    if (!Number.isNaN(instant)) {
      this.#counter(this.#windows, windowStart(instant, this.#options.windowMs)).add(
        violations.length,
      );
    }
    this.#countViolations(violations);
    this.#countImages(line, decision.namespace, instant);
  }

  /** The decision's images (whatever --select says: images are not a policy's). */
  #countImages(line: LogLine & { kind: "event" }, namespace: string, instant: number): void {
    const { event } = line;
    const read = eventImages(event);
    this.#images.add(namespace, read.source, read.images, instant);
    for (const malformed of read.malformed) {
      this.#malformedImageCount++;
      if (this.#malformedImages.length < SHOWN) {
        this.#malformedImages.push({
          file: line.file,
          line: line.line,
          decisionId: typeof event.decision_id === "string" ? event.decision_id : null,
          timestamp: Number.isNaN(instant) ? null : iso(instant),
          index: malformed.index,
          message: malformed.message,
        });
      }
    }
  }

  #counter<K>(map: Map<K, Counter>, key: K): Counter {
    const counter = map.get(key) ?? new Counter();
    map.set(key, counter);
    return counter;
  }

  #countRevisions(bundles: unknown, instant: number): void {
    if (typeof bundles !== "object" || bundles === null) return;
    for (const [bundle, info] of Object.entries(bundles)) {
      const revision = (info as { revision?: unknown } | null)?.revision;
      if (typeof revision !== "string") continue;
      const key = JSON.stringify([bundle, revision]);
      const seen = this.#bundles.get(key) ?? {
        decisions: 0,
        first: Number.POSITIVE_INFINITY,
        last: Number.NEGATIVE_INFINITY,
      };
      seen.decisions++;
      if (!Number.isNaN(instant)) {
        seen.first = Math.min(seen.first, instant);
        seen.last = Math.max(seen.last, instant);
      }
      this.#bundles.set(key, seen);
    }
  }

  #countViolations(violations: readonly LoggedViolation[]): void {
    const policiesHit = new Set<string>();
    const controlsHit = new Set<string>();
    for (const violation of violations) {
      bump(this.#byEnforcement, violation.enforcement);
      let tally = this.#policies.get(violation.policy);
      if (!tally) {
        tally = {
          violatingDecisions: 0,
          violations: 0,
          byEnforcement: new Map(),
          rules: new Map(),
        };
        this.#policies.set(violation.policy, tally);
      }
      tally.violations++;
      tally.severity ??= violation.severity;
      bump(tally.byEnforcement, violation.enforcement);
      bump(tally.rules, violation.rule);
      if (!policiesHit.has(violation.policy)) {
        policiesHit.add(violation.policy);
        tally.violatingDecisions++;
      }
      for (const control of this.#controlsOf(violation.policy)) {
        const counts = this.#controls.get(control) ?? { violatingDecisions: 0, violations: 0 };
        counts.violations++;
        if (!controlsHit.has(control)) {
          controlsHit.add(control);
          counts.violatingDecisions++;
        }
        this.#controls.set(control, counts);
      }
    }
  }

  #controlsOf(policy: string): readonly string[] {
    return this.#known.get(policy)?.controls ?? [UNKNOWN_CONTROL];
  }

  /** The report; `meta` says what was read and how it was filtered. */
  report(meta: {
    generator: string;
    logs: string;
    files: readonly string[];
    filters: AuditReport["filters"];
  }): AuditReport {
    const only = this.#options.onlyPolicies;
    const listed = this.#options.policies.filter((p) => !only || only.has(p.name));
    const names = new Set([...listed.map((p) => p.name), ...this.#policies.keys()]);
    const policies: PolicyAudit[] = [...names]
      .map((name) => {
        const known = this.#known.get(name);
        const tally = this.#policies.get(name);
        return {
          policy: name,
          title: known?.title ?? null,
          severity: known?.severity ?? tally?.severity ?? null,
          controls: known ? [...known.controls] : null,
          violatingDecisions: tally?.violatingDecisions ?? 0,
          violations: tally?.violations ?? 0,
          byEnforcement: sortedRecord(tally?.byEnforcement ?? new Map()),
          rules: [...(tally?.rules ?? [])]
            .map(([rule, violations]) => ({ rule, violations }))
            .sort(byViolations((r) => r.rule)),
        };
      })
      .sort(byViolations((p) => p.policy));

    const controlPolicies = new Map<string, string[]>();
    for (const policy of policies) {
      for (const control of policy.controls ?? [UNKNOWN_CONTROL]) {
        controlPolicies.set(control, [...(controlPolicies.get(control) ?? []), policy.policy]);
      }
    }
    const controls = [...controlPolicies]
      .map(([control, names]) => ({
        control,
        policies: names.sort(),
        violatingDecisions: this.#controls.get(control)?.violatingDecisions ?? 0,
        violations: this.#controls.get(control)?.violations ?? 0,
      }))
      .sort(byViolations((c) => c.control));

    const counts = (c: Counter): Counts => ({
      decisions: c.decisions,
      violatingDecisions: c.violatingDecisions,
      violations: c.violations,
    });
    const hasRange = Number.isFinite(this.#first);
    return {
      reportVersion: AUDIT_REPORT_VERSION,
      generator: meta.generator,
      logs: meta.logs,
      filters: meta.filters,
      range: {
        first: hasRange ? iso(this.#first) : null,
        last: hasRange ? iso(this.#last) : null,
      },
      files: meta.files,
      totals: {
        events: this.#events,
        ...counts(this.#totals),
        otherQueries: this.#otherQueries,
        errored: this.#errorCount,
        corruptLines: this.#corruptCount,
        outsideRange: this.#outsideRange,
        untimed: this.#untimed,
      },
      byEnforcement: sortedRecord(this.#byEnforcement),
      policies,
      namespaces: [...this.#namespaces]
        .map(([namespace, counter]) => ({ namespace, ...counts(counter) }))
        .sort(byViolations((n) => n.namespace)),
      controls,
      windows: this.#windowRows(counts),
      bundles: [...this.#bundles]
        .map(([key, seen]) => {
          const [bundle, revision] = JSON.parse(key) as [string, string];
          return {
            bundle,
            revision,
            decisions: seen.decisions,
            first: Number.isFinite(seen.first) ? iso(seen.first) : null,
            last: Number.isFinite(seen.last) ? iso(seen.last) : null,
          };
        })
        .sort(
          (a, b) =>
            a.bundle.localeCompare(b.bundle) ||
            (a.first ?? "").localeCompare(b.first ?? "") ||
            a.revision.localeCompare(b.revision),
        ),
      otherQueries: [...this.#other]
        .map(([path, decisions]) => ({ path, decisions }))
        .sort((a, b) => b.decisions - a.decisions || a.path.localeCompare(b.path)),
      errors: { count: this.#errorCount, shown: this.#errors },
      corruptLines: { count: this.#corruptCount, shown: this.#corrupt },
      ...(this.#images.seen || this.#malformedImageCount > 0
        ? {
            images: this.#images.report({
              count: this.#malformedImageCount,
              shown: this.#malformedImages,
            }),
          }
        : {}),
    };
  }

  #windowRows(counts: (c: Counter) => Counts): AuditReport["windows"] {
    const width = this.#options.windowMs;
    const starts = [...this.#windows.keys()].sort((a, b) => a - b);
    const first = starts[0];
    const last = starts.at(-1);
    if (first !== undefined && last !== undefined && (last - first) / width < MAX_FILLED_WINDOWS) {
      starts.length = 0;
      for (let start = first; start <= last; start += width) starts.push(start);
    }
    return starts.map((start) => ({
      start: iso(start),
      end: iso(start + width),
      ...counts(this.#windows.get(start) ?? new Counter()),
    }));
  }
}
