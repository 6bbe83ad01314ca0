/**
 * The sink of one format, loaded on demand: the YAML reports bring a YAML writer and the
 * runtime, which a table or JSON scan does not need (formats.ts has them all).
 */
import type { Format } from "./format-names.js";
import { collecting, type SinkFactory } from "./report-sink.js";

export async function loadSink(format: Format): Promise<SinkFactory> {
  switch (format) {
    case "table": {
      const { isKept, toTable } = await import("./table.js");
      return collecting(toTable, isKept);
    }
    case "json":
      return (await import("./json.js")).jsonSink;
    case "sarif":
      return (await import("./sarif.js")).sarifSink;
    case "junit":
      return collecting((await import("./junit.js")).toJunit);
    case "policyreport":
    case "openreports": {
      const { OPEN_REPORTS, toPolicyReportYaml, WG_POLICY_REPORT } = await import(
        "./policy-report.js"
      );
      const api = format === "openreports" ? OPEN_REPORTS : WG_POLICY_REPORT;
      return collecting((input) => toPolicyReportYaml(input, api));
    }
    case "github":
      return (await import("./github.js")).githubSink;
  }
}
