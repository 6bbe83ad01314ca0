/**
 * `--vuln-reports`: scanner reports given to `charter check` — Trivy JSON reports
 * (`trivy image --format json`) and Trivy Operator VulnerabilityReports (YAML or JSON, as
 * `kubectl get vulns -o yaml` writes them) — read as the scans image rules judge.
 * A file that cannot be read, or a report refused as a whole, is an error naming the file
 * (exit 2): a report that cannot be read is never read as a clean one.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  isVulnerabilityReport,
  type ReadScanReport,
  readTrivyReport,
  readVulnerabilityReport,
  type ScanReport,
} from "@charter/images/offline";
import { CharterError } from "@charter/ir";
import { loadResources } from "@charter/runtime/scan";

export interface VulnReports {
  readonly reports: readonly ScanReport[];
  /** True statements about reports read whole (no OS detected…), each naming its file. */
  readonly warnings: readonly string[];
}

const HINT =
  "give Trivy JSON reports (trivy image --format json) or Trivy Operator VulnerabilityReports (kubectl get vulns -o yaml)";

function isTrivyReport(value: unknown): boolean {
  return typeof value === "object" && value !== null && "SchemaVersion" in value;
}

function accepted(read: ReadScanReport, file: string, into: ScanReport[], warnings: string[]) {
  if (!read.ok) throw new CharterError(`${read.reason}`, { file }, HINT);
  into.push(read.report);
  for (const warning of read.warnings) warnings.push(`${file}: ${warning}`);
}

/** A report larger than this is refused before it is read: memory stays bounded. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

async function readOne(file: string, into: ScanReport[], warnings: string[]): Promise<void> {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_REPORT_BYTES) {
      throw new CharterError(
        `the vulnerability report is ${size} bytes, over the ${MAX_REPORT_BYTES}-byte limit`,
        { file },
        HINT,
      );
    }
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (error instanceof CharterError) throw error;
    throw new CharterError(
      `cannot read the vulnerability report: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { file },
      HINT,
    );
  }
  // A Trivy report is one JSON document without apiVersion and kind: the manifest loader would
  // skip it as not Kubernetes, so it is recognised first.
  if (/^\s*\{/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // not plain JSON: the loader below names the line and column
    }
    if (isTrivyReport(parsed)) {
      accepted(readTrivyReport(parsed, file), file, into, warnings);
      return;
    }
  }
  const loaded = await loadResources([file]);
  const problem = loaded.problems[0];
  if (problem) {
    throw new CharterError(
      problem.message,
      {
        file: problem.file,
        ...(problem.line ? { line: problem.line } : {}),
        ...(problem.column ? { column: problem.column } : {}),
      },
      HINT,
    );
  }
  let found = 0;
  for (const resource of loaded.resources) {
    if (!isVulnerabilityReport(resource.object)) continue;
    found++;
    accepted(
      readVulnerabilityReport(resource.object),
      resource.source?.file ?? file,
      into,
      warnings,
    );
  }
  if (found === 0) {
    throw new CharterError(
      "holds neither a Trivy JSON report nor a VulnerabilityReport",
      { file },
      HINT,
    );
  }
}

/** Reads every report of `paths` (relative to `cwd`), in order. */
export async function readVulnReports(paths: readonly string[], cwd: string): Promise<VulnReports> {
  const reports: ScanReport[] = [];
  const warnings: string[] = [];
  for (const path of paths) await readOne(resolve(cwd, path), reports, warnings);
  return { reports, warnings };
}
