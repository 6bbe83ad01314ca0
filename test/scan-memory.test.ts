/**
 * `charter check` streams: every row goes to the report as it is judged, and nothing of a
 * document waits for the end — cross-resource policies (restrict-runtime-class reads each
 * workload's Namespace) are judged with each document after a first pass has indexed the
 * Namespaces, their rows kept on disk. The proof is a heap too small for either: 100,000
 * documents give about 2 million rows (a JSON report of ~680 MB), and a one-pass scan kept a
 * projection of every workload until the end; neither fits in 128 MiB of V8 old space.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: the benchmark's generator is plain JavaScript
import { generate } from "../bench/generate.mjs";
import { repoRoot } from "./support/run-cli.js";

const DOCUMENTS = 100_000;

function tail(file: string, bytes: number): string {
  const size = statSync(file).size;
  const buffer = Buffer.alloc(Math.min(bytes, size));
  const fd = openSync(file, "r");
  readSync(fd, buffer, 0, buffer.length, size - buffer.length);
  closeSync(fd);
  return buffer.toString("utf8");
}

describe("a large scan in bounded memory", () => {
  it(`writes the JSON report of ${DOCUMENTS} documents with a 128 MiB heap`, () => {
    const work = mkdtempSync(join(tmpdir(), "charter-scan-memory-"));
    const { yamlPath } = generate(DOCUMENTS, work, { json: false }) as { yamlPath: string };
    const report = join(work, "report.json");
    const run = spawnSync(
      process.execPath,
      [
        "--max-old-space-size=128",
        join(repoRoot, "packages/cli/bin/charter.js"),
        "check",
        yamlPath,
        "--format",
        "json",
        "--output",
        report,
      ],
      {
        cwd: repoRoot,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", CHARTER_TIMINGS: "1" },
      },
    );
    const summary = JSON.parse(/"summary": (\{.*\})/.exec(tail(report, 400))?.[1] ?? "null");
    rmSync(work, { recursive: true, force: true });
    expect(run.stderr).not.toMatch(/heap|out of memory|bug in Charter/i);
    expect(run.status).toBe(1); // the insecure copies fail deny policies
    expect(run.stderr).toMatch(/first pass started/);
    expect(summary.resources).toBe(DOCUMENTS);
    expect(summary.pass + summary.fail + summary.skip + summary.error).toBeGreaterThan(
      15 * DOCUMENTS,
    );
  }, 600_000);
});
