/**
 * The engines an expectation is checked on, built through @charter/runtime the way
 * `charter test` builds them (packages/cli/src/engines.ts): `ir` always; `kyverno-cel` and
 * `vap-cel` in-process; `opa`, `wasm` and `gatekeeper` with the `opa` binary; `cel-judge` with the
 * Kubernetes CEL judge. `"all"` takes every engine that can be had and leaves out the missing
 * ones; an engine asked for by name must be there.
 */
import type { Policy } from "@charter/ir";
import { createEngines, ENGINE_NAMES, type Engine, type EngineName } from "@charter/runtime";

export { ENGINE_NAMES, type EngineName };

/** `"ir"` (the default), `"all"` (every engine found), or engines by name (each required). */
export type EngineSelection = "ir" | "all" | readonly EngineName[];

/** The environment variable that picks the engines when an expectation does not. */
export const ENGINES_ENV = "CHARTER_TEST_ENGINES";

const INSTALL_HINT =
  "install it (Charter's scripts/install-engines.sh builds the pinned engines into .tools/bin), put it on PATH, or leave this engine out";

/** Reads a selection written as text: `ir`, `all`, or names separated by commas. */
export function parseEngineSelection(text: string): EngineSelection {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "ir") return "ir";
  if (trimmed === "all") return "all";
  return trimmed.split(",").map((name) => checkedName(name.trim(), ENGINES_ENV));
}

function checkedName(name: string, where: string): EngineName {
  if ((ENGINE_NAMES as readonly string[]).includes(name)) return name as EngineName;
  throw new Error(
    `@charter/testing: unknown engine "${name}" in ${where}; choose from ${ENGINE_NAMES.join(", ")}, or all`,
  );
}

/** The selection in force: the option, else $CHARTER_TEST_ENGINES, else the IR engine. */
export function engineSelection(option: EngineSelection | undefined): EngineSelection {
  if (option !== undefined) {
    if (typeof option !== "string") {
      for (const name of option) checkedName(name, "`engines`");
    } else if (option !== "ir" && option !== "all") {
      throw new Error(
        `@charter/testing: \`engines\` is "ir", "all" or a list of engine names, not "${option}"; write ["${option}"]`,
      );
    }
    return option;
  }
  const fromEnv = process.env[ENGINES_ENV];
  return fromEnv ? parseEngineSelection(fromEnv) : "ir";
}

/**
 * The engines of a selection over one policy (@charter/runtime's createEngines). A policy that
 * an engine's target cannot express is judged as `skip` rows by it; the expectation leaves that
 * engine out.
 */
export function judgingEngines(policy: Policy, selection: EngineSelection): Engine[] {
  const names: readonly EngineName[] =
    selection === "ir" ? ["ir"] : selection === "all" ? ENGINE_NAMES : selection;
  const { engines, missing } = createEngines([policy], names);
  const [absent] = missing;
  // "all" takes the engines that can be had; an engine asked for by name must be there.
  if (absent && selection !== "all") {
    throw new Error(
      `@charter/testing: the ${absent.name} engine was asked for, but there is ${absent.reason}; ${INSTALL_HINT}`,
    );
  }
  const judging = engines.filter((engine) => !engine.unjudgeable?.has(policy.name));
  if (judging.length === 0) {
    const reasons = engines.map((e) => `${e.name}: ${e.unjudgeable?.get(policy.name)}`);
    throw new Error(
      `@charter/testing: no engine can judge policy ${policy.name}${reasons.length ? ` (${reasons.join("; ")})` : ""}`,
    );
  }
  return judging;
}
