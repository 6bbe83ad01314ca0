/**
 * `charter check <paths…>`: evaluate manifests — or, with `--cluster`, the objects of a live
 * cluster (check-cluster.ts) — against the policies on one engine and report one row per
 * (resource, policy, rule).
 */
import { relative, resolve } from "node:path";
import type { Enforcement, Policy, PolicyException } from "@charter/ir";
import { CharterError, expiryInstant, operationsOf, unconfiguredReason } from "@charter/ir";
import {
  applyApiServerDefaults,
  createIrScanEngine,
  expiringWithin,
  type Finding,
  firstPassFilter,
  identityOf,
  inForce,
  inventoryKindsOf,
  type LoadEvent,
  type LoadProblem,
  type ScanEvent,
  type SkippedDocument,
  scanResources,
  streamResources,
} from "@charter/runtime/scan";
import { clockOf } from "../clock.js";
import { systemNamespacesOf } from "../config.js";
import { type Context, type PolicyOptions, projectPoliciesAndExceptions } from "../context.js";
import { parseEngineNames } from "../engine-names.js";
import { chosenEvaluator } from "../evaluator-choice.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, worst } from "../exit.js";
import { FORMATS, isFormat } from "../report/format-names.js";
import { loadSink } from "../report/load-sink.js";
import { type Progress, progressMeter } from "../report/progress.js";
import { fileOutput, streamOutput } from "../report/report-output.js";
import type { ReportSink } from "../report/report-sink.js";
import { type ReportRow, type Summary, toRow } from "../report/rows.js";
import { everyInputRereadable } from "../rereadable-inputs.js";
import { spoolStdin } from "../stdin-spool.js";
import { terminalText } from "../terminal-text.js";
import { mark } from "../timings.js";
import { VERSION } from "../version.js";
import type { ClusterInput } from "./check-cluster.js";
import { type ClusterOptions, checkClusterOptions } from "./cluster-options.js";

export interface CheckOptions extends PolicyOptions, ClusterOptions {
  readonly format: string;
  readonly engine: string;
  readonly failOn?: string;
  readonly maxDocumentSize?: number;
  readonly verbose?: boolean;
  /** Write the report to this file (atomically) instead of stdout. */
  readonly output?: string;
  /** The table shows only what fails the run, and the summary; no progress line. */
  readonly quiet?: boolean;
  /** Globs of the files read in folders (default `**\/*.{yaml,yml,json}`). */
  readonly include?: string[];
  /** Globs of files or folders left out. */
  readonly exclude?: string[];
  /** The clock exceptions expire by: `YYYY-MM-DD` or an RFC 3339 date-time (default now). */
  readonly now?: string;
  /** False with --no-defaults: judge manifests without the API server's defaults. */
  readonly defaults?: boolean;
  /** Image rules: read the registries (packages/ir README, item 18). */
  readonly verifyImages?: boolean;
  /** Image rules: Trivy JSON reports and VulnerabilityReports to judge vulnerabilities on. */
  readonly vulnReports?: string[];
}

/** The resources of `events` as the API server would default them before admission. */
async function* withApiServerDefaults(events: AsyncIterable<LoadEvent>): AsyncIterable<LoadEvent> {
  for await (const event of events) {
    yield event.kind === "resource"
      ? {
          ...event,
          resource: { ...event.resource, object: applyApiServerDefaults(event.resource.object) },
        }
      : event;
  }
}

/**
 * The resources with what their image rules read: the registry with --verify-images, the scans
 * of --vuln-reports. Nothing is read when no policy has image rules.
 */
async function withImageFactsOf(
  ctx: Context,
  events: AsyncIterable<ScanEvent>,
  policies: readonly Policy[],
  options: CheckOptions,
  now: number,
): Promise<AsyncIterable<ScanEvent>> {
  if (!policies.some((policy) => policy.images !== undefined)) return events;
  const { readVulnReports } = await import("../image-facts/vuln-reports.js");
  const { withImageFacts } = await import("../image-facts/with-image-facts.js");
  const { reports, warnings } = await readVulnReports(options.vulnReports ?? [], ctx.cwd);
  for (const warning of warnings) ctx.output.err(terminalText(`warning: ${warning}`));
  const verify = options.verifyImages
    ? (await import("../image-facts/registry-verifier.js")).registryVerifier()
    : undefined;
  return withImageFacts(events, policies, { reports, now, ...(verify ? { verify } : {}) });
}

