/**
 * `charter check <paths…>`: evaluate manifests against the policies on one engine and report
 * one row per (resource, policy, rule).
 */
import { relative, resolve } from "node:path";
import type { Enforcement, Policy } from "@charter/ir";
import { CharterError } from "@charter/ir";
import {
  createScan,
  type Finding,
  inReportOrder,
  loadResources,
  type Resource,
} from "@charter/runtime";
import { type Context, type PolicyOptions, projectPolicies } from "../context.js";
import { createEngines, parseEngineNames } from "../engines.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, worst } from "../exit.js";
import { FORMATS, isFormat, renderReport } from "../report/formats.js";
import { type Progress, progressMeter } from "../report/progress.js";
import { summarize, toRow } from "../report/rows.js";
import { writeReport } from "../report/write-report.js";
import { VERSION } from "../version.js";

export interface CheckOptions extends PolicyOptions {
  readonly format: string;
  readonly engine: string;
  readonly failOn?: string;
  readonly maxDocumentSize?: number;
  readonly verbose?: boolean;
  /** Write the report to this file (atomically) instead of stdout. */
  readonly output?: string;
  /** The table shows only what fails the run, and the summary; no progress line. */
  readonly quiet?: boolean;
}

export async function check(ctx: Context, paths: string[], options: CheckOptions): Promise<number> {
  const format = options.format;
  if (!isFormat(format)) {
    throw new CharterError(
      `unknown format "${options.format}"`,
      {},
      `choose from ${FORMATS.join(", ")}`,
    );
  }
  const failOn = failingEnforcements(options.failOn);
  const [engineName, ...more] = parseEngineNames(options.engine, false);
  if (!engineName || more.length > 0) {
    throw new CharterError(
      "check runs one engine at a time",
      {},
      "pass --engine ir or --engine opa",
    );
  }
  const policies = await projectPolicies(ctx, options);
  // A counter on stderr while a long scan runs, on a terminal only (report/progress.ts).
  const meter = options.quiet ? undefined : progressMeter(process.stderr);
  const progress: Progress | undefined = meter?.update;
  const inputs = (paths.length ? paths : ["-"]).map((p) => (p === "-" ? p : resolve(ctx.cwd, p)));
  const loaded = await loadResources(inputs, {
    stdin: ctx.stdin,
    ...(options.maxDocumentSize ? { maxDocumentSize: options.maxDocumentSize } : {}),
  });
  progress?.(loaded.resources.length);
  meter?.clear();
  for (const problem of loaded.problems) {
    const where = [shown(ctx, problem.file), problem.line, problem.line && problem.column]
      .filter(Boolean)
      .join(":");
    ctx.output.err(`${where}: error: ${problem.message}`);
  }
  for (const skipped of loaded.skipped) {
    const where = [shown(ctx, skipped.source.file), skipped.source.line].filter(Boolean).join(":");
    ctx.output.err(`${where}: skipped: ${skipped.reason}`);
  }
  const findings =
    engineName === "ir"
      ? scanned(policies, loaded.resources, progress)
      : await createEngines(policies, [engineName], true).engines[0]?.evaluate(loaded.resources);
  if (findings === undefined) throw new Error(`no ${engineName} engine; this is a bug in charter`);
  const rows = findings.map((finding) => toRow(relativeSource(ctx, finding)));
  const summary = summarize(loaded.resources.length, rows);
  meter?.clear();

  const report = renderReport(format, {
    rows,
    summary,
    policies,
    version: VERSION,
    now: new Date(),
    failOn,
    quiet: options.quiet ?? false,
    verbose: options.verbose ?? false,
    // A file gets no terminal colours.
    paint: options.output ? (_style, text) => text : ctx.output.paint,
  });
  if (options.output) writeReport(resolve(ctx.cwd, options.output), report);
  else ctx.output.out(report);

  const failed = rows.some((row) => row.result === "fail" && failOn.has(row.enforcement));
  const errored = rows.some((row) => row.result === "error");
  const badInput = loaded.problems.length > 0;
  if (loaded.resources.length === 0) {
    ctx.output.err("error: no Kubernetes object found in the input");
    return EXIT_USAGE;
  }
  return worst(badInput ? EXIT_USAGE : EXIT_OK, failed || errored ? EXIT_FAILURE : EXIT_OK);
}

/**
 * The IR engine as a streaming scan: each document judged as it comes, cross-resource rules
 * (a workload's Namespace, its namespace's NetworkPolicies) once the whole set is read.
 */
function scanned(
  policies: readonly Policy[],
  resources: readonly Resource[],
  progress?: Progress,
): Finding[] {
  const scan = createScan(policies);
  const findings = resources.flatMap((resource, index) => {
    progress?.(index + 1);
    return scan.add(resource);
  });
  findings.push(...scan.finish());
  return inReportOrder(findings, policies);
}

/** `deny` always fails the run; `--fail-on warn` adds warn, `--fail-on audit` adds both. */
export function failingEnforcements(failOn: string | undefined): Set<Enforcement> {
  switch (failOn ?? "deny") {
    case "deny":
      return new Set(["deny"]);
    case "warn":
      return new Set(["deny", "warn"]);
    case "audit":
      return new Set(["deny", "warn", "audit"]);
    default:
      throw new CharterError(
        `unknown --fail-on level "${failOn}"`,
        {},
        "choose from deny, warn, audit",
      );
  }
}

function shown(ctx: Context, file: string): string {
  return file === "-" || file === "<stdin>" ? "<stdin>" : relative(ctx.cwd, file) || file;
}

function relativeSource(ctx: Context, finding: Finding): Finding {
  return finding.source
    ? { ...finding, source: { ...finding.source, file: shown(ctx, finding.source.file) } }
    : finding;
}
