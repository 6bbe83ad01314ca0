/**
 * `charter check --format json`: every row and the summary (the contract of docs/cli.md),
 * streamed: one row per line as it is judged, the summary last.
 */
import type { ReportInput } from "./report-input.js";
import { type LineWriter, type ReportSink, renderWith } from "./report-sink.js";
import type { Row } from "./rows.js";

export function jsonSink(_meta: unknown, out: LineWriter): ReportSink {
  // A row's line is written when the next arrives: only then is its comma known.
  let pending: string | undefined;
  out.line("{");
  out.line('  "results": [');
  return {
    add(row: Row) {
      if (pending !== undefined) out.line(`${pending},`);
      pending = `    ${JSON.stringify(row)}`;
    },
    finish(summary) {
      if (pending !== undefined) out.line(pending);
      out.line("  ],");
      out.line(`  "summary": ${JSON.stringify(summary)}`);
      out.line("}");
    },
  };
}

export function toJson(input: ReportInput): string {
  return renderWith(jsonSink, input);
}
