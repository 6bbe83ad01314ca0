#!/usr/bin/env node
/**
 * The load benchmark of `charter serve` (issue 6, requirement 6): autocannon against the built
 * server on loopback.
 *
 * 1. Builds a real bundle with `charter bundle --out <tmp>/bundles/charter.tar.gz` (when that
 *    command is missing, a tar.gz of the emitted Rego stands in, and the report says so).
 * 2. Starts `charter serve --host 127.0.0.1 --port 0` and reads the URL from its
 *    `"msg":"listening"` log line on stderr.
 * 3. Two autocannon runs of CHARTER_BENCH_SERVE_SECONDS (default 30) each: plain GETs of the
 *    bundle (200), then GETs with `If-None-Match: <its ETag>` (304).
 * 4. Requests per second, p99 latency, errors (connection errors, timeouts, and any status
 *    other than the one expected), and the server's RSS before and after (/metrics, else ps).
 *
 *   node bench/serve-load.mjs [--no-write]     # alone; `pnpm bench` runs it last
 *
 * autocannon runs in this process and the server in another; both share the machine's cores,
 * so the numbers are what one machine can do talking to itself.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHARTER = path.join(repoRoot, "packages/cli/bin/charter.js");
const REPORT = path.join(repoRoot, "docs/benchmarks.md");

/** The goal of issue 6: conditional requests per second, with no error. */
export const GOAL_CONDITIONAL_RPS = 5000;

const SECONDS = Number(process.env.CHARTER_BENCH_SERVE_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.CHARTER_BENCH_SERVE_CONNECTIONS ?? 50);

/**
 * The bundle to serve: `charter bundle` if it exists, else a tar.gz of the emitted Rego.
 * Returns how it was made, for the report.
 */
function makeBundle(work) {
  const bundles = path.join(work, "bundles");
  fs.mkdirSync(bundles, { recursive: true });
  const file = path.join(bundles, "charter.tar.gz");
  const built = spawnSync(process.execPath, [CHARTER, "bundle", "--out", file], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (built.status === 0 && fs.existsSync(file)) {
    return { dir: bundles, file, how: "`charter bundle` of the whole library" };
  }
  const reason = (built.stderr || built.stdout).trim().split("\n")[0];
  console.error(`  charter bundle failed (${reason}); serving a tar.gz of the emitted Rego`);
  const rego = path.join(work, "rego");
  const emitted = spawnSync(
    process.execPath,
    [CHARTER, "build", "--target", "rego", "--out", rego],
    {
      cwd: repoRoot,
      encoding: "utf8",
    },
  );
  if (emitted.status !== 0) throw new Error(`charter build failed: ${emitted.stderr}`);
  const tar = spawnSync("tar", ["-czf", file, "-C", path.join(rego, "rego"), "."]);
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
  return {
    dir: bundles,
    file,
    how: `a tar.gz of the emitted Rego (\`charter bundle\` was not available: ${reason})`,
  };
}

/** Starts the server; resolves with the child and its URL once it logs "listening". */
function startServer(bundlesDir, logsDir) {
  const child = spawn(
    process.execPath,
    [
      CHARTER,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--bundles",
      bundlesDir,
      "--logs",
      logsDir,
    ],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`charter serve did not log "listening" in 30 s:\n${buffered.slice(-2000)}`));
    }, 30_000);
    const onData = (chunk) => {
      buffered += chunk;
      for (const line of buffered.split("\n")) {
        try {
          const entry = JSON.parse(line);
          if (entry.msg === "listening" && typeof entry.url === "string") {
            clearTimeout(timer);
            child.stderr.off("data", onData);
            // Keep draining stderr so the server never blocks on a full pipe.
            child.stderr.resume();
            resolve({ child, url: entry.url.replace(/\/$/, "") });
            return;
          }
        } catch {
          // not a whole JSON line yet
        }
      }
    };
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`charter serve exited with ${code}:\n${buffered.slice(-2000)}`));
    });
  });
}

/** The server's resident memory in MiB: its own /metrics gauge, else `ps`. */
async function serverRssMiB(url, pid) {
  try {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const match =
      /^process_resident_memory_bytes(?:\{[^}]*\})?\s+(\d+(?:\.\d+)?(?:e\+?\d+)?)/m.exec(metrics);
    if (match) return { mib: Number(match[1]) / 2 ** 20, from: "/metrics" };
  } catch {
    // fall through to ps
  }
  const ps = spawnSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" });
  return { mib: Number(ps.stdout.trim()) / 1024, from: "ps" };
}

function load(url, headers, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: seconds, headers }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

/** One autocannon result as a row: the expected status's rate, and everything else as errors. */
function summarize(label, result, expectedStatus) {
  const byStatus = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]),
  );
  const expected = byStatus[expectedStatus] ?? 0;
  const unexpected = Object.entries(byStatus)
    .filter(([code]) => code !== String(expectedStatus))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    label,
    expectedStatus,
    seconds: result.duration,
    requests: result.requests.total,
    rps: expected / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    unexpected,
    byStatus,
    throughputMiBs: result.throughput.average / 2 ** 20,
  };
}

