/**
 * The IR engine's two evaluators — closures (the default) and generated JavaScript
 * (packages/runtime/src/generated-engine) — on the same documents in one process: the project's
 * policies (charter.config.ts), the documents read once, then each evaluator judging them all
 * ROUNDS times, alternating, so both meet the same machine load. Prints the best and median
 * time of each, and whether their rows are equal. Needs `pnpm build`.
 *
 *   node bench/generate.mjs 10000 /tmp/bench && node bench/evaluators.mjs /tmp/bench/resources.yaml
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { projectPoliciesAndExceptions } = await import(
  path.join(repoRoot, "packages/cli/dist/context.js")
);
const { createIrEngine, loadResources } = await import(
  path.join(repoRoot, "packages/runtime/dist/index.js")
);

const file = process.argv[2];
const ROUNDS = Number(process.argv[3] ?? 5);
if (!file) {
  console.error("usage: node bench/evaluators.mjs <resources.yaml> [rounds]");
  process.exit(2);
}
const quiet = { out() {}, err() {}, paint: (_style, text) => text };
const { policies } = await projectPoliciesAndExceptions(
  { cwd: repoRoot, output: quiet, stdin: process.stdin },
  {},
);
const { resources } = await loadResources([file]);
const engines = {
  closures: createIrEngine(policies, { evaluator: "closures" }),
  generated: createIrEngine(policies, { evaluator: "generated" }),
};
const times = { closures: [], generated: [] };
const rows = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, engine] of Object.entries(engines)) {
    const start = performance.now();
    rows[name] = engine.evaluateSync(resources);
    times[name].push(performance.now() - start);
  }
}
const same = JSON.stringify(rows.closures) === JSON.stringify(rows.generated);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
console.log(
  `${resources.length} documents, ${policies.length} policies, ${rows.closures.length} rows; rows equal: ${same}`,
);
for (const name of Object.keys(engines)) {
  console.log(
    `${name.padEnd(9)} best ${Math.min(...times[name]).toFixed(0)} ms, median ${median(times[name]).toFixed(0)} ms (${ROUNDS} rounds)`,
  );
}
if (!same) process.exit(1);
