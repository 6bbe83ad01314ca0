/**
 * `charter init --from PATH`: the `@charter/*` packages a project installs without a registry
 * that has them. PATH is a Charter checkout (built: each package's `dist/` present), packed here
 * with `pnpm pack` (which turns `workspace:*` into versions), or a folder holding the tarballs
 * `pnpm pack` wrote (`charter-<name>-<version>.tgz`). The tarballs are copied into the project
 * (`vendor/charter/`) and named by relative `file:` paths, so the project moves and commits
 * as one folder and `npm ci` works in CI with no registry for `@charter/*`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CharterError } from "@charter/ir";
import { cliPackageDir } from "../cli-package.js";

/** Every package, in dependency order; the CLI and testing need the others at run time. */
export const CHARTER_PACKAGES = [
  "ir",
  "dsl",
  "compiler",
  "runtime",
  "images",
  "server",
  "cli",
  "testing",
] as const;

/** Where in the project the tarballs go (relative, so the project can be moved). */
export const VENDOR_DIR = "vendor/charter";

export interface LocalPackages {
  /** `@charter/<name>` → the tarball's absolute path. */
  readonly tarballs: ReadonlyMap<string, string>;
  /** The version the tarballs carry. */
  readonly version: string;
  /** Removes what packing left in a temporary folder. */
  readonly dispose: () => void;
}

const HINT =
  "pass a Charter checkout built with `pnpm install && pnpm build`, or a folder holding the seven charter-<name>-<version>.tgz files `pnpm pack` writes";

export function localPackages(from: string): LocalPackages {
  if (!existsSync(from) || !statSync(from).isDirectory()) {
    throw new CharterError(`--from ${from}: no such folder`, { file: from }, HINT);
  }
  return isCheckout(from) ? packCheckout(from) : tarballsIn(from);
}

/** The Charter checkout this CLI runs from, if it runs from one (not from an installed package). */
export function runningCheckout(): string | undefined {
  // packages/cli of the checkout.
  const checkout = dirname(dirname(cliPackageDir()));
  return isCheckout(checkout) && existsSync(join(checkout, "pnpm-workspace.yaml"))
    ? checkout
    : undefined;
}

function isCheckout(dir: string): boolean {
  const manifest = join(dir, "packages", "cli", "package.json");
  return existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "@charter/cli";
}

function packCheckout(checkout: string): LocalPackages {
  const unbuilt = CHARTER_PACKAGES.filter(
    (name) => !existsSync(join(checkout, "packages", name, "dist", "index.js")),
  );
  if (unbuilt.length > 0) {
    throw new CharterError(
      `--from ${checkout}: the checkout is not built (no dist/ in packages/${unbuilt.join(", packages/")})`,
      { file: checkout },
      `run \`pnpm install && pnpm build\` in ${checkout} first`,
    );
  }
  const destination = mkdtempSync(join(tmpdir(), "charter-pack-"));
  const dispose = () => rmSync(destination, { recursive: true, force: true });
  try {
    for (const name of CHARTER_PACKAGES) {
      // pnpm, not npm: only pnpm pack writes the workspace:* dependencies as versions.
      const packed = spawnSync("pnpm", ["pack", "--pack-destination", destination], {
        cwd: join(checkout, "packages", name),
        encoding: "utf8",
        shell: process.platform === "win32",
      });
      if (packed.error || packed.status !== 0) {
        throw new CharterError(
          `--from ${checkout}: \`pnpm pack\` failed in packages/${name}: ${packed.error?.message ?? packed.stderr.trim()}`,
          { file: checkout },
          "packing a checkout needs pnpm (the checkout's package manager) on PATH; or pack the packages elsewhere and pass the folder of tarballs",
        );
      }
    }
    return { ...tarballsIn(destination), dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

function tarballsIn(dir: string): LocalPackages {
  const files = readdirSync(dir);
  const tarballs = new Map<string, string>();
  const versions = new Set<string>();
  const missing: string[] = [];
  for (const name of CHARTER_PACKAGES) {
    const found = files.flatMap((file) => {
      const match = new RegExp(`^charter-${name}-(\\d+\\.\\d+\\.\\d+[0-9A-Za-z.+-]*)\\.tgz$`).exec(
        file,
      );
      return match?.[1] ? [{ file, version: match[1] }] : [];
    });
    if (found.length === 0) missing.push(`charter-${name}-<version>.tgz`);
    if (found.length > 1) {
      throw new CharterError(
        `--from ${dir}: more than one tarball of @charter/${name} (${found.map((f) => f.file).join(", ")})`,
        { file: dir },
        "keep one version of each package in the folder",
      );
    }
    for (const { file, version } of found) {
      tarballs.set(`@charter/${name}`, join(dir, file));
      versions.add(version);
    }
  }
  if (missing.length > 0) {
    throw new CharterError(
      `--from ${dir}: neither a Charter checkout nor a folder of its packages (missing ${missing.join(", ")})`,
      { file: dir },
      HINT,
    );
  }
  if (versions.size > 1) {
    throw new CharterError(
      `--from ${dir}: the tarballs are of different versions (${[...versions].join(", ")})`,
      { file: dir },
      "pack all seven packages from the same checkout",
    );
  }
  return { tarballs, version: [...versions][0] as string, dispose: () => {} };
}
