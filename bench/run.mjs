#!/usr/bin/env node
/**
 * `pnpm bench`: whole-process benchmarks of the built CLI against the real OPA, all in one run.
 *
 * 0. Start-up (bench/startup.mjs): the stages of a one-document `charter check` with the policy-set
 *    cache warm and off; `--no-startup` skips it.
 * 1. Generates N resources (default 10,000) from examples/todo-app with variations
 *    (bench/generate.mjs), as one multi-document YAML file and as a JSON data file for OPA.
 * 2. Scans them against the whole library (charter.config.ts) three ways: `charter check` on
 *    the IR engine, ONE `opa eval` over the library's emitted Rego judging every document
 *    `with input as` it, and `charter check --engine wasm`. Wall time, documents per second
 *    and peak RSS of each process; the throughput ratios IR:OPA and WASM:OPA.
 * 3. Compiles the library to every target (`charter build`), and again with `--wasm`.
 * 4. Scans 10 × N documents (default 100,000) for peak memory, and times parsing the same
 *    YAML alone (bench/parse-only.mjs) to compare a whole scan with the parse it cannot avoid.
 * 5. Prints a table and rewrites the measured section of docs/benchmarks.md (between the
 *    `bench:begin` / `bench:end` markers; the prose around them is kept).
 * 5b. Every peer on the same documents (bench/peers.mjs): `opa eval`, `conftest test`, `gator
 *    test` and `kyverno apply` next to `charter check`, on the todo-app set and PSS-style
 *    workloads, each peer's failing pairs compared with Charter's; `--no-peers` skips it.
 * 6. `charter check --cluster` of the same number of objects stored in the dev cluster, next to
 *    `kubectl get` of the same kinds (bench/cluster.mjs), written between the
 *    `cluster-bench:begin` / `cluster-bench:end` markers; `--no-cluster` skips it (and it skips
 *    itself, loudly, without the pinned Kubernetes builds).
 * 7. Last, `charter serve` under load (bench/serve-load.mjs: autocannon, 200 and 304), written
 *    between the `serve-bench:begin` / `serve-bench:end` markers; `--no-serve` skips it.
 * 8. The memory of the webhook's watch caches holding `--large` objects (default 100,000) fed
 *    by a fake API server (bench/webhook-caches.mjs), written between the
 *    `webhook-caches-bench:begin` / `webhook-caches-bench:end` markers; `--no-webhook-caches`
 *    skips it.
 * 9. The admission webhook's latency with the whole library (bench/webhook-load.mjs: autocannon
 *    AdmissionReviews at 500 and 2,000 per second, and dryRun creates through the dev cluster's
 *    API server without and with the webhook registered), written between the
 *    `webhook-bench:begin` / `webhook-bench:end` markers; `--no-webhook` skips it (and it skips
 *    itself, loudly, without the pinned Kubernetes builds).
 *
 *   node bench/run.mjs [--documents 10000] [--large 100000] [--no-write] [--no-cluster] [--no-serve]
 *                      [--no-webhook-caches] [--no-webhook] [--no-startup] [--no-peers]
 *
 * Peak RSS comes from GNU time (`/usr/bin/time -f %M`); wall time from process.hrtime around
 * the child. Every number is one run: the machine is stated with them.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { clusterBench, clusterSection, writeClusterSection } from "./cluster.mjs";
import { generate } from "./generate.mjs";
import { fail, GNU_TIME, measure, repoRoot } from "./measure.mjs";
import { peersBench, peersSection, writePeersSection } from "./peers.mjs";
import {
  hostFacts,
  printServeLoad,
  serveLoad,
  serveSection,
  writeServeSection,
} from "./serve-load.mjs";
import { startupBench, startupSection, writeStartupSection } from "./startup.mjs";
import {
  webhookCachesBench,
  webhookCachesSection,
  writeWebhookCachesSection,
} from "./webhook-caches.mjs";
import { webhookLoadBench, webhookLoadSection, writeWebhookLoadSection } from "./webhook-load.mjs";

const CHARTER = path.join(repoRoot, "packages/cli/bin/charter.js");
const OPA = process.env.OPA ?? path.join(repoRoot, ".tools/bin/opa");
const REPORT = path.join(repoRoot, "docs/benchmarks.md");

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}
const DOCUMENTS = option("--documents", 10_000);
const LARGE = option("--large", 100_000);
const WRITE = !process.argv.includes("--no-write");

for (const [file, what] of [
  [GNU_TIME, "GNU time (apt-get install time) measures peak memory"],
  [OPA, "the real opa (scripts/install-engines.sh, or set OPA=/path/to/opa)"],
  [path.join(repoRoot, "packages/cli/dist/main.js"), "the built CLI (run `pnpm build`)"],
]) {
  if (!fs.existsSync(file)) fail(`${file} is missing: ${what}`);
}

function firstLine(command, args) {
  const child = spawnSync(command, args, { encoding: "utf8" });
  return (child.stdout ?? "").split("\n")[0].trim();
}

function machine() {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown";
  const free = spawnSync("free", ["-g"], { encoding: "utf8" }).stdout.trim();
  return {
    cpu: model,
    nproc: firstLine("nproc", []),
    memory: /^Mem:\s+(\d+)/m.exec(free)?.[1] ?? "?",
    free,
    node: process.version,
    opa: firstLine(OPA, ["version"]).replace(/^Version:\s*/, ""),
    os: `${os.type()} ${os.release()}`,
  };
}

