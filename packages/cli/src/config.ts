/**
 * The project configuration, `charter.config.ts` (or .js/.mjs), found in the working folder or
 * the nearest folder above it. Flags win over the file.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  CharterError,
  DEFAULT_SYSTEM_NAMESPACES,
  didYouMean,
  type JsonObject,
  NAMESPACE_NAME_PATTERN,
} from "@charter/ir";
import { importTypeScript } from "./import-ts.js";

export interface CharterConfig {
  /** Policy files or folders, relative to the config file. Default: `policies`. */
  readonly policies?: string | readonly string[];
  /** Parameter values per policy name, overriding the policies' defaults. */
  readonly params?: Readonly<Record<string, JsonObject>>;
  /** Policy exception files or folders (modules exporting `exception(…)`s), relative to it. */
  readonly exceptions?: string | readonly string[];
  /**
   * The system namespaces no policy judges, so that applying the library never blocks the
   * control plane: `charter build` and `charter bundle` leave them out of every target, and
   * `charter check` gives their objects (and those Namespaces themselves) skip rows. Default
   * `["kube-system", "kube-public", "kube-node-lease"]`; `[]` judges everything. Policy cases
   * (`charter test`) are judged without them. Semantics: packages/ir/src/system-namespaces.ts.
   */
  readonly systemNamespaces?: readonly string[];
}

export interface LoadedConfig extends CharterConfig {
  /** The folder paths in the config are relative to. */
  readonly root: string;
  /** The config file, when one was found. */
  readonly file?: string;
}

const CONFIG_KEYS = ["policies", "params", "exceptions", "systemNamespaces"];

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
  const { policies, params, exceptions, systemNamespaces, ...unknown } = config as Record<
    string,
    unknown
  >;
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
  checkSystemNamespaces(systemNamespaces, file);
  return { ...(config as CharterConfig), root: dirname(file), file };
}

function checkSystemNamespaces(value: unknown, file: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((name) => typeof name === "string")) {
    throw new CharterError(
      "`systemNamespaces` must be a list of namespace names",
      { file },
      `for example ${JSON.stringify(DEFAULT_SYSTEM_NAMESPACES)} (the default), or [] to judge every namespace`,
    );
  }
  const seen = new Set<string>();
  for (const name of value as string[]) {
    if (!NAMESPACE_NAME_PATTERN.test(name)) {
      throw new CharterError(
        `\`systemNamespaces\` lists ${JSON.stringify(name)}, which is not a namespace name`,
        { file },
        'a namespace name is at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
      );
    }
    if (seen.has(name)) {
      throw new CharterError(`\`systemNamespaces\` lists ${JSON.stringify(name)} twice`, { file });
    }
    seen.add(name);
  }
}

/** The system namespaces in force: the config's, else the default three. */
export function systemNamespacesOf(config: CharterConfig): readonly string[] {
  return config.systemNamespaces ?? DEFAULT_SYSTEM_NAMESPACES;
}
