/**
 * The engines `--engine` names. `ir` is always there; `opa` needs the real binary (installed by
 * scripts/install-engines.sh into .tools/bin, or on PATH). Under `CI=true`, or when an engine is
 * asked for by name, a missing engine is an error; otherwise it is skipped and named.
 */
import type { Policy } from "@charter/ir";
import { CharterError } from "@charter/ir";
import { createIrEngine, createOpaEngine, type Engine, findOpa } from "@charter/runtime";

export const ENGINE_NAMES = ["ir", "opa"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export function parseEngineNames(value: string, allowAll: boolean): EngineName[] {
  if (allowAll && value === "all") return [...ENGINE_NAMES];
  const names = value.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(ENGINE_NAMES as readonly string[]).includes(name)) {
      throw new CharterError(
        `unknown engine "${name}"`,
        {},
        `choose from ${ENGINE_NAMES.join(", ")}${allowAll ? ", all" : ""}`,
      );
    }
  }
  return names as EngineName[];
}

export interface EngineChoice {
  readonly engines: Engine[];
  /** Engines that could not be had, with the reason. */
  readonly skipped: { readonly name: EngineName; readonly reason: string }[];
}

/**
 * Creates the named engines. `required` engines must exist; the others are skipped with a
 * reason when they are missing.
 */
export function createEngines(
  policies: readonly Policy[],
  names: readonly EngineName[],
  required: boolean,
): EngineChoice {
  const engines: Engine[] = [];
  const skipped: { name: EngineName; reason: string }[] = [];
  for (const name of names) {
    if (name === "ir") {
      engines.push(createIrEngine(policies));
      continue;
    }
    const opaPath = findOpa();
    if (opaPath) {
      engines.push(createOpaEngine(policies, { opaPath }));
    } else if (required) {
      throw new CharterError(
        "the opa engine was asked for but no `opa` binary was found",
        {},
        "run scripts/install-engines.sh (it installs a pinned OPA into .tools/bin), put opa on PATH, or set CHARTER_OPA",
      );
    } else {
      skipped.push({ name, reason: "no opa binary (run scripts/install-engines.sh)" });
    }
  }
  return { engines, skipped };
}

/** CI must not pass with an engine silently missing. */
export function enginesRequired(explicit: boolean): boolean {
  return explicit || process.env.CI === "true" || process.env.CI === "1";
}