const charter = (...args) => [CHARTER, ...args];

// 0. Start-up, first, on a machine not yet busy with the scans.
if (!process.argv.includes("--no-startup")) {
  const section = startupSection(startupBench());
  console.log(`\n${section}\n`);
  if (WRITE) writeStartupSection(section);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "charter-bench-"));
console.error(`bench: working in ${work}`);

// 1. The documents.
console.error(`bench: generating ${DOCUMENTS} and ${LARGE} documents`);
const small = generate(DOCUMENTS, path.join(work, "small"));
const large = generate(LARGE, path.join(work, "large"), { json: false });

// 2. The scans.
console.error("bench: scanning");
const regoOut = path.join(work, "rego-build");
measure("emit rego", process.execPath, charter("build", "--target", "rego", "--out", regoOut));
const queryDir = path.join(work, "query");
fs.mkdirSync(queryDir);
fs.writeFileSync(
  path.join(queryDir, "bench.rego"),
  `package charter_bench

# Every document of data.docs judged by the whole library, one after the other.
results := [violations |
	some doc in data.docs
	violations := data.charter.violations with input as doc
]
`,
);

const irReport = path.join(work, "ir.json");
const ir = measure(
  "IR engine",
  process.execPath,
  charter("check", small.yamlPath, "--format", "json", "--output", irReport),
  { ok: [0, 1] },
);
/** One `opa eval` of the library over a data file of documents, each judged `with input as` it. */
const opaEvalArgs = (dataPath) => [
  "eval",
  "--format",
  "json",
  "--data",
  path.join(regoOut, "rego"),
  "--data",
  queryDir,
  "--data",
  dataPath,
  "data.charter_bench.results",
];
const opaOutput = path.join(work, "opa.json");
const opa = measure("opa eval", OPA, opaEvalArgs(small.jsonPath), { stdoutFile: opaOutput });
const wasmReport = path.join(work, "wasm.json");
const wasm = measure(
  "WASM engine",
  process.execPath,
  charter("check", small.yamlPath, "--engine", "wasm", "--format", "json", "--output", wasmReport),
  { ok: [0, 1] },
);

// The same work: every document judged, and the same failures found. The CLI reports one row
// per resource and rule; OPA's violations are one per witness (container), so OPA's are
// counted as distinct (document, policy, rule) triples.
const failuresOf = (report) => JSON.parse(fs.readFileSync(report, "utf8")).summary.fail;
const opaResults = JSON.parse(fs.readFileSync(opaOutput, "utf8")).result[0].expressions[0].value;
if (opaResults.length !== DOCUMENTS) fail(`opa judged ${opaResults.length} of ${DOCUMENTS}`);
const failures = {
  ir: failuresOf(irReport),
  opa: opaResults.reduce(
    (sum, violations) => sum + new Set(violations.map((v) => `${v.policy}/${v.rule}`)).size,
    0,
  ),
  wasm: failuresOf(wasmReport),
};

// The fixed cost of each process: the same runs on one document.
const one = generate(1, path.join(work, "one"));
const irOne = measure(
  "IR engine (1 document)",
  process.execPath,
  charter("check", one.yamlPath, "--format", "json", "--output", path.join(work, "one-ir.json")),
  { ok: [0, 1] },
);
const opaOne = measure("opa eval (1 document)", OPA, opaEvalArgs(one.jsonPath), {
  stdoutFile: path.join(work, "one-opa.json"),
});
const wasmOne = measure(
  "WASM engine (1 document)",
  process.execPath,
  charter(
    "check",
    one.yamlPath,
    "--engine",
    "wasm",
    "--format",
    "json",
    "--output",
    path.join(work, "one-wasm.json"),
  ),
  { ok: [0, 1] },
);

// 3. Compile times.
console.error("bench: compiling");
const buildAll = measure(
  "build all",
  process.execPath,
  charter("build", "--out", path.join(work, "b1")),
);
const buildWasm = measure(
  "build --wasm",
  process.execPath,
  charter("build", "--wasm", "--out", path.join(work, "b2")),
);

