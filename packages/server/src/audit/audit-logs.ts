/** Reads a decision-log folder and tallies it into an audit report (no printing). */
import type { Policy } from "@charter/ir";
import { CharterError } from "@charter/ir";
import type { AuditReport } from "./audit-report.js";
import { AuditTally } from "./audit-tally.js";
import { decisionLogFiles, readDecisionLog } from "./read-logs.js";
import { iso, parseSince, parseUntil, parseWindow } from "./time.js";

export interface AuditLogsOptions {
  /** The decision-log folder. */
  readonly dir: string;
  /** The folder as the report names it (default `dir`). */
  readonly shownDir?: string;
  readonly policies: readonly Policy[];
  /** `--select` as given; the report then counts only `policies`' violations. */
  readonly select?: string;
  readonly since?: string;
  readonly until?: string;
  /** `1h`, `1d`, … (default `1d`). */
  readonly window?: string;
  readonly generator: string;
}

export async function auditLogs(options: AuditLogsOptions): Promise<AuditReport> {
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const until = options.until === undefined ? undefined : parseUntil(options.until);
  if (since !== undefined && until !== undefined && since >= until) {
    throw new CharterError(
      `--since ${options.since} is not before --until ${options.until}`,
      {},
      "swap them, or widen the range",
    );
  }
  const window = options.window ?? "1d";
  const windowMs = parseWindow(window);
  const files = decisionLogFiles(options.dir);
  const tally = new AuditTally({
    policies: options.policies,
    ...(options.select ? { onlyPolicies: new Set(options.policies.map((p) => p.name)) } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    windowMs,
  });
  for await (const line of readDecisionLog(options.dir, files)) tally.add(line);
  return tally.report({
    generator: options.generator,
    logs: options.shownDir ?? options.dir,
    files,
    filters: {
      since: since === undefined ? null : iso(since),
      until: until === undefined ? null : iso(until),
      window,
      select: options.select ?? null,
    },
  });
}
