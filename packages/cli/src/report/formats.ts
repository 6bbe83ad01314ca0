/**
 * Every format's sink at once (tests, and callers that render whole reports). `charter check`
 * loads only the sink of its format (load-sink.ts).
 */
import { FORMATS, type Format, isFormat } from "./format-names.js";
import { githubSink } from "./github.js";
import { jsonSink } from "./json.js";
import { toJunit } from "./junit.js";
import { OPEN_REPORTS, toPolicyReportYaml, WG_POLICY_REPORT } from "./policy-report.js";
import type { ReportInput } from "./report-input.js";
import { collecting, renderWith, type SinkFactory } from "./report-sink.js";
import { sarifSink } from "./sarif.js";
import { isKept, toTable } from "./table.js";

export { FORMATS, type Format, isFormat };

/** JSON, SARIF and annotations stream; the others keep the rows they show until the end. */
export const SINKS: Record<Format, SinkFactory> = {
  table: collecting(toTable, isKept),
  json: jsonSink,
  sarif: sarifSink,
  junit: collecting(toJunit),
  policyreport: collecting((input) => toPolicyReportYaml(input, WG_POLICY_REPORT)),
  openreports: collecting((input) => toPolicyReportYaml(input, OPEN_REPORTS)),
  github: githubSink,
};

/** The whole report, without a final newline. */
export function renderReport(format: Format, input: ReportInput): string {
  return renderWith(SINKS[format], input);
}
