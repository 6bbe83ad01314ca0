/**
 * One whole process, measured: wall milliseconds (process.hrtime around the child), peak RSS in
 * MiB (GNU time's `%M`), its exit code and stdout. Shared by the benchmarks of `pnpm bench`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const GNU_TIME = "/usr/bin/time";

export function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

/**
 * Runs one process to its end. Exit codes outside `ok` are a failed benchmark; stdout is kept
 * (or written to `stdoutFile`).
 */
export function measure(label, command, args, { ok = [0], stdoutFile, env, cwd = repoRoot } = {}) {
  const rssFile = path.join(os.tmpdir(), `charter-bench-rss-${process.pid}`);
  const out = stdoutFile ? fs.openSync(stdoutFile, "w") : "pipe";
  const started = process.hrtime.bigint();
  const child = spawnSync(GNU_TIME, ["-f", "%M", "-o", rssFile, command, ...args], {
    cwd,
    stdio: ["ignore", out, "pipe"],
    maxBuffer: 1 << 30,
    encoding: "utf8",
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (typeof out === "number") fs.closeSync(out);
  const rssLines = fs.readFileSync(rssFile, "utf8").trim().split("\n");
  fs.rmSync(rssFile, { force: true });
  // GNU time writes "Command exited with non-zero status N" before the figure.
  const peakMiB = Number(rssLines.at(-1)) / 1024;
  if (!ok.includes(child.status)) {
    const output = stdoutFile ? fs.readFileSync(stdoutFile, "utf8") : child.stdout;
    fail(
      `${label} exited with ${child.status}:\n${child.stderr.slice(-2000)}${output.slice(0, 2000)}`,
    );
  }
  console.error(
    `  ${label}: ${(wallMs / 1000).toFixed(2)} s, ${peakMiB.toFixed(0)} MiB (exit ${child.status})`,
  );
  return {
    wallMs,
    peakMiB,
    exitCode: child.status,
    stdout: child.stdout ?? "",
    stderr: child.stderr,
  };
}

/** Replaces the `<name>:begin` … `<name>:end` section of docs/benchmarks.md. */
export function writeSection(name, section) {
  const report = path.join(repoRoot, "docs/benchmarks.md");
  const previous = fs.readFileSync(report, "utf8");
  const markers = new RegExp(`<!-- ${name}:begin[\\s\\S]*?<!-- ${name}:end -->`);
  if (!markers.test(previous)) throw new Error(`docs/benchmarks.md has no ${name} markers`);
  fs.writeFileSync(
    report,
    previous.replace(markers, () => section),
  );
}