// 4. Scale and the parse floor.
console.error("bench: scale");
const parseSmall = measure("parse only (small)", process.execPath, [
  path.join(repoRoot, "bench/parse-only.mjs"),
  small.yamlPath,
]);
const largeScan = measure(
  "IR engine (large)",
  process.execPath,
  // The JSON report of every row (about 2 million rows, 660 MB): it is streamed to the file
  // as rows are judged, so memory stays bounded by what the scan itself keeps.
  charter("check", large.yamlPath, "--format", "json", "--output", path.join(work, "large.json")),
  { ok: [0, 1] },
);
const parseLarge = measure("parse only (large)", process.execPath, [
  path.join(repoRoot, "bench/parse-only.mjs"),
  large.yamlPath,
]);
const parsedIn = (run) => JSON.parse(run.stdout).parseMs;

// 5. The report.
const perSecond = (run, count) => count / (run.wallMs / 1000);
const seconds = (ms) => (ms / 1000).toFixed(2);
const irRate = perSecond(ir, DOCUMENTS);
const opaRate = perSecond(opa, DOCUMENTS);
const wasmRate = perSecond(wasm, DOCUMENTS);
const irToOpa = irRate / opaRate;
const wasmToOpa = wasmRate / opaRate;
const scanToParse = largeScan.wallMs / parseLarge.wallMs;
const scanToParseSmall = ir.wallMs / parseSmall.wallMs;
// Throughput once started: the documents after the first over the time they added.
const marginal = (run, first) => (DOCUMENTS - 1) / ((run.wallMs - first.wallMs) / 1000);
const irMarginal = marginal(ir, irOne);
const opaMarginal = marginal(opa, opaOne);
const wasmMarginal = marginal(wasm, wasmOne);
const mib = (run) => run.peakMiB.toFixed(0);
const sizeMiB = (file) => (fs.statSync(file).size / 2 ** 20).toFixed(1);
const host = machine();
const met = (ok) => (ok ? "**met**" : "**not met**");

const table = [
  "| Run | Documents | Wall time (s) | Documents/s | Peak RSS (MiB) |",
  "| --- | ---: | ---: | ---: | ---: |",
  `| \`charter check\`, IR engine | ${DOCUMENTS} | ${seconds(ir.wallMs)} | ${irRate.toFixed(0)} | ${mib(ir)} |`,
  `| \`opa eval\`, one process | ${DOCUMENTS} | ${seconds(opa.wallMs)} | ${opaRate.toFixed(0)} | ${mib(opa)} |`,
  `| \`charter check --engine wasm\` | ${DOCUMENTS} | ${seconds(wasm.wallMs)} | ${wasmRate.toFixed(0)} | ${mib(wasm)} |`,
  `| \`charter check\`, IR engine | 1 | ${seconds(irOne.wallMs)} | – | ${mib(irOne)} |`,
  `| \`opa eval\`, one process | 1 | ${seconds(opaOne.wallMs)} | – | ${mib(opaOne)} |`,
  `| \`charter check --engine wasm\` | 1 | ${seconds(wasmOne.wallMs)} | – | ${mib(wasmOne)} |`,
  `| parse the YAML only | ${DOCUMENTS} | ${seconds(parseSmall.wallMs)} | ${perSecond(parseSmall, DOCUMENTS).toFixed(0)} | ${mib(parseSmall)} |`,
  `| \`charter check\`, IR engine | ${LARGE} | ${seconds(largeScan.wallMs)} | ${perSecond(largeScan, LARGE).toFixed(0)} | ${mib(largeScan)} |`,
  `| parse the YAML only | ${LARGE} | ${seconds(parseLarge.wallMs)} | ${perSecond(parseLarge, LARGE).toFixed(0)} | ${mib(parseLarge)} |`,
  `| \`charter build\` (all targets) | – | ${seconds(buildAll.wallMs)} | – | ${mib(buildAll)} |`,
  `| \`charter build --wasm\` | – | ${seconds(buildWasm.wallMs)} | – | ${mib(buildWasm)} |`,
].join("\n");