/**
 * The policies a scan never judges: a manifest or a stored object is judged as a CREATE
 * (packages/ir README, item 17), and these judge other requests only. Said, not silent.
 */
function notJudgedAsCreate(policies: readonly Policy[]): string[] {
  return policies.flatMap((policy) => {
    const operations = operationsOf(policy.match);
    return operations.includes("CREATE")
      ? []
      : [
          `${policy.name} judges only ${operations.join(", ")} requests, and charter check judges objects as CREATE: not judged here (charter webhook and the admission targets judge it)`,
        ];
  });
}

/** Exceptions that expire this soon get a warning. */
const EXPIRY_WARNING_DAYS = 14;

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
  checkClusterOptions(paths, options, format);
  const inputs = (paths.length ? paths : ["-"]).map((p) => (p === "-" ? p : resolve(ctx.cwd, p)));
  if (!options.cluster && inputs.includes("-") && isTerminal(ctx.stdin)) {
    // No path reads piped input; with nothing piped it would wait silently for typing.
    if (paths.length === 0) {
      throw new CharterError(
        "charter check needs manifests: files, folders, or - to read stdin",
        {},
        "charter check k8s/ (or pipe them in: kustomize build . | charter check)",
      );
    }
    ctx.output.err("reading manifests from stdin (end with Ctrl-D)");
  }
  const now = clockOf(options.now);
  const evaluator = chosenEvaluator();
  const project = await projectPoliciesAndExceptions(ctx, options);
  mark("policies loaded");
  const { exceptions, config } = project;
  // A policy waiting for its signing keys is judged nowhere (charter build leaves it out too).
  const policies = project.policies.filter((policy) => unconfiguredReason(policy) === undefined);
  const systemNamespaces = systemNamespacesOf(config);
  if (!options.quiet) {
    for (const policy of project.policies) {
      const unconfigured = unconfiguredReason(policy);
      if (unconfigured !== undefined)
        ctx.output.err(terminalText(`note: ${policy.name} is not judged: ${unconfigured}`));
    }
    for (const note of notJudgedAsCreate(policies)) ctx.output.err(terminalText(`note: ${note}`));
  }
  // A counter on stderr while a long scan runs, on a terminal only (report/progress.ts).
  const meter = options.quiet ? undefined : progressMeter(process.stderr);
  const progress: Progress | undefined = meter?.update;
  const cluster: ClusterInput | undefined = options.cluster
    ? await (await import("./check-cluster.js")).clusterInput(
        ctx,
        options,
        policies,
        options.verbose ?? false,
        () => meter?.clear(),
      )
    : undefined;
  // Policies that read beyond the resource (its Namespace, inventory(…)) are judged with the
  // whole input's index, read in a first pass over the files (stdin spooled to a file for it):
  // then every document is judged whole as it is read, and nothing of it waits in memory.
  const inventoryKinds =
    engineName === "ir" && !cluster && (await everyInputRereadable(inputs))
      ? inventoryKindsOf(policies)
      : [];
  const spool =
    inventoryKinds.length > 0 && inputs.includes("-") ? await spoolStdin(ctx.stdin) : undefined;
  const read = (documentFilter?: (bytes: Uint8Array) => boolean) =>
    streamResources(inputs, {
      stdin: spool ? spool.open() : ctx.stdin,
      ...(options.maxDocumentSize ? { maxDocumentSize: options.maxDocumentSize } : {}),
      ...(options.include?.length ? { include: options.include } : {}),
      ...(options.exclude?.length ? { exclude: options.exclude } : {}),
      ...(documentFilter ? { documentFilter } : {}),
    });
  // A cluster's objects are stored, so already defaulted; a manifest gets the API server's
  // defaults unless --no-defaults asks for the raw file.
  const defaulted = (events: AsyncIterable<LoadEvent>) =>
    options.defaults === false ? events : withApiServerDefaults(events);
  const objects = cluster ? cluster.events : defaulted(read());
  const firstPass =
    inventoryKinds.length > 0
      ? () => {
          mark("first pass started");
          return defaulted(read(firstPassFilter(inventoryKinds)));
        }
      : undefined;
  const events = await withImageFactsOf(ctx, objects, policies, options, now).catch(
    async (error: unknown) => {
      await spool?.remove();
      throw error;
    },
  );
  const tell = {
    problem: (problem: LoadProblem) => {
      meter?.clear();
      const where = [shown(ctx, problem.file), problem.line, problem.line && problem.column]
        .filter(Boolean)
        .join(":");
      // One line per problem, the parser's own words last (grep and editors read one line).
      const detail = problem.detail ? ` (YAML parser: ${problem.detail})` : "";
      ctx.output.err(terminalText(`${where}: error: ${problem.message}${detail}`));
    },
    skipped: (skipped: SkippedDocument) => {
      meter?.clear();
      const where = [shown(ctx, skipped.source.file), skipped.source.line]
        .filter(Boolean)
        .join(":");
      ctx.output.err(terminalText(`${where}: skipped: ${skipped.reason}`));
    },
  };
  const output = options.output
    ? fileOutput(resolve(ctx.cwd, options.output))
    : streamOutput((chunk) => {
        meter?.clear();
        ctx.output.out(chunk);
      });
  const meta = {
    policies,
    version: VERSION,
    now: new Date(now),
    failOn,
    quiet: options.quiet ?? false,
    verbose: options.verbose ?? false,
    // A file gets no terminal colours.
    paint: options.output ? (_style: unknown, text: string) => text : ctx.output.paint,
  };
  // --apply-reports keeps the rows for the reports it writes into the cluster; the YAML goes
  // to --output only (stdout says what was applied).
  const applied: ReportRow[] | undefined = options.applyReports ? [] : undefined;
  const sink: ReportSink =
    applied === undefined || options.output
      ? (await loadSink(format))(meta, output)
      : { add: () => {}, finish: () => {} };
  // Rows go to the report as they are judged; only these counts are kept.
  const summary: Summary = { resources: 0, pass: 0, fail: 0, skip: 0, error: 0 };
  let failed = false;
  const shownFile = shownFiles(ctx);
  const clusterSource = cluster ? { cluster: cluster.client.context } : undefined;
  const report = (finding: Finding) => {
    mark("first document judged");
    const row = toRow(finding, finding.source && shownFile(finding.source.file), clusterSource);
    summary[row.result]++;
    if (row.result === "fail" && failOn.has(row.enforcement)) failed = true;
    sink.add(row);
    applied?.push(row);
  };
  // The other engines bring a compiler, CEL or WebAssembly: loaded only when asked for.
  const chooseEngines =
    engineName === "ir" ? undefined : (await import("../engines.js")).chooseEngines;
  let problems = 0;
  let usedExceptions: ReadonlySet<string>;
  try {
    ({ usedExceptions } = await scanResources(
      events,
      {
        policies,
        exceptions,
        now,
        systemNamespaces,
        ...(evaluator ? { evaluator } : {}),
        engine: engineName,
        ...(firstPass ? { firstPass } : {}),
        createEngine: () => {
          const settings = {
            exceptions,
            now,
            systemNamespaces,
            ...(evaluator ? { evaluator } : {}),
          };
          if (chooseEngines === undefined) {
            const engine = createIrScanEngine(policies, settings);
            mark("engine ready");
            return engine;
          }
          const [engine] = chooseEngines(policies, [engineName], true, settings).engines;
          if (engine === undefined)
            throw new Error(`no ${engineName} engine; this is a bug in charter`);
          return engine;
        },
      },
      {
        problem: (problem) => {
          problems++;
          tell.problem(problem);
        },
        skipped: tell.skipped,
        read: ({ source }, unserved) => {
          summary.resources++;
          if (summary.resources === 1) mark("first document read");
          progress?.(summary.resources);
          if (unserved === undefined) return;
          // An object Kubernetes does not serve is an error whatever the policies and the engine
          // (no policy can judge it), and exits 2 like unreadable input.
          problems++;
          if (source && !(format === "table" && !options.output))
            tell.problem({ file: source.file, line: source.line, message: unserved });
        },
        finding: report,
        unserved: ({ object, source }, reason) => {
          summary.error++;
          const row: ReportRow = {
            result: "error",
            message: reason,
            resource: identityOf(object),
            ...(source ? { source: { file: shownFile(source.file), line: source.line } } : {}),
            ...(clusterSource ? { source: clusterSource } : {}),
          };
          sink.add(row);
          applied?.push(row);
        },
      },
    ));
    meter?.clear();
    sink.finish(summary);
    output.commit();
  } catch (error) {
    output.abort();
    throw error;
  } finally {
    await spool?.remove();
  }
  warnAboutExceptions(ctx, exceptions, usedExceptions, now);

  if (cluster) {
    // An empty namespace is a fact about the cluster, not a mistake in the input.
    if (summary.resources === 0 && cluster.listErrors() === 0) ctx.output.err(cluster.describe());
    if (applied !== undefined) {
      const { OPEN_REPORTS, toPolicyReports, WG_POLICY_REPORT } = await import(
        "../report/policy-report.js"
      );
      const api = format === "openreports" ? OPEN_REPORTS : WG_POLICY_REPORT;
      const reports = toPolicyReports({ ...meta, rows: applied, summary }, api) as Parameters<
        typeof import("./check-cluster.js").applyClusterReports
      >[3];
      const { applyClusterReports } = await import("./check-cluster.js");
      problems += await applyClusterReports(ctx, cluster, api, reports);
    }
    problems += cluster.listErrors();
  } else if (summary.resources === 0) {
    ctx.output.err("error: no Kubernetes object found in the input");
    return EXIT_USAGE;
  }
  const errored = summary.error > 0;
  return worst(problems > 0 ? EXIT_USAGE : EXIT_OK, failed || errored ? EXIT_FAILURE : EXIT_OK);
}

