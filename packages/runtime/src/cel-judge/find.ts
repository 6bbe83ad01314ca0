/**
 * Where the `cel-judge` binary is: `$CHARTER_CEL_JUDGE`, then `.tools/bin/cel-judge` in the
 * current folder or one of its ancestors (scripts/install-cel-judge.sh puts it there), then
 * `cel-judge` on PATH.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";

const BINARY = "cel-judge";

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
    const candidate = join(folder, ".tools", "bin", BINARY);
    if (isExecutable(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

function onPath(path: string | undefined): string | undefined {
  for (const folder of (path ?? "").split(delimiter)) {
    if (folder === "") continue;
    const candidate = join(folder, BINARY);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface FindCelJudgeOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** The path of a `cel-judge` binary, or undefined when there is none. */
export function findCelJudge(options: FindCelJudgeOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const fromEnv = env.CHARTER_CEL_JUDGE;
  // An explicit choice that does not work is not silently replaced by another binary.
  if (fromEnv !== undefined && fromEnv !== "")
    return isExecutable(fromEnv) ? resolve(fromEnv) : undefined;
  return (
    inTools(options.cwd ?? process.cwd()) ??
    inTools(dirname(new URL(import.meta.url).pathname)) ??
    onPath(env.PATH)
  );
}
