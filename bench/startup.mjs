#!/usr/bin/env node
/**
 * Start-up: how long `charter check` takes to reach its first document, with the compiled
 * policy-set cache warm and with it off, next to Node's own start-up (`node -e 0`) on the same
 * machine. Each figure is the median of several whole processes; the stages come from the CLI's
 * own `CHARTER_TIMINGS=1` line (packages/cli/src/timings.ts: milliseconds since the process
 * started). Also `charter --version` and `charter test` of the whole library on the IR engine.
 *
 *   node bench/startup.mjs [--no-write]
 *
 * `pnpm bench` runs it first (bench/run.mjs) and writes the section between the
 * `startup-bench:begin` / `startup-bench:end` markers of docs/benchmarks.md.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot, writeSection } from "./measure.mjs";

const CHARTER = path.join(repoRoot, "packages/cli/bin/charter.js");
const ONE_DOCUMENT = path.join(repoRoot, "examples/todo-app/hardened/api.yaml");
const STAGES = [
  "modules loaded",
  "policies loaded",
  "first document read",
  "first document judged",
  "done",
];

function run(args, env) {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0 && child.status !== 1) {
    throw new Error(`${args.join(" ")} exited ${child.status}: ${child.stderr}`);
  }
  return { wallMs, stderr: child.stderr };
}

function stagesOf(stderr) {
  const line = stderr.split("\n").find((l) => l.startsWith("timings (ms): "));
  if (!line) throw new Error(`no timings line in:\n${stderr}`);
  return Object.fromEntries(
    line
      .slice("timings (ms): ".length)
      .split(", ")
      .map((entry) => {
        const at = entry.lastIndexOf(" ");
        return [entry.slice(0, at), Number(entry.slice(at + 1))];
      }),
  );
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** The median wall time and the median of each stage over `times` runs. */
function profile(args, env, times) {
  const runs = Array.from({ length: times }, () => run(args, env));
  const stages = env.CHARTER_TIMINGS ? runs.map((r) => stagesOf(r.stderr)) : [];
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    stages: Object.fromEntries(
      STAGES.filter((stage) => stages.every((s) => stage in s)).map((stage) => [
        stage,
        median(stages.map((s) => s[stage])),
      ]),
    ),
  };
}

export function startupBench({ times = 9 } = {}) {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "charter-startup-cache-"));
  const check = [CHARTER, "check", ONE_DOCUMENT, "--quiet"];
  const env = { CHARTER_CACHE_DIR: cacheDir, CHARTER_TIMINGS: "1" };
  try {
    const node = profile(["-e", "0"], {}, times);
    const version = profile([CHARTER, "--version"], {}, times);
    run(check, env); // fills the cache
    const warm = profile(check, env, times);
    const cold = profile(check, { ...env, CHARTER_CACHE: "off" }, Math.min(times, 3));
    const test = [CHARTER, "test", "--engine", "ir"];
    run(test, env);
    const testWarm = profile(test, env, Math.min(times, 3));
    return { node, version, warm, cold, testWarm, times };
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

const ms = (value) => (value === undefined ? "–" : value.toFixed(0));

export function startupSection(result) {
  const { node, version, warm, cold, testWarm, times } = result;
  const firstDocument = warm.stages["first document judged"];
  const rows = STAGES.map(
    (stage) => `| ${stage} | ${ms(warm.stages[stage])} | ${ms(cold.stages[stage])} |`,
  );
  return `<!-- startup-bench:begin (written by bench/startup.mjs; edit the prose outside these markers) -->
Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, medians of ${times} processes (3 for the cold runs and \`charter test\`); Node ${process.version}, ${os.cpus().length} CPUs.

\`charter check examples/todo-app/hardened/api.yaml\` (one document, the whole library): milliseconds since the process started at which each stage was reached (\`CHARTER_TIMINGS=1\`).

| Stage | Warm cache (ms) | Cache off (ms) |
| --- | ---: | ---: |
${rows.join("\n")}
| whole process (wall) | ${ms(warm.wallMs)} | ${ms(cold.wallMs)} |

| Process | Wall (ms) |
| --- | ---: |
| \`node -e 0\` (Node's own start and exit) | ${ms(node.wallMs)} |
| \`charter --version\` | ${ms(version.wallMs)} |
| \`charter test --engine ir\`, the whole library, warm cache | ${ms(testWarm.wallMs)} |

| Goal (issue 17) | Measured | Status |
| --- | --- | --- |
| First document ≤ 250 ms after the process starts, warm cache | ${ms(firstDocument)} ms | ${firstDocument <= 250 ? "**met**" : "**not met**"} |
| \`charter test\` of the whole library on the IR engine under 2 s | ${(testWarm.wallMs / 1000).toFixed(2)} s | ${testWarm.wallMs < 2000 ? "**met**" : "**not met**"} |
<!-- startup-bench:end -->`;
}

export function writeStartupSection(section) {
  writeSection("startup-bench", section);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const section = startupSection(startupBench());
  console.log(section);
  if (!process.argv.includes("--no-write")) writeStartupSection(section);
}
