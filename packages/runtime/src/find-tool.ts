/**
 * Where an engine binary is: `$<env var>` when set (an explicit choice that does not work is
 * not silently replaced by another binary), then `.tools/bin/<name>` in the current folder or
 * one of its ancestors, or above this package (scripts/install-engines.sh puts the pinned
 * builds there), then `<name>` on PATH (unless `onPath` is false: a binary that must be the pinned
 * build, such as kubectl for the test cluster, is never one that happens to be on the machine).
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";

export interface FindToolOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Also look on PATH (default true). */
  readonly onPath?: boolean;
}

/** Whether `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function inTools(start: string, name: string): string | undefined {
  for (let folder = resolve(start); ; folder = dirname(folder)) {
    const candidate = join(folder, ".tools", "bin", name);
    if (isExecutable(candidate)) return candidate;
    if (dirname(folder) === folder) return undefined;
  }
}

function onPath(path: string | undefined, name: string): string | undefined {
  for (const folder of (path ?? "").split(delimiter)) {
    if (folder === "") continue;
    const candidate = join(folder, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The path of the binary `name`, or undefined when there is none. */
export function findTool(
  name: string,
  envVar: string,
  options: FindToolOptions = {},
): string | undefined {
  const env = options.env ?? process.env;
  const fromEnv = env[envVar];
  if (fromEnv !== undefined && fromEnv !== "") {
    return isExecutable(fromEnv) ? resolve(fromEnv) : undefined;
  }
  return (
    inTools(options.cwd ?? process.cwd(), name) ??
    inTools(dirname(new URL(import.meta.url).pathname), name) ??
    (options.onPath === false ? undefined : onPath(env.PATH, name))
  );
}
