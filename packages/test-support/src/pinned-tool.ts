/**
 * The pinned tools tests run against (engines, the control plane, the signing rig's tools):
 * `$<ENV>` when set — an explicit choice that does not work is not replaced by another binary —
 * else `.tools/bin/<name>` of this checkout, where scripts/install-engines.sh puts the pinned
 * builds. Never PATH: a binary that happens to be on the machine is another release, and its
 * answers would prove nothing about the pinned one.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isExecutable } from "@charter/runtime";

const checkout = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface FindPinnedToolOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The checkout whose `.tools/bin` is searched (default: this one). */
  readonly repo?: string;
}

/** The path of the tool `name`, or undefined when there is none. */
export function findPinnedTool(
  name: string,
  envVar: string,
  options: FindPinnedToolOptions = {},
): string | undefined {
  const env = options.env ?? process.env;
  const fromEnv = env[envVar];
  if (fromEnv !== undefined && fromEnv !== "") {
    return isExecutable(fromEnv) ? resolve(fromEnv) : undefined;
  }
  const installed = join(options.repo ?? checkout, ".tools", "bin", name);
  return isExecutable(installed) ? installed : undefined;
}

/**
 * What a test does when its tools are missing: under CI=true (where install-engines.sh built
 * them) it is an error, so a CI run never passes by skipping; elsewhere a loud warning naming
 * what is skipped. Returns undefined, for `return missingForTests(…)`.
 */
export function missingForTests(
  message: string,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): undefined {
  if (env.CI === "true" || env.CI === "1") {
    throw new Error(`${message} (CI=true makes this an error)`);
  }
  console.warn(`\n*** ${message}: SKIPPING ${what} ***\n`);
  return undefined;
}
