/**
 * Which Charter and which Node made a cache entry: a different one never reads it. A release is
 * named by its version. A checkout of Charter's own repository is rebuilt under the same version,
 * so there each package's `tsconfig.tsbuildinfo` (rewritten by every `tsc -b` that changes the
 * package's output) is stamped into the identity too.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliPackageDir } from "../cli-package.js";
import { VERSION } from "../version.js";
import { statStamp } from "./facts.js";

export interface CharterBuild {
  readonly charter: string;
  readonly node: string;
  readonly platform: string;
  /** `package: stamp` of each package's build info, in a checkout of Charter. */
  readonly builds: readonly string[];
}

/**
 * Undefined when Charter runs from its TypeScript sources (its own tests): nothing then says
 * when the code changed, so nothing is cached.
 */
export function charterBuild(): CharterBuild | undefined {
  if (fileURLToPath(import.meta.url).endsWith(".ts")) return undefined;
  const packages = dirname(cliPackageDir());
  return {
    charter: VERSION,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    builds: buildStamps(packages),
  };
}

function buildStamps(packages: string): string[] {
  let names: string[];
  try {
    names = readdirSync(packages).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const stamp = statStamp(join(packages, name, "tsconfig.tsbuildinfo"));
    return stamp === undefined ? [] : [`${name}: ${stamp}`];
  });
}
