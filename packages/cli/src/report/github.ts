/**
 * GitHub Actions workflow commands for `charter check --format github`: one annotation per
 * failing row, placed at the document's file and line on the pull request —
 * `::error` for `deny` failures and error rows, `::warning` for `warn`, `::notice` for `audit`.
 * Escaping follows @actions/toolkit's `command.ts` (`escapeData`, `escapeProperty`): the runner
 * reads one command per line, properties are split at `,` and the message starts after `::`.
 */
import type { Enforcement } from "@charter/ir";
import { terminalText } from "../terminal-text.js";
import { type ReportInput, resourceName } from "./report-input.js";
import { type LineWriter, type ReportSink, renderWith } from "./report-sink.js";
import { checkOf, fileOf, isFailing, isObjectError, type ReportRow } from "./rows.js";
import { summaryLine } from "./table.js";

const COMMAND: Record<Enforcement, "error" | "warning" | "notice"> = {
  deny: "error",
  warn: "warning",
  audit: "notice",
};

/**
 * The message after `::`: `%` first, so that the escapes it introduces stay literal; line
 * breaks as the runner's `%0D`/`%0A`; then every other control or direction character made
 * visible (terminal-text.ts), since GitHub renders ANSI escapes in logs and annotations.
 */
export function escapeData(text: string): string {
  return terminalText(text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A"));
}

/** A property value: also `:` and `,`, which would end the value. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** The annotation's title: `policy/rule (severity)`, or the object check for an object error. */
function title(row: ReportRow): string {
  const { policy, rule } = checkOf(row);
  return isObjectError(row) ? `${policy}/${rule}` : `${policy}/${rule} (${row.severity})`;
}

function commandOf(row: ReportRow): "error" | "warning" | "notice" {
  return isObjectError(row) || row.result === "error" ? "error" : COMMAND[row.enforcement];
}

function annotation(row: ReportRow): string {
  const command = commandOf(row);
  const file = fileOf(row);
  const properties = [
    ...(file ? [`file=${escapeProperty(file.file)}`, `line=${file.line}`] : []),
    `title=${escapeProperty(title(row))}`,
  ].join(",");
  return `::${command} ${properties}::${escapeData(`${resourceName(row)}: ${row.message}`)}`;
}

/** Annotations as the rows come; the summary line last. */
export function githubSink(_meta: unknown, out: LineWriter): ReportSink {
  return {
    add(row) {
      if (isFailing(row)) out.line(annotation(row));
    },
    finish(summary) {
      out.line(`charter: ${summaryLine({ summary })}`);
    },
  };
}

export function toGithubAnnotations(input: ReportInput): string {
  return renderWith(githubSink, input);
}
