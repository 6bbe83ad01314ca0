/**
 * Replaces `DIR/<target>/` folders all at once: everything is written to a temporary folder
 * inside DIR first and renamed into place only when complete, so a failure never leaves a
 * half-written output folder.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";

/** Files per target folder, paths relative to that folder (bytes for binary files: wasm). */
export type TargetFiles = ReadonlyMap<string, ReadonlyMap<string, string | Uint8Array>>;

/** Whether a file on disk holds exactly these contents. */
function sameContents(file: string, contents: string | Uint8Array): boolean {
  if (typeof contents === "string") return readFileSync(file, "utf8") === contents;
  return Buffer.from(contents).equals(readFileSync(file));
}

export function writeTargets(outDir: string, targets: TargetFiles): void {
  mkdirSync(outDir, { recursive: true });
  const staging = join(outDir, `.charter-tmp-${process.pid}-${Date.now()}`);
  try {
    for (const [target, files] of targets) {
      for (const [path, contents] of files) {
        const file = join(staging, target, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, contents);
      }
    }
    for (const target of targets.keys()) {
      const final = join(outDir, target);
      const old = join(staging, `${target}.old`);
      if (existsSync(final)) renameSync(final, old);
      renameSync(join(staging, target), final);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export interface Drift {
  readonly changed: string[];
  readonly added: string[];
  readonly removed: string[];
}

/** What differs between the files on disk and the ones the sources compile to. */
export function diffTargets(outDir: string, targets: TargetFiles): Drift {
  const drift: Drift = { changed: [], added: [], removed: [] };
  for (const [target, files] of targets) {
    const folder = join(outDir, target);
    const onDisk = new Set(listFiles(folder).map((file) => relative(folder, file)));
    for (const [path, contents] of files) {
      const shown = join(relative(process.cwd(), folder) || ".", path);
      if (!onDisk.has(path)) drift.added.push(shown);
      else if (!sameContents(join(folder, path), contents)) drift.changed.push(shown);
      onDisk.delete(path);
    }
    for (const path of onDisk) drift.removed.push(join(relative(process.cwd(), folder), path));
  }
  return drift;
}

function listFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Files of one folder, paths relative to it. */
export type FolderFiles = ReadonlyMap<string, string>;

/**
 * Writes these files into DIR and leaves its other files alone (DIR may hold hand-written
 * ones): everything is written to a temporary folder inside DIR first, and each file is renamed
 * into place only once all are complete.
 */
export function writeFiles(outDir: string, files: FolderFiles): void {
  mkdirSync(outDir, { recursive: true });
  const staging = join(outDir, `.charter-tmp-${process.pid}-${Date.now()}`);
  try {
    for (const [path, contents] of files) {
      const file = join(staging, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, contents);
    }
    for (const path of files.keys()) {
      const final = join(outDir, path);
      mkdirSync(dirname(final), { recursive: true });
      renameSync(join(staging, path), final);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * What differs between DIR and these files, paths relative to DIR. Other files in DIR are not
 * ours to judge, so `removed` stays empty.
 */
export function diffFiles(outDir: string, files: FolderFiles): Drift {
  const drift: Drift = { changed: [], added: [], removed: [] };
  for (const [path, contents] of files) {
    const file = join(outDir, path);
    if (!existsSync(file)) drift.added.push(path);
    else if (readFileSync(file, "utf8") !== contents) drift.changed.push(path);
  }
  return drift;
}