/**
 * Exceptions need owners' attention: those expired (no longer applied), those expiring within
 * 14 days, and those in force that excused nothing in this scan (stale, or mistyped).
 */
function warnAboutExceptions(
  ctx: Context,
  exceptions: readonly PolicyException[],
  used: ReadonlySet<string>,
  now: number,
): void {
  const where = (e: PolicyException) =>
    e.source ? `${shown(ctx, e.source.file)}:${e.source.line}: ` : "";
  for (const e of exceptions) {
    if (!inForce(e, now)) {
      ctx.output.err(
        terminalText(
          `${where(e)}warning: exception ${e.name} (owner ${e.owner}) expired on ${e.expires} and is no longer applied; renew it or remove it`,
        ),
      );
    }
  }
  for (const e of expiringWithin(exceptions, now, EXPIRY_WARNING_DAYS)) {
    const days = Math.ceil((expiryInstant(e.expires) - now) / 86_400_000);
    ctx.output.err(
      terminalText(
        `${where(e)}warning: exception ${e.name} (owner ${e.owner}) expires on ${e.expires}, in ${days} day${days === 1 ? "" : "s"}`,
      ),
    );
  }
  for (const e of exceptions) {
    if (inForce(e, now) && !used.has(e.name)) {
      ctx.output.err(
        terminalText(
          `${where(e)}warning: exception ${e.name} matched nothing in this scan; check its match, or remove it`,
        ),
      );
    }
  }
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

/** Whether the stream is a terminal a person types into (not a pipe or a file). */
function isTerminal(stream: NodeJS.ReadableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

function shown(ctx: Context, file: string): string {
  return file === "-" || file === "<stdin>" ? "<stdin>" : relative(ctx.cwd, file) || file;
}

/** A source file's name as the report shows it, computed once per file. */
function shownFiles(ctx: Context): (file: string) => string {
  const names = new Map<string, string>();
  return (file) => {
    let name = names.get(file);
    if (name === undefined) {
      name = shown(ctx, file);
      names.set(file, name);
    }
    return name;
  };
}
