/**
 * Finds and loads the policy exceptions named by `exceptions` in the config (files or
 * folders, like `policies`). A module's default export is an exception or a list of them.
 * Each must name a loaded policy and rules it has: an exception for a policy that was renamed
 * would otherwise excuse nothing, silently.
 */
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import {
  CharterError,
  didYouMean,
  isValidExpiry,
  type Policy,
  type PolicyException,
  ruleNamesOf,
  validatePolicySet,
} from "@charter/ir";
import type { LoadedConfig } from "./config.js";
import { importTypeScript } from "./import-ts.js";
import { moduleFiles } from "./load-policies.js";

export async function loadExceptions(
  config: LoadedConfig,
  cwd: string,
  policies: readonly Policy[],
): Promise<PolicyException[]> {
  if (config.exceptions === undefined) return [];
  const list = typeof config.exceptions === "string" ? [config.exceptions] : config.exceptions;
  const paths = list.map((p) => resolve(config.root, p));
  for (const path of paths) {
    if (!existsSync(path)) {
      throw new CharterError(`exception path not found: ${relative(cwd, path) || path}`, {
        file: config.file ?? path,
      });
    }
  }
  const byName = new Map<string, PolicyException>();
  for (const file of paths.flatMap(moduleFiles)) {
    for (const exception of asExceptions(await importTypeScript(file), file)) {
      if (byName.has(exception.name)) {
        throw new CharterError(
          `two exceptions are named ${exception.name}`,
          exception.source ?? { file },
        );
      }
      checkExpiry(exception, file);
      checkTarget(exception, policies, file);
      byName.set(exception.name, exception);
    }
  }
  return [...byName.values()];
}

function asExceptions(exported: unknown, file: string): readonly PolicyException[] {
  const list = Array.isArray(exported) ? exported : [exported];
  try {
    return (
      validatePolicySet({ irVersion: 1, policies: [], exceptions: list }, file).exceptions ?? []
    );
  } catch (error) {
    throw new CharterError(
      `${file} must \`export default\` an exception (from \`exception(…)\`) or a list of them`,
      { file },
      error instanceof Error ? error.message.split("\n").slice(1, 3).join("; ").trim() : undefined,
    );
  }
}

/**
 * The IR schema only checks the shape of `expires`; an exception written as a plain object
 * (not through `exception(…)`, which checks it too) is checked against the calendar here.
 */
function checkExpiry(exception: PolicyException, file: string): void {
  if (isValidExpiry(exception.expires)) return;
  throw new CharterError(
    `exception ${exception.name}: expires ${JSON.stringify(exception.expires)} is not a date`,
    exception.source ?? { file },
    'write "YYYY-MM-DD" (it applies through that day, UTC) or an RFC 3339 date-time such as 2027-01-31T12:00:00Z',
  );
}

function checkTarget(exception: PolicyException, policies: readonly Policy[], file: string): void {
  const where = exception.source ?? { file };
  const policy = policies.find((p) => p.name === exception.policy);
  if (!policy) {
    const suggestion = didYouMean(
      exception.policy,
      policies.map((p) => p.name),
    );
    throw new CharterError(
      `exception ${exception.name} names policy ${exception.policy}, which is not loaded${suggestion ? `; ${suggestion}` : ""}`,
      where,
      "check the policy's name, or remove the exception",
    );
  }
  for (const rule of exception.rules ?? []) {
    if (!ruleNamesOf(policy).includes(rule)) {
      throw new CharterError(
        `exception ${exception.name} names rule ${rule}, which policy ${policy.name} does not have`,
        where,
        `its rules: ${ruleNamesOf(policy).join(", ")}`,
      );
    }
  }
}
