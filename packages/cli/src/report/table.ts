/**
 * The terminal table of `charter check` (the default format): rows grouped under a header line
 * per resource (kind, namespace/name, file:line), each with its result, severity, enforcement,
 * policy/rule and message, then one summary line.
 *
 * Colour says how bad a failure is: critical and high red, medium yellow, low cyan, info gray;
 * errors red, skips gray, passes green. `paint` is the identity without a colour terminal or
 * under NO_COLOR (output.ts), and when the table goes to a file. Every field that comes from a
 * manifest, a policy or an exception goes through terminalText before it is painted, so no
 * escape sequence but Charter's own colours reaches the terminal.
 *
 * Passing rows are shown with `--verbose` only, and so are the skips that only say a flag was
 * not given (`--vuln-reports`, `--verify-images`): one line per flag before the summary names
 * their policies instead of a row on every workload. `--quiet` shows only the rows that fail the
 * run (failures of an enforcement in `--fail-on`, and errors) and the summary — as ESLint's
 * `--quiet` keeps only errors.
 */

import { count } from "@charter/compiler/constants";
import type { Severity } from "@charter/ir";
import { SKIPPED_FOR_WANT_OF } from "../image-facts/skip-reasons.js";
import type { Output } from "../output.js";
import { terminalText } from "../terminal-text.js";
import { groupBy } from "./group.js";
import { type ReportInput, resourceName } from "./report-input.js";
import { checksOf, isObjectError, type ReportRow, type Row, sourceText } from "./rows.js";

type Style = Parameters<Output["paint"]>[0];

const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: "red",
  high: "red",
  medium: "yellow",
  low: "cyan",
  info: "gray",
};

const MARK: Record<Row["result"], string> = {
  pass: "PASS",
  fail: "FAIL",
  skip: "SKIP",
  error: "ERROR",
};

function styleOf(row: Row): Style {
  switch (row.result) {
    case "fail":
      return SEVERITY_STYLE[row.severity];
    case "error":
      return "red";
    case "skip":
      return "gray";
    case "pass":
      return "green";
  }
}

/** Whether the table shows this row. */
export function isShown(
  row: ReportRow,
  { quiet, verbose, failOn }: Pick<ReportInput, "quiet" | "verbose" | "failOn">,
): boolean {
  if (isObjectError(row)) return true;
  if (quiet)
    return row.result === "error" || (row.result === "fail" && failOn.has(row.enforcement));
  return verbose || (row.result !== "pass" && wantedFlag(row) === undefined);
}

/** Whether the table keeps this row while the scan runs: the rows it shows, and those it counts. */
export function isKept(row: ReportRow, input: Pick<ReportInput, "quiet" | "verbose" | "failOn">) {
  return (
    isShown(row, input) || (!input.quiet && !isObjectError(row) && wantedFlag(row) !== undefined)
  );
}

/** The flag whose absence is all a skip row says, if that is all it says. */
function wantedFlag(row: Row): string | undefined {
  return row.result === "skip" && row.message !== undefined
    ? SKIPPED_FOR_WANT_OF.get(row.message)
    : undefined;
}

/** `N checks of policies a, b not judged without --flag`, one line per flag. */
function notJudgedLines(rows: readonly ReportRow[]): string[] {
  const byFlag = new Map<string, { checks: number; policies: Set<string> }>();
  for (const row of rows) {
    if (isObjectError(row)) continue;
    const flag = wantedFlag(row);
    if (flag === undefined) continue;
    const entry = byFlag.get(flag) ?? { checks: 0, policies: new Set<string>() };
    entry.checks += 1;
    entry.policies.add(row.policy);
    byFlag.set(flag, entry);
  }
  return [...byFlag].map(
    ([flag, { checks, policies }]) =>
      `${count(checks, "check")} of ${[...policies].sort().join(", ")} not judged without ${flag} (--verbose lists them)`,
  );
}

export function summaryLine({ summary }: Pick<ReportInput, "summary">): string {
  return `${count(summary.resources, "resource")}, ${count(checksOf(summary), "check")}: ${summary.pass} passed, ${summary.fail} failed, ${summary.skip} skipped, ${count(summary.error, "error")}`;
}

export function toTable(input: ReportInput): string {
  const { paint } = input;
  const lines: string[] = [];
  const shown = input.rows.filter((row) => isShown(row, input));
  const byResource = groupBy(shown, (row) =>
    JSON.stringify([row.source && sourceText(row.source), row.resource]),
  );
  for (const rows of byResource.values()) {
    const first = rows[0];
    if (!first) continue;
    const where = first.source ? `  ${sourceText(first.source)}` : "";
    lines.push(
      `${paint("bold", terminalText(resourceName(first)))}${paint("gray", terminalText(where))}`,
    );
    for (const row of rows) {
      if (isObjectError(row)) {
        // No policy judged it: the mark and the reason, on one line.
        lines.push(`  ${paint("red", MARK.error.padEnd(5))} ${terminalText(row.message)}`);
        continue;
      }
      const style = styleOf(row);
      lines.push(
        `  ${paint(style, MARK[row.result].padEnd(5))} ${paint(style, row.severity.padEnd(8))} ${row.enforcement.padEnd(5)} ${terminalText(`${row.policy}/${row.rule}`)}`,
      );
      if (row.result !== "pass" && row.message) lines.push(`        ${terminalText(row.message)}`);
      if (row.exception) {
        const { name, owner, expires, reason } = row.exception;
        lines.push(
          paint(
            "gray",
            terminalText(
              `        exception ${name} (owner ${owner}, expires ${expires}): ${reason}`,
            ),
          ),
        );
      }
    }
  }
  if (!input.verbose && !input.quiet) {
    for (const line of notJudgedLines(input.rows)) lines.push(paint("gray", terminalText(line)));
  }
  lines.push(summaryLine(input));
  return lines.join("\n");
}
