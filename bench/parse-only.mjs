/**
 * The floor a scan cannot beat: read a multi-document YAML file and turn every document into
 * plain data with the same `yaml` package and YAML 1.1 flavour the runtime reads manifests
 * with (Parser → Composer → toJS), and nothing else. Prints the document count and the time
 * spent parsing (the process's own start-up is measured by the caller).
 *
 *   node bench/parse-only.mjs <file.yaml>
 */
import fs from "node:fs";
import { Composer, Parser } from "yaml";

const file = process.argv[2];
if (!file) {
  console.error("usage: node bench/parse-only.mjs <file.yaml>");
  process.exit(2);
}

const started = process.hrtime.bigint();
const text = fs.readFileSync(file, "utf8");
const composer = new Composer({ version: "1.1" });
let documents = 0;
for (const document of composer.compose(new Parser().parse(text), true)) {
  if (document.errors.length > 0) throw new Error(`document ${documents + 1} does not parse`);
  const value = document.toJS({ maxAliasCount: 100 });
  if (value !== null && value !== undefined) documents++;
}
const parseMs = Number(process.hrtime.bigint() - started) / 1e6;
console.log(JSON.stringify({ documents, parseMs }));
