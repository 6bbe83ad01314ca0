/**
 * The real-manifest input of the benchmark: every YAML file of bench/corpus/ (release manifests
 * of public projects, bench/corpus/SOURCES.md), in file order, Lists flattened into their items
 * as kubectl does, written as one stream and as OPA's data file (generate.mjs's writer), so
 * every peer reads the very same documents.
 */
import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { writeDocuments } from "./generate.mjs";
import { repoRoot } from "./measure.mjs";

const CORPUS = path.join(repoRoot, "bench/corpus");

function corpusObjects() {
  const files = fs
    .readdirSync(CORPUS, { recursive: true })
    .filter((file) => file.endsWith(".yaml"))
    .sort();
  const objects = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(CORPUS, file), "utf8");
    for (const document of parseAllDocuments(text, { version: "1.1" })) {
      const value = document.toJS({ maxAliasCount: -1 });
      if (!value || typeof value !== "object" || !value.kind) continue;
      if (value.kind.endsWith("List") && Array.isArray(value.items)) objects.push(...value.items);
      else objects.push(value);
    }
  }
  return objects;
}

/** Writes the corpus to `<folder>/resources.yaml` and `.json`; `documents` is how many. */
export function corpusInput(folder) {
  const objects = corpusObjects();
  return {
    ...writeDocuments(objects.length, (index) => objects[index], folder),
    documents: objects.length,
    projects: fs
      .readdirSync(CORPUS)
      .filter((name) => fs.statSync(path.join(CORPUS, name)).isDirectory()),
  };
}
