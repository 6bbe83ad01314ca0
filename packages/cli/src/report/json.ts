/** `charter check --format json`: the summary and every row (the contract of docs/cli.md). */
import type { ReportInput } from "./report-input.js";

export function toJson({ summary, rows }: ReportInput): string {
  return JSON.stringify({ summary, results: rows }, null, 2);
}
