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
import { type Row, summarize, toRow } from "../report/rows.js";
import { toSarif } from "../report/sarif.js";
import { VERSION } from "../version.js";

export interface CheckOptions extends PolicyOptions {
  readonly format: string;
  readonly engine: string;
  readonly failOn?: string;
  readonly maxDocumentSize?: number;
  readonly verbose?: boolean;
}

const FORMATS = ["table", "json", "sarif"] as const;

export async function check(ctx: Context, paths: string[], options: CheckOptions): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
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
  const inputs = (paths.length ? paths : ["-"]).map((p) => (p === "-" ? p : resolve(ctx.cwd, p)));
  const loaded = await loadResources(inputs, {
    stdin: ctx.stdin,
    ...(options.maxDocumentSize ? { maxDocumentSize: options.maxDocumentSize } : {}),
  });
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
      ? scanned(policies, loaded.resources)
      : await createEngines(policies, [engineName], true).engines[0]?.evaluate(loaded.resources);
  if (findings === undefined) throw new Error(`no ${engineName} engine; this is a bug in charter`);
  const rows = findings.map((finding) => toRow(relativeSource(ctx, finding)));
  const summary = summarize(loaded.resources.length, rows);

  if (options.format === "json") {
    ctx.output.out(JSON.stringify({ summary, results: rows }, null, 2));
  } else if (options.format === "sarif") {
    ctx.output.out(JSON.stringify(toSarif(rows, policies, VERSION), null, 2));
  } else {
    printTable(ctx, rows, summary, options.verbose ?? false);
  }

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
function scanned(policies: readonly Policy[], resources: readonly Resource[]): Finding[] {
  const scan = createScan(policies);
  const findings = resources.flatMap((resource) => scan.add(resource));
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

const MARK: Record<Row["result"], string> = {
  pass: "PASS",
  fail: "FAIL",
  skip: "SKIP",
  error: "ERROR",
};

function printTable(
  ctx: Context,
  rows: readonly Row[],
  summary: ReturnType<typeof summarize>,
  verbose: boolean,
): void {
  const { output } = ctx;
  for (const row of rows) {
    if (row.result === "pass" && !verbose) continue;
    const style = row.result === "fail" ? (row.enforcement === "deny" ? "red" : "yellow") : "gray";
    const { kind, namespace, name } = row.resource;
    const where = row.source ? `  ${row.source.file}:${row.source.line}` : "";
    output.out(
      `${output.paint(style, MARK[row.result].padEnd(5))} ${row.enforcement.padEnd(5)} ${row.policy}/${row.rule}  ${kind} ${namespace ? `${namespace}/` : ""}${name}${output.paint("gray", where)}`,
    );
    if (row.result !== "pass" && row.message) output.out(`      ${row.message}`);
  }
  output.out(
    `${summary.resources} resources, ${rows.length} checks: ${summary.pass} passed, ${summary.fail} failed, ${summary.skip} skipped, ${summary.error} errors`,
  );
}
