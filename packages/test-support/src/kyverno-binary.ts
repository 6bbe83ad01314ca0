/**
 * The real Kyverno CLI for the tests that judge emitted policies with it: `$CHARTER_KYVERNO`, or
 * `.tools/bin/kyverno` (scripts/install-kyverno.sh). Missing, the tests say so loudly and skip;
 * under CI=true (where scripts/install-engines.sh built it) a missing binary fails.
 */
import { execFile } from "node:child_process";
import { findPinnedTool, missingForTests } from "./pinned-tool.js";

export function requireKyverno(what: string): string | undefined {
  return (
    findPinnedTool("kyverno", "CHARTER_KYVERNO") ??
    missingForTests(
      "the kyverno CLI is not installed ($CHARTER_KYVERNO, .tools/bin/kyverno): run scripts/install-kyverno.sh (part of scripts/install-engines.sh)",
      what,
    )
  );
}

/** One result of the report `kyverno apply -p --output-format json` prints. */
export interface ReportResult {
  readonly policy: string;
  readonly rule?: string;
  readonly result: "pass" | "fail" | "warn" | "error" | "skip";
  readonly message?: string;
  readonly resources?: readonly {
    apiVersion?: string;
    kind?: string;
    namespace?: string;
    name?: string;
  }[];
  readonly properties?: Readonly<Record<string, string>>;
}

/** Runs the Kyverno CLI: its exit code, and stdout with stderr after it. */
export function runKyverno(
  binary: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string }> {
  return new Promise((done) => {
    execFile(binary, [...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      done({ code, stdout: `${stdout}${stderr ? `\n${stderr}` : ""}` });
    });
  });
}

/** The report `kyverno apply -p --output-format json` prints: JSON objects, one per line. */
export function reportResults(stdout: string): ReportResult[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => (JSON.parse(line) as { results?: ReportResult[] }).results ?? []);
}
