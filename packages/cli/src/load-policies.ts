/**
 * Finds and loads the policies: files or folders named by `--policies` or the config. A folder
 * with an `index.ts` is loaded through it; otherwise every `.ts` file in it (tests excluded).
 * A module's default export is a policy or a list of policies.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { withParams } from "@charter/dsl";
import { CharterError, type JsonObject, type Policy, validatePolicySet } from "@charter/ir";
import type { LoadedConfig } from "./config.js";
import { importTypeScript } from "./import-ts.js";

const POLICY_FILE = /\.(m?ts|m?js)$/;
const NOT_POLICY_FILE = /\.(test|spec|d)\.(m?ts|m?js)$/;

export async function loadPolicies(
  config: LoadedConfig,
  cwd: string,
  flag?: readonly string[],
): Promise<Policy[]> {
  const paths = flag?.length
    ? flag.map((p) => resolve(cwd, p))
    : toList(config.policies ?? "policies").map((p) => resolve(config.root, p));
  const files = paths.flatMap(moduleFiles);
  if (files.length === 0) {
    throw new CharterError(
      `no policy files found in ${paths.map((p) => relative(cwd, p) || ".").join(", ")}`,
      {},
      "point --policies (or `policies` in charter.config.ts) at a folder of policy .ts files",
    );
  }
  const byName = new Map<string, Policy>();
  for (const file of files) {
    for (const policy of asPolicies(await importTypeScript(file), file)) {
      const other = byName.get(policy.name);
      if (other && other !== policy && JSON.stringify(other) !== JSON.stringify(policy)) {
        throw new CharterError(`two different policies are named ${policy.name}`, policy.source);
      }
      byName.set(policy.name, policy);
    }
  }
  const policies = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  return policies.map((policy) => applyParams(policy, config.params?.[policy.name]));
}

function toList(value: string | readonly string[]): readonly string[] {
  return typeof value === "string" ? [value] : value;
}

/**
 * The modules a path names: a file itself; a folder through its `index.ts`, or else every
 * `.ts`/`.js` file in it but tests and declarations. (Exceptions load the same way.)
 */
export function moduleFiles(path: string): string[] {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    throw new CharterError(`policy path not found: ${path}`, { file: path });
  }
  if (!stats.isDirectory()) return [path];
  const names = readdirSync(path).sort();
  const index = names.find((name) => /^index\.(m?ts|m?js)$/.test(name));
  if (index) return [join(path, index)];
  return names
    .filter((name) => POLICY_FILE.test(name) && !NOT_POLICY_FILE.test(name))
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile());
}

function asPolicies(exported: unknown, file: string): readonly Policy[] {
  const list = Array.isArray(exported) ? exported : [exported];
  try {
    return validatePolicySet({ irVersion: 1, policies: list }, file).policies;
  } catch (error) {
    throw new CharterError(
      `${file} must \`export default\` a policy (from \`policy(…)\`) or a list of them`,
      { file },
      error instanceof Error ? error.message.split("\n").slice(1, 3).join("; ").trim() : undefined,
    );
  }
}

function applyParams(policy: Policy, values: JsonObject | undefined): Policy {
  return values === undefined ? policy : withParams(policy, values);
}
