/**
 * Which files an input names: a file as given (whatever its name), or the files of a folder
 * found recursively that match the include globs and none of the exclude globs — matched with
 * picomatch on the path relative to that folder, `/`-separated. Sorted by name at every level
 * so a scan is deterministic; dot-folders (`.git`, `.github`, …) and `node_modules` are never
 * entered, nor a folder an exclude glob matches; each real folder is followed once (symlink
 * loops). A folder's matches that are not regular files (FIFOs, sockets, devices) are listed
 * as such, never opened. Listed lazily, so a huge tree starts scanning at once.
 */
import type { Stats } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import picomatch from "picomatch";

/** What a folder contributes when no include glob is given (any case: `x.YAML` counts). */
export const DEFAULT_INCLUDE = ["**/*.{yaml,yml,json}"] as const;

export type Listed =
  | { readonly kind: "file"; readonly path: string }
  /** A folder scan's match that is no regular file (a FIFO would block the scan forever). */
  | { readonly kind: "special"; readonly path: string; readonly what: string }
  | { readonly kind: "unreadable"; readonly path: string; readonly error: unknown };

export interface FileFilter {
  /** Whether a file (path relative to its input folder) is scanned. */
  readonly file: (relativePath: string) => boolean;
  /** Whether a folder (path relative to its input folder) is left out with all it holds. */
  readonly prunes: (relativePath: string) => boolean;
}

/** The filter of include and exclude globs; `include` defaults to DEFAULT_INCLUDE. */
export function fileFilter(
  include?: readonly string[],
  exclude: readonly string[] = [],
): FileFilter {
  const included =
    include === undefined || include.length === 0
      ? picomatch([...DEFAULT_INCLUDE], { dot: true, nocase: true })
      : picomatch([...include], { dot: true });
  const excluded = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false;
  return {
    file: (path) => included(path) && !excluded(path),
    prunes: (path) => excluded(path) || excluded(`${path}/`),
  };
}

function skippedFolder(name: string): boolean {
  return name.startsWith(".") || name === "node_modules";
}

function relativePosix(root: string, path: string): string {
  const rel = relative(root, path);
  return sep === "/" ? rel : rel.split(sep).join("/");
}

async function* walk(
  root: string,
  folder: string,
  filter: FileFilter,
  seen: Set<string>,
): AsyncGenerator<Listed> {
  let names: string[];
  try {
    const real = await realpath(folder);
    if (seen.has(real)) return;
    seen.add(real);
    names = (await readdir(folder)).sort();
  } catch (error) {
    yield { kind: "unreadable", path: folder, error };
    return;
  }
  for (const name of names) {
    const path = join(folder, name);
    let stats: Stats;
    try {
      stats = await stat(path); // follows symlinks
    } catch (error) {
      yield { kind: "unreadable", path, error };
      continue;
    }
    const rel = relativePosix(root, path);
    if (stats.isDirectory()) {
      if (!skippedFolder(name) && !filter.prunes(rel)) yield* walk(root, path, filter, seen);
    } else if (filter.file(rel)) {
      // Only regular files: reading a FIFO named x.yaml would wait for a writer forever.
      yield stats.isFile()
        ? { kind: "file", path }
        : { kind: "special", path, what: kindOf(stats) };
    }
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/**
 * The files of one input path (not `-`), in scan order. A path named explicitly is read
 * whatever it is (`<(helm template …)` is a pipe); a folder gives its regular files only.
 */
export async function* listInput(
  input: string,
  filter: FileFilter = fileFilter(),
): AsyncGenerator<Listed> {
  try {
    if (!(await stat(input)).isDirectory()) {
      yield { kind: "file", path: input };
      return;
    }
  } catch (error) {
    yield { kind: "unreadable", path: input, error };
    return;
  }
  yield* walk(input, input, filter, new Set());
}

const DESCRIPTIONS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder",
  ENOTDIR: "a part of the path is not a folder",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
};

/** One line for a file-system error: what went wrong, without Node's stack or syscall noise. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return `${DESCRIPTIONS[code] ?? "cannot be read"} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
