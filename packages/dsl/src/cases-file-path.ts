/**
 * The file a `fromYaml` names. A relative path is relative to the policy file: the module
 * whose URL is given (`fromYaml(import.meta.url, "cases/x.yaml")`, which needs no stack
 * frames), or else the file that called `fromYaml`, found from the stack.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CharterError } from "@charter/ir";
import type { CallSite } from "./callsite.js";

const EXPLICIT =
  'write fromYaml(import.meta.url, "cases/good.yaml") to resolve it from the policy file';

export function casesFilePath(base: unknown, path: unknown, site: CallSite | undefined): string {
  const at = site ?? {};
  if (typeof path !== "string" || path === "") {
    throw new CharterError(
      "fromYaml(): the path of the cases file must be a non-empty string",
      at,
      EXPLICIT,
    );
  }
  if (base !== undefined) return resolve(dirname(moduleFile(base, at)), path);
  if (isAbsolute(path)) return path;
  if (!site) {
    throw new CharterError(
      `fromYaml(${JSON.stringify(path)}): the file that calls it cannot be found, so the relative path has no base`,
      at,
      EXPLICIT,
    );
  }
  return resolve(dirname(site.file), path);
}

/** The file of a module URL (`import.meta.url`): a `file:` URL, as a string or a URL. */
function moduleFile(base: unknown, at: CallSite | object): string {
  let url: URL | undefined;
  try {
    url = base instanceof URL ? base : typeof base === "string" ? new URL(base) : undefined;
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "file:") {
    throw new CharterError(
      `fromYaml(${JSON.stringify(String(base))}, …): the first of two arguments is the policy module's URL, a file: URL`,
      at,
      EXPLICIT,
    );
  }
  return fileURLToPath(url);
}
