/**
 * Where the `opa` binary is: `$CHARTER_OPA`, then `.tools/bin/opa` in the current folder or
 * one of its ancestors (scripts/install-engines.sh puts it there), then `opa` on PATH.
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
    const candidate = join(folder, ".tools", "bin", "opa");
    if (isExecutable(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

function onPath(path: string | undefined): string | undefined {
  for (const folder of (path ?? "").split(delimiter)) {
    if (folder === "") continue;
    const candidate = join(folder, "opa");
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface FindOpaOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** The path of an `opa` binary, or undefined when there is none. */
export function findOpa(options: FindOpaOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const fromEnv = env.CHARTER_OPA;
  if (fromEnv !== undefined && fromEnv !== "")
    return isExecutable(fromEnv) ? resolve(fromEnv) : undefined;
  return (
    inTools(options.cwd ?? process.cwd()) ??
    inTools(dirname(new URL(import.meta.url).pathname)) ??
    onPath(env.PATH)
  );
}
