/**
 * A report built as the scan goes. `charter check` hands each row to the sink the moment it is
 * judged and the summary at the end; a format that can be written row by row (JSON, SARIF,
 * GitHub annotations) writes it at once and keeps nothing, so a scan of 100,000 documents
 * never holds its millions of rows. A format that needs them all before its first line (the
 * table groups by resource, JUnit by policy, policy reports by namespace, each heading with
 * counts) keeps only the rows it will show.
 */
import type { ReportInput } from "./report-input.js";
import type { ReportOutput } from "./report-output.js";
import type { ReportRow, Summary } from "./rows.js";

export interface ReportSink {
  add(row: ReportRow): void;
  finish(summary: Summary): void;
}

/** Everything a report is made of but its rows and summary. */
export type ReportMeta = Omit<ReportInput, "rows" | "summary">;

/** Where a sink writes: one line at a time. */
export type LineWriter = Pick<ReportOutput, "line">;

export type SinkFactory = (meta: ReportMeta, out: LineWriter) => ReportSink;

/** A sink for a format rendered whole: it keeps the rows `keep` accepts until the end. */
export function collecting(
  render: (input: ReportInput) => string,
  keep: (row: ReportRow, meta: ReportMeta) => boolean = () => true,
): SinkFactory {
  return (meta, out) => {
    const rows: ReportRow[] = [];
    return {
      add(row) {
        if (keep(row, meta)) rows.push(row);
      },
      finish(summary) {
        out.line(render({ ...meta, rows, summary }));
      },
    };
  };
}

/** The whole report as one string (no final newline): for tests and small reports. */
export function renderWith(factory: SinkFactory, input: ReportInput): string {
  const lines: string[] = [];
  const sink = factory(input, { line: (text) => lines.push(text) });
  for (const row of input.rows) sink.add(row);
  sink.finish(input.summary);
  return lines.join("\n");
}
