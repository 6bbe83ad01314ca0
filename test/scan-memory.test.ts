/**
 * `charter check` streams: every row goes to the report as it is judged, so memory is bounded
 * by what the scan itself keeps, not by the number of rows. The proof is a heap too small to
 * hold the rows: 20,000 documents give about 400,000 rows (a JSON report of ~130 MB), which
 * do not fit in 128 MiB of V8 old space; a streaming check does.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: the benchmark's generator is plain JavaScript
import { generate } from "../bench/generate.mjs";
import { repoRoot } from "./support/run-cli.js";

const DOCUMENTS = 20_000;

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
      { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );
    expect(run.stderr).not.toMatch(/heap|out of memory|bug in Charter/i);
    expect(run.status).toBe(1); // the insecure copies fail deny policies
    const summary = JSON.parse(/"summary": (\{.*\})/.exec(tail(report, 400))?.[1] ?? "null");
    expect(summary.resources).toBe(DOCUMENTS);
    expect(summary.pass + summary.fail + summary.skip + summary.error).toBeGreaterThan(
      15 * DOCUMENTS,
    );
  }, 180_000);
});
