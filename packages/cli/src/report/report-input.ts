/** What every `charter check` report format is rendered from. */
import type { Enforcement, Policy } from "@charter/ir";
import type { Output } from "../output.js";
import type { ReportRow, Summary } from "./rows.js";

export interface ReportInput {
  /** One row per (resource, policy, rule), in report order. */
  readonly rows: readonly ReportRow[];
  readonly summary: Summary;
  /** The policies that were checked, for their metadata (title, category, controls). */
  readonly policies: readonly Policy[];
  /** Charter's version, for the reports that name their tool. */
  readonly version: string;
  /** When the scan ran: the timestamp of policy reports and JUnit suites. */
  readonly now: Date;
  /** The enforcements whose failures fail the run (`--fail-on`). */
  readonly failOn: ReadonlySet<Enforcement>;
  /** `--quiet`: the table shows only the rows that fail the run, and the summary. */
  readonly quiet: boolean;
  /** `--verbose`: the table also shows the rules that passed. */
  readonly verbose: boolean;
  /** Colours for the table; identity when writing to a file or without a colour terminal. */
  readonly paint: Output["paint"];
}

/** `kind namespace/name`, as every human-readable format names a resource. */
export function resourceName(row: Pick<ReportRow, "resource">): string {
  const { kind, namespace, name } = row.resource;
  return `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
}