const section = `<!-- bench:begin (written by bench/run.mjs; edit the prose outside these markers) -->
Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, one run of \`pnpm bench\`.

**Machine:** ${host.cpu}, ${host.nproc} CPUs (\`nproc\`), ${host.memory} GiB memory (\`free -g\`),
${host.os}; Node ${host.node}; OPA ${host.opa}.

**Input:** ${DOCUMENTS} documents (${sizeMiB(small.yamlPath)} MiB of YAML; ${sizeMiB(small.jsonPath)} MiB as OPA's JSON data) and ${LARGE} documents (${sizeMiB(large.yamlPath)} MiB), generated by \`bench/generate.mjs\` from the ${small.templates} documents of \`examples/todo-app\`; the whole library of \`charter.config.ts\`.

${table}

Every time is a whole process, start-up included (Node loading the CLI and the policies' TypeScript; OPA compiling the Rego and loading its data). Failing (resource, policy, rule) triples found: IR ${failures.ir}, OPA ${failures.opa}, WASM ${failures.wasm} (the same work, the same verdicts).

| Ratio | Value |
| --- | ---: |
| Throughput IR : OPA | ${irToOpa.toFixed(2)}× |
| Throughput WASM : OPA | ${wasmToOpa.toFixed(2)}× |
| Throughput once started (${DOCUMENTS} − 1 documents over the time they add to a 1-document run): IR / OPA / WASM | ${irMarginal.toFixed(0)} / ${opaMarginal.toFixed(0)} / ${wasmMarginal.toFixed(0)} documents/s |
| Once started, IR : OPA / WASM : OPA | ${(irMarginal / opaMarginal).toFixed(2)}× / ${(wasmMarginal / opaMarginal).toFixed(2)}× |
| Whole scan : parse only, ${LARGE} documents | ${scanToParse.toFixed(2)}× |
| Whole scan : parse only, ${DOCUMENTS} documents | ${scanToParseSmall.toFixed(2)}× |
| Time spent parsing inside the parse-only process, ${LARGE} / ${DOCUMENTS} documents | ${seconds(parsedIn(parseLarge))} s / ${seconds(parsedIn(parseSmall))} s |

| Goal (issue 5) | Measured | Status |
| --- | --- | --- |
| IR engine ≥ 10× OPA's throughput | ${irToOpa.toFixed(2)}× | ${met(irToOpa >= 10)} |
| Whole scan ≤ 2× parsing alone (${LARGE} documents) | ${scanToParse.toFixed(2)}× | ${met(scanToParse <= 2)} |
| ${LARGE} documents under 300 MB peak | ${(largeScan.peakMiB * 1.048576).toFixed(0)} MB | ${met(largeScan.peakMiB * 1.048576 < 300)} |
<!-- bench:end -->`;

console.log(`\n${table}\n`);
console.log(
  `IR:OPA ${irToOpa.toFixed(2)}×  WASM:OPA ${wasmToOpa.toFixed(2)}×  scan:parse ${scanToParse.toFixed(2)}× (${LARGE}), ${scanToParseSmall.toFixed(2)}× (${DOCUMENTS})`,
);
console.log(
  `once started: IR:OPA ${(irMarginal / opaMarginal).toFixed(2)}×, WASM:OPA ${(wasmMarginal / opaMarginal).toFixed(2)}×`,
);
console.log(`failures: IR ${failures.ir}, OPA ${failures.opa}, WASM ${failures.wasm}`);

if (WRITE) {
  const previous = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, "utf8") : "";
  const markers = /<!-- bench:begin[\s\S]*?<!-- bench:end -->/;
  const next = markers.test(previous)
    ? previous.replace(markers, () => section)
    : `# Benchmarks\n\nRun with \`pnpm bench\` (bench/run.mjs).\n\n${section}\n`;
  fs.writeFileSync(REPORT, next);
  console.log(`wrote ${path.relative(repoRoot, REPORT)}`);
}
fs.rmSync(work, { recursive: true, force: true });

// 5b. Every peer (opa, conftest, gator, kyverno) on the same documents.
if (!process.argv.includes("--no-peers")) {
  const section = peersSection(peersBench({ documents: DOCUMENTS }));
  console.log(`\n${section}\n`);
  if (WRITE) writePeersSection(section);
}

// 6. A live cluster: charter check --cluster next to kubectl get, the same objects.
if (!process.argv.includes("--no-cluster")) {
  const result = await clusterBench({ documents: DOCUMENTS });
  if (result) {
    const section = clusterSection(result);
    console.log(`\n${section}\n`);
    if (WRITE) writeClusterSection(section);
  }
}

// 7. `charter serve` under load, after the scans so that they do not share the cores.
if (!process.argv.includes("--no-serve")) {
  const load = await serveLoad();
  printServeLoad(load);
  if (WRITE) writeServeSection(serveSection(load, hostFacts()));
}

// 8. The webhook's watch caches: memory with --large objects, fed by a fake API server.
if (!process.argv.includes("--no-webhook-caches")) {
  const section = webhookCachesSection(await webhookCachesBench({ objects: LARGE }));
  console.log(`\n${section}\n`);
  if (WRITE) writeWebhookCachesSection(section);
}

// 9. The admission webhook's latency: directly under autocannon, and through the API server.
if (!process.argv.includes("--no-webhook")) {
  const result = await webhookLoadBench();
  if (result) {
    const section = webhookLoadSection(result);
    console.log(`\n${section}\n`);
    if (WRITE) writeWebhookLoadSection(section);
  }
}
