/** The formats of `charter check --format`, each rendered to one string by its own file. */
import { toGithubAnnotations } from "./github.js";
import { toJson } from "./json.js";
import { toJunit } from "./junit.js";
import { OPEN_REPORTS, toPolicyReportYaml, WG_POLICY_REPORT } from "./policy-report.js";
import type { ReportInput } from "./report-input.js";
import { toSarif } from "./sarif.js";
import { toTable } from "./table.js";

export const FORMATS = [
  "table",
  "json",
  "sarif",
  "junit",
  "policyreport",
  "openreports",
  "github",
] as const;

export type Format = (typeof FORMATS)[number];

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}

const RENDER: Record<Format, (input: ReportInput) => string> = {
  table: toTable,
  json: toJson,
  sarif: ({ rows, policies, version }) => JSON.stringify(toSarif(rows, policies, version), null, 2),
  junit: toJunit,
  policyreport: (input) => toPolicyReportYaml(input, WG_POLICY_REPORT),
  openreports: (input) => toPolicyReportYaml(input, OPEN_REPORTS),
  github: toGithubAnnotations,
};

/** The whole report, without a final newline. */
export function renderReport(format: Format, input: ReportInput): string {
  return RENDER[format](input);
}
