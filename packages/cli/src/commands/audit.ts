/**
 * `charter audit --logs DIR`: a compliance report from the decision logs `charter serve`
 * stored — decisions and violations per policy, namespace, control and time window. It is a
 * report, so it exits 0 whatever it finds; 2 for a usage error.
 */
import { relative, resolve } from "node:path";
import { CharterError, isCharterError, type Policy } from "@charter/ir";
import { auditLogs, renderMarkdown } from "@charter/server";
import { type Context, type PolicyOptions, projectPolicies } from "../context.js";
import { EXIT_OK } from "../exit.js";
import { writeReport } from "../report/write-report.js";
import { terminalLines, terminalText } from "../terminal-text.js";
import { VERSION } from "../version.js";

export const AUDIT_FORMATS = ["markdown", "json"] as const;

export interface AuditOptions extends PolicyOptions {
  readonly logs: string;
  readonly since?: string;
  readonly until?: string;
  readonly window?: string;
  readonly format?: string;
  readonly output?: string;
}

export async function audit(ctx: Context, options: AuditOptions): Promise<number> {
  const format = options.format ?? "markdown";
  if (!(AUDIT_FORMATS as readonly string[]).includes(format)) {
    throw new CharterError(
      `unknown format "${format}"`,
      {},
      `choose from ${AUDIT_FORMATS.join(", ")}`,
    );
  }
  const dir = resolve(ctx.cwd, options.logs);
  const report = await auditLogs({
    dir,
    shownDir: shown(ctx, dir),
    policies: await policiesFor(ctx, options),
    ...(options.select ? { select: options.select } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(options.window !== undefined ? { window: options.window } : {}),
    generator: `charter ${VERSION}`,
  });
  for (const corrupt of report.corruptLines.shown) {
    ctx.output.err(
      terminalText(
        `${shown(ctx, resolve(dir, corrupt.file))}:${corrupt.line}: warning: ${corrupt.reason}; line skipped`,
      ),
    );
  }
  for (const malformed of report.images?.malformed.shown ?? []) {
    ctx.output.err(
      terminalText(
        `${shown(ctx, resolve(dir, malformed.file))}:${malformed.line}: warning: ${malformed.message}; image entry not counted`,
      ),
    );
  }
  // Decision logs hold whatever clients sent: the Markdown report shows no raw control.
  const text =
    format === "json" ? JSON.stringify(report, null, 2) : terminalLines(renderMarkdown(report));
  if (options.output) writeReport(resolve(ctx.cwd, options.output), text);
  else ctx.output.out(text);
  return EXIT_OK;
}

/**
 * The policies that give logged names their titles and controls. Asked for explicitly, they
 * must load; found by default, a project that does not load only costs the metadata (the
 * logs may come from a bundle built elsewhere).
 */
async function policiesFor(ctx: Context, options: AuditOptions): Promise<Policy[]> {
  const explicit = options.config || options.policies?.length || options.select;
  try {
    return await projectPolicies(ctx, options);
  } catch (error) {
    if (explicit || !isCharterError(error)) throw error;
    ctx.output.err(
      terminalLines(
        `warning: no policies loaded (${error.message}); controls and titles are reported as unknown`,
      ),
    );
    return [];
  }
}

/** A path as the user would type it: relative below the working folder, else absolute. */
function shown(ctx: Context, path: string): string {
  const rel = relative(ctx.cwd, path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}
