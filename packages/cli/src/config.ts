/**
 * The project configuration, `charter.config.ts` (or .js/.mjs), found in the working folder or
 * the nearest folder above it. Flags win over the file.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CharterError, didYouMean, type JsonObject } from "@charter/ir";
import { importTypeScript } from "./import-ts.js";

export interface CharterConfig {
  /** Policy files or folders, relative to the config file. Default: `policies`. */
  readonly policies?: string | readonly string[];
  /** Parameter values per policy name, overriding the policies' defaults. */
  readonly params?: Readonly<Record<string, JsonObject>>;
  /** Policy exception files or folders (modules exporting `exception(…)`s), relative to it. */
  readonly exceptions?: string | readonly string[];
}

export interface LoadedConfig extends CharterConfig {
  /** The folder paths in the config are relative to. */
  readonly root: string;
  /** The config file, when one was found. */
  readonly file?: string;
}

const CONFIG_KEYS = ["policies", "params", "exceptions"];

const CONFIG_NAMES = [
  "charter.config.ts",
  "charter.config.mts",
  "charter.config.js",
  "charter.config.mjs",
];

/** Typed identity, for editor completion in `charter.config.ts`. */
export function defineConfig(config: CharterConfig): CharterConfig {
  return config;
}

export function findConfigFile(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  const file = explicit ? resolve(cwd, explicit) : findConfigFile(cwd);
  if (!file) return { root: cwd };
  if (!existsSync(file)) throw new CharterError(`config file not found: ${file}`, { file });
  const config = await importTypeScript(file);
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new CharterError(
      'the config file must `export default` an object such as `{ policies: "policies" }`',
      { file },
    );
  }
  const { policies, params, exceptions, ...unknown } = config as Record<string, unknown>;
  for (const key of Object.keys(unknown)) {
    const suggestion = didYouMean(key, CONFIG_KEYS);
    throw new CharterError(
      `the config has an unknown key \`${key}\`${suggestion ? `; ${suggestion}` : ""}`,
      { file },
      `its keys are ${CONFIG_KEYS.join(", ")}`,
    );
  }
  const isPathList =
    typeof policies === "string" ||
    (Array.isArray(policies) && policies.every((p) => typeof p === "string"));
  if (policies !== undefined && !isPathList) {
    throw new CharterError("`policies` must be a path or a list of paths", { file });
  }
  const isExceptionList =
    typeof exceptions === "string" ||
    (Array.isArray(exceptions) && exceptions.every((p) => typeof p === "string"));
  if (exceptions !== undefined && !isExceptionList) {
    throw new CharterError("`exceptions` must be a path or a list of paths", { file });
  }
  if (
    params !== undefined &&
    (typeof params !== "object" || params === null || Array.isArray(params))
  ) {
    throw new CharterError("`params` must map policy names to parameter objects", { file });
  }
  return { ...(config as CharterConfig), root: dirname(file), file };
}
