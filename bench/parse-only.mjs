/**
 * The floor a scan cannot beat: read a multi-document YAML file exactly as `charter check`
 * reads it — the document splitter, UTF-8, the YAML reader with Kubernetes' semantics, the
 * object checks (`streamResources` of the built runtime) — and judge nothing. Prints the
 * document count and the time spent reading (the process's own start-up is measured by the
 * caller). CHARTER_YAML_READER=yaml-package measures the yaml package's reader instead of the
 * fast one (packages/runtime/src/input/yaml-documents.ts).
 *
 *   node bench/parse-only.mjs <file.yaml>
 */
import { streamResources } from "../packages/runtime/dist/index.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: node bench/parse-only.mjs <file.yaml>");
  process.exit(2);
}

const started = process.hrtime.bigint();
let documents = 0;
for await (const event of streamResources([file])) {
  if (event.kind === "resource") documents++;
  else if (event.kind === "problem") throw new Error(`${event.problem.message} (${file})`);
}
const parseMs = Number(process.hrtime.bigint() - started) / 1e6;
console.log(JSON.stringify({ documents, parseMs }));
