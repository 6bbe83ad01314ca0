/**
 * Writes a new policy project into a folder. The folder must be empty (a `.git` alone is
 * fine) unless `force` is set; with `force`, the scaffold's own files replace files of the same
 * name and nothing else is touched.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CharterError } from "@charter/ir";
import { VENDOR_DIR } from "./local-packages.js";
import { projectFiles } from "./templates.js";

export interface ScaffoldOptions {
  readonly dir: string;
  readonly version: string;
  readonly force?: boolean;
  /** The package name; default: the folder's name, made a valid npm name. */
  readonly name?: string;
  /**
   * `@charter/<name>` → a tarball to copy into the project's vendor/charter/ and depend on by
   * a relative `file:` path (`charter init --from`).
   */
  readonly vendor?: ReadonlyMap<string, string>;
}

/** Entries that do not make a folder "not empty". */
const IGNORED = new Set([".git"]);

/** Writes the project; returns the files written, relative to `dir`. */
export function scaffold(options: ScaffoldOptions): string[] {
  const { dir, force = false } = options;
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) {
      throw new CharterError(`${dir} is a file, not a folder`, { file: dir });
    }
    const present = readdirSync(dir).filter((entry) => !IGNORED.has(entry));
    if (present.length > 0 && !force) {
      const shown = present.slice(0, 5).join(", ") + (present.length > 5 ? ", …" : "");
      throw new CharterError(
        `${dir} is not empty (${shown})`,
        { file: dir },
        "run charter init in a new or empty folder (charter init my-policies), or pass --force to add the project's files here, replacing any of the same name",
      );
    }
  }
  const name = options.name ?? packageName(basename(dir));
  const vendored = [...(options.vendor ?? [])].map(([pkg, tarball]) => ({
    pkg,
    tarball,
    path: `${VENDOR_DIR}/${basename(tarball)}`,
  }));
  const localPackages = options.vendor
    ? new Map(vendored.map(({ pkg, path }) => [pkg, `file:${path}`]))
    : undefined;
  const files = projectFiles({
    name,
    version: options.version,
    ...(localPackages ? { localPackages } : {}),
  });
  for (const [path, content] of files) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  for (const { tarball, path } of vendored) {
    mkdirSync(join(dir, VENDOR_DIR), { recursive: true });
    copyFileSync(tarball, join(dir, path));
  }
  return [...files.keys(), ...vendored.map(({ path }) => path)];
}

/** A valid npm package name made from a folder name (`My Policies` → `my-policies`). */
export function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+|[._-]+$/g, "");
  return name === "" ? "policies" : name.slice(0, 214);
}
