/**
 * Which files an input names: a file as given, or a folder's YAML and JSON files found
 * recursively — sorted by name at every level so a scan is deterministic, skipping dot-folders
 * (`.git`, `.github`, …) and `node_modules`, and following each real folder once (symlink loops).
 */
import { readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";

export const RESOURCE_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

export type Listed =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "unreadable"; readonly path: string; readonly error: unknown };

function isResourceFile(name: string): boolean {
  const lower = name.toLowerCase();
  return RESOURCE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function skippedFolder(name: string): boolean {
  return name.startsWith(".") || name === "node_modules";
}

async function walk(folder: string, seen: Set<string>, out: Listed[]): Promise<void> {
  let names: string[];
  try {
    const real = await realpath(folder);
    if (seen.has(real)) return;
    seen.add(real);
    names = (await readdir(folder)).sort();
  } catch (error) {
    out.push({ kind: "unreadable", path: folder, error });
    return;
  }
  for (const name of names) {
    const path = join(folder, name);
    let isFolder: boolean;
    try {
      isFolder = (await stat(path)).isDirectory(); // follows symlinks
    } catch (error) {
      out.push({ kind: "unreadable", path, error });
      continue;
    }
    if (isFolder) {
      if (!skippedFolder(name)) await walk(path, seen, out);
    } else if (isResourceFile(name)) {
      out.push({ kind: "file", path });
    }
  }
}

/** The files of one input path (not `-`), in scan order. */
export async function listInput(input: string): Promise<Listed[]> {
  try {
    if (!(await stat(input)).isDirectory()) return [{ kind: "file", path: input }];
  } catch (error) {
    return [{ kind: "unreadable", path: input, error }];
  }
  const out: Listed[] = [];
  await walk(input, new Set(), out);
  return out;
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
