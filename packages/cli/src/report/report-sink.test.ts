import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOSTILE, input, row } from "@charter/test-support/report-rows";
import { describe, expect, it } from "vitest";
import { FORMATS, renderReport, SINKS } from "./formats.js";
import { loadSink } from "./load-sink.js";
import { fileOutput, streamOutput } from "./report-output.js";
import { renderWith } from "./report-sink.js";
import { toSarif } from "./sarif.js";

const rows = [
  row(),
  row({ result: "pass", rule: "p" }),
  row({ result: "skip", rule: "s", message: HOSTILE }),
  row({ result: "error", rule: "e" }),
];

describe("the sink of one format, loaded alone", () => {
  it.each(FORMATS)("%s writes what the format's sink in SINKS writes", async (format) => {
    const sink = await loadSink(format);
    for (const some of [[], rows]) {
      expect(renderWith(sink, input(some))).toBe(renderReport(format, input(some)));
    }
  });
});

describe("streamed reports", () => {
  it("JSON is one valid document for no rows, one row and many", () => {
    for (const some of [[], [row()], rows]) {
      const parsed = JSON.parse(renderReport("json", input(some)));
      expect(parsed.results).toEqual(some);
      expect(parsed.summary).toEqual(input(some).summary);
    }
  });

  it("streamed SARIF is the log toSarif builds, results being the failures", () => {
    const streamed = JSON.parse(renderReport("sarif", input(rows)));
    expect(streamed).toEqual(toSarif(rows, input(rows).policies, "0.0.0-test"));
    expect(streamed.runs[0].results).toHaveLength(2);
    expect(JSON.parse(renderReport("sarif", input([]))).runs[0].results).toEqual([]);
  });

  it("a streaming format keeps no row: what it writes is written as the rows come", () => {
    const written: string[] = [];
    const sink = SINKS.json(input([]), { line: (text) => written.push(text) });
    const before = written.length;
    sink.add(row());
    sink.add(row({ rule: "second" }));
    // The first row is out once the second arrives (its comma known).
    expect(written.length).toBe(before + 1);
    expect(written.at(-1)).toContain('"rule":"privileged"');
  });

  it("the table keeps only the rows it shows", () => {
    const kept: string[] = [];
    const quiet = input([], { quiet: true });
    const sink = SINKS.table(quiet, { line: (text) => kept.push(text) });
    for (const r of rows) sink.add(r);
    sink.finish(input(rows).summary);
    const text = kept.join("\n");
    expect(text).toContain("FAIL");
    expect(text).toContain("ERROR");
    expect(text).not.toContain("SKIP");
    expect(text).toMatch(/4 checks: 1 passed, 1 failed, 1 skipped, 1 error$/);
  });
});

describe("report output", () => {
  it("chunks lines to stdout: every line arrives, in order", () => {
    const chunks: string[] = [];
    const out = streamOutput((chunk) => chunks.push(chunk));
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`);
    for (const line of lines) out.line(line);
    out.commit();
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("\n").split("\n")).toEqual(lines);
  });

  it("a file appears whole on commit, and an aborted report leaves the old one and no litter", () => {
    const dir = mkdtempSync(join(tmpdir(), "charter-report-"));
    const file = join(dir, "deep", "report.json");
    const first = fileOutput(file);
    first.line("one");
    first.commit();
    expect(readFileSync(file, "utf8")).toBe("one\n");

    const second = fileOutput(file);
    for (let i = 0; i < 10_000; i++) second.line(`row ${i}`);
    second.abort();
    expect(readFileSync(file, "utf8")).toBe("one\n");
    expect(readdirSync(join(dir, "deep"))).toEqual(["report.json"]);
  });

  it("an unwritable path is a CharterError naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "charter-report-"));
    writeFileSync(join(dir, "file"), "");
    expect(() => fileOutput(join(dir, "file", "report.json"))).toThrow(
      /cannot write the report to/,
    );
  });
});
