/**
 * What says a package manager changed node_modules: the lockfiles and each manager's own record
 * of its last install, in the project's folder and every folder above it. The files a load
 * read from packages are keyed by their stamps (facts.ts), but an upgrade that re-points a
 * symlink to another version's folder leaves the old files as they were: these facts see the
 * install itself.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Fact, fileFact } from "./facts.js";

const INSTALL_RECORDS = [
  "pnpm-lock.yaml",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "bun.lock",
  "bun.lockb",
  "node_modules/.modules.yaml",
  "node_modules/.package-lock.json",
  "node_modules/.yarn-state.yml",
];

export function installFacts(from: string): Fact[] {
  const facts: Fact[] = [];
  for (let dir = from; ; dir = dirname(dir)) {
    for (const name of INSTALL_RECORDS) {
      const path = join(dir, name);
      facts.push(
        existsSync(path)
          ? fileFact(path, readFileSync(path), undefined)
          : { kind: "exists", path, exists: false },
      );
    }
    if (dirname(dir) === dir) return facts;
  }
}
