/**
 * Where Gatekeeper's `gator` CLI is: `$CHARTER_GATOR`, then `.tools/bin/gator` in the current
 * folder or one of its ancestors (scripts/install-gator.sh puts it there), then `gator` on PATH.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function inTools(start: string): string | undefined {
  let folder = resolve(start);
  for (;;) {
    const candidate = join(folder, ".tools", "bin", "gator");
    if (isExecutable(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

export interface FindGatorOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** The path of a `gator` binary, or undefined when there is none. */
export function findGator(options: FindGatorOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const fromEnv = env.CHARTER_GATOR;
  if (fromEnv !== undefined && fromEnv !== "") {
    return isExecutable(fromEnv) ? resolve(fromEnv) : undefined;
  }
  const onPath = (env.PATH ?? "")
    .split(delimiter)
    .filter((folder) => folder !== "")
    .map((folder) => join(folder, "gator"))
    .find(isExecutable);
  return (
    inTools(options.cwd ?? process.cwd()) ??
    inTools(dirname(new URL(import.meta.url).pathname)) ??
    onPath
  );
}
