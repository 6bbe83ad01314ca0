/**
 * Where the author's code called the DSL: the first stack frame outside this package's own
 * modules (test files excepted, so the package's tests see their own positions). Policy files
 * are loaded by jiti or vitest, which install source maps; with them enabled V8 reports the
 * original .ts positions.
 *
 * "Own modules" are both the package's `src/` and `dist/`: the package runs from `dist/`, but
 * once source maps are on (vitest turns them on before loading it) its frames name the `src/`
 * files the maps point to. A public entry point also passes itself, so frames up to and
 * including it are cut off by V8 whatever their paths say (a bundler may inline the package).
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

process.setSourceMapsEnabled?.(true);

export interface CallSite {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** The folders this package's modules live in: `src/` and `dist/`, as given and resolved. */
export function ownFolders(moduleUrl: string): string[] {
  const here = dirname(fileURLToPath(moduleUrl));
  const folders =
    basename(here) === "src" || basename(here) === "dist"
      ? [join(dirname(here), "src"), join(dirname(here), "dist")]
      : [here];
  const resolved = folders.map((folder) => {
    try {
      return realpathSync(folder);
    } catch {
      return folder;
    }
  });
  return [...new Set([...folders, ...resolved])].map((folder) => folder + sep);
}

const OWN_FOLDERS = ownFolders(import.meta.url);
const FRAME = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/;

/** True for a module of this package (its tests excepted). */
export function isOwnModule(file: string, folders: readonly string[] = OWN_FOLDERS): boolean {
  return folders.some((folder) => file.startsWith(folder)) && !/\.test\.[cm]?[jt]s$/.test(file);
}

/** The first frame of a V8 stack (its first line is the message) that `isOwn` rejects. */
export function callerFrame(
  stack: string,
  isOwn: (file: string) => boolean = isOwnModule,
): CallSite | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const match = FRAME.exec(line.trim());
    if (!match) continue;
    const [, raw = "", lineText = "", columnText = ""] = match;
    if (raw.startsWith("node:") || raw.startsWith("internal/")) continue;
    const file = raw.startsWith("file://") ? fileURLToPath(raw) : raw;
    if (isOwn(file)) continue;
    return { file, line: Number(lineText), column: Number(columnText) };
  }
  return undefined;
}

/**
 * The author's call site. `entry` is the public function the author called: V8 then leaves
 * out every frame down to it, so the search starts at its caller.
 */
// biome-ignore lint/complexity/noBannedTypes: any function can be an entry point
export function callSite(entry?: Function): CallSite | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  try {
    if (entry) {
      const holder: { stack?: string } = {};
      Error.captureStackTrace(holder, entry);
      const site = callerFrame(holder.stack ?? "");
      if (site) return site;
    }
    return callerFrame(new Error().stack ?? "");
  } finally {
    Error.stackTraceLimit = limit;
  }
}