/** Runs the whole load benchmark; returns its rows and the facts around them. */
export async function serveLoad({ seconds = SECONDS } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "charter-bench-serve-"));
  try {
    console.error("bench: serve load");
    const bundle = makeBundle(work);
    const { child, url } = await startServer(bundle.dir, path.join(work, "logs"));
    try {
      const bundleUrl = `${url}/bundles/charter.tar.gz`;
      const first = await fetch(bundleUrl);
      const size = (await first.arrayBuffer()).byteLength;
      const etag = first.headers.get("etag");
      if (first.status !== 200 || !etag) {
        throw new Error(`GET ${bundleUrl} gave ${first.status}, ETag ${etag}`);
      }
      const check = await fetch(bundleUrl, { headers: { "if-none-match": etag } });
      if (check.status !== 304)
        throw new Error(`If-None-Match ${etag} gave ${check.status}, not 304`);
      const before = await serverRssMiB(url, child.pid);
      console.error(`  plain GETs for ${seconds} s (${CONNECTIONS} connections)`);
      const plain = summarize("GET (200)", await load(bundleUrl, {}, seconds), 200);
      console.error(`  conditional GETs for ${seconds} s`);
      const conditional = summarize(
        "GET, If-None-Match (304)",
        await load(bundleUrl, { "if-none-match": etag }, seconds),
        304,
      );
      const after = await serverRssMiB(url, child.pid);
      return {
        bundle,
        size,
        etag,
        plain,
        conditional,
        before,
        after,
        seconds,
        connections: CONNECTIONS,
      };
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The Markdown section docs/benchmarks.md holds between the serve-bench markers. */
export function serveSection(run, host) {
  const errorsOf = (row) => row.errors + row.timeouts + row.unexpected;
  const rows = [run.plain, run.conditional].map(
    (row) =>
      `| ${row.label} | ${row.requests} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.errors} / ${row.timeouts} / ${row.unexpected} | ${row.throughputMiBs.toFixed(1)} |`,
  );
  const ratio = run.conditional.rps / GOAL_CONDITIONAL_RPS;
  const met =
    run.conditional.rps >= GOAL_CONDITIONAL_RPS &&
    errorsOf(run.conditional) === 0 &&
    errorsOf(run.plain) === 0;
  return `<!-- serve-bench:begin (written by bench/serve-load.mjs; edit the prose outside these markers) -->
Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, one run.

**Machine:** ${host.cpu}, ${host.nproc} CPUs (\`nproc\`) shared by autocannon and the server; Node ${process.version}.
**Bundle:** ${run.bundle.how}, ${(run.size / 1024).toFixed(1)} KiB, ETag \`${run.etag}\`.
**Load:** autocannon 9.0.0, ${run.connections} connections, ${run.seconds} s per run, loopback.

| Run | Requests | Requests/s (expected status) | p50 latency (ms) | p99 latency (ms) | Errors / timeouts / other status | Throughput (MiB/s) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

Server RSS: ${run.before.mib.toFixed(0)} MiB before the runs, ${run.after.mib.toFixed(0)} MiB after (from ${run.after.from}).

| Goal (issue 6) | Measured | Status |
| --- | --- | --- |
| ≥ ${GOAL_CONDITIONAL_RPS.toLocaleString("en")} conditional requests/s, no error | ${run.conditional.rps.toFixed(0)}/s (${ratio.toFixed(2)}× the goal), ${errorsOf(run.conditional)} errors; ${errorsOf(run.plain)} on plain GETs | ${met ? "**met**" : "**not met**"} |
<!-- serve-bench:end -->`;
}

export function printServeLoad(run) {
  for (const row of [run.plain, run.conditional]) {
    console.log(
      `${row.label}: ${row.rps.toFixed(0)} req/s, p99 ${row.p99} ms, errors ${row.errors}, timeouts ${row.timeouts}, other status ${row.unexpected} ${JSON.stringify(row.byStatus)}`,
    );
  }
  console.log(
    `server RSS ${run.before.mib.toFixed(0)} → ${run.after.mib.toFixed(0)} MiB; conditional : goal = ${(run.conditional.rps / GOAL_CONDITIONAL_RPS).toFixed(2)}×`,
  );
}

/** Replaces (or appends) the serve-bench section of docs/benchmarks.md. */
export function writeServeSection(section) {
  const previous = fs.readFileSync(REPORT, "utf8");
  const markers = /<!-- serve-bench:begin[\s\S]*?<!-- serve-bench:end -->/;
  const next = markers.test(previous)
    ? previous.replace(markers, () => section)
    : `${previous.trimEnd()}\n\n## \`charter serve\` under load\n\n${section}\n`;
  fs.writeFileSync(REPORT, next);
  console.log(`wrote ${path.relative(repoRoot, REPORT)} (serve load)`);
}

export function hostFacts() {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  return {
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown",
    nproc: spawnSync("nproc", [], { encoding: "utf8" }).stdout.trim(),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!fs.existsSync(path.join(repoRoot, "packages/cli/dist/main.js"))) {
    console.error("bench: the built CLI is missing (run `pnpm build`)");
    process.exit(2);
  }
  const run = await serveLoad();
  printServeLoad(run);
  if (!process.argv.includes("--no-write")) writeServeSection(serveSection(run, hostFacts()));
}
