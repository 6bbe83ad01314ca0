/**
 * The folder of the @charter/cli package this code runs from, found by walking up from the
 * module's own file: the same answer from src/, dist/ and the bundle (dist/bundle/, where every
 * module's URL is its chunk's), so no path here counts `..`s.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let found: string | undefined;

export function cliPackageDir(): string {
  found ??= search(dirname(fileURLToPath(import.meta.url)));
  return found;
}

function search(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && nameOf(manifest) === "@charter/cli") return dir;
    if (dirname(dir) === dir) {
      throw new Error(`no @charter/cli package.json above ${from}; this is a bug in charter`);
    }
  }
}

function nameOf(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}
