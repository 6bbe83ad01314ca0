/**
 * Finds and loads the policies: files or folders named by `--policies` or the config. A folder
 * with an `index.ts` is loaded through it; otherwise every `.ts` file in it (tests excluded).
 * A module's default export is a policy or a list of policies.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { CharterError, type Policy, validatePolicySet } from "@charter/ir";
import type { LoadedConfig } from "./config.js";
import { withConfiguredParams } from "./config-params.js";
import { importTypeScript } from "./import-ts.js";

const POLICY_FILE = /\.(m?ts|m?js)$/;
const NOT_POLICY_FILE = /\.(test|spec|d)\.(m?ts|m?js)$/;

/**
 * The policies, with the config's `params` set — or, with `configured: false`, checked but
 * not set (`charter test` runs cases with the defaults).
 */
export async function loadPolicies(
  config: LoadedConfig,
  cwd: string,
  flag?: readonly string[],
  { configured = true }: { configured?: boolean } = {},
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
    for (const policy of asPolicies(await importTypeScript(file), file, cwd)) {
      const other = byName.get(policy.name);
      if (other && other !== policy && JSON.stringify(other) !== JSON.stringify(policy)) {
        throw new CharterError(`two different policies are named ${policy.name}`, policy.source);
      }
      byName.set(policy.name, policy);
    }
  }
  const policies = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  const withConfig = withConfiguredParams(policies, config, Boolean(flag?.length));
  return configured ? withConfig : policies;
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

function asPolicies(exported: unknown, file: string, cwd: string): readonly Policy[] {
  const list = Array.isArray(exported) ? exported : [exported];
  // A module with nothing that looks like a policy gets one line saying what to write, not
  // the IR validator's account of an empty object.
  if (list.length === 0 || !list.every(looksLikePolicy)) {
    const shown = relative(cwd, file) || file;
    throw new CharterError(
      "exports no policy; export default policy(…)",
      { file: shown },
      Array.isArray(exported) && exported.length > 0
        ? "a list must hold only policies: export default [policy(…), policy(…)]"
        : namedPolicies(exported),
    );
  }
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

/** What `policy(…)` returns has these; an IR policy written by hand is validated in full. */
function looksLikePolicy(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  return ["name", "match", "rules", "parameters"].every((key) => key in value);
}

/** The hint for a module whose policies are named exports instead of the default one. */
function namedPolicies(module: unknown): string | undefined {
  if (typeof module !== "object" || module === null) return undefined;
  const names = Object.entries(module)
    .filter(([key, value]) => key !== "default" && looksLikePolicy(value))
    .map(([key]) => key);
  return names.length
    ? `it exports ${names.join(", ")} by name; make ${names.length > 1 ? "a list of them" : "it"} the default export`
    : undefined;
}
