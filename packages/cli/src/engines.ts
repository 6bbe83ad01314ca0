/**
 * The engines `--engine` names. `ir` is in-process and always there; `kyverno-cel` and `vap-cel`
 * evaluate the emitted CEL in-process with the Kubernetes semantics; `opa` (the emitted Rego),
 * `wasm` (the same Rego compiled once by `opa build -t wasm`, evaluated in-process by
 * @open-policy-agent/opa-wasm) and `gatekeeper` (the ConstraintTemplates' Rego in Gatekeeper's
 * input shape) need the real `opa` binary; `cel-judge` runs the emitted CEL in the Kubernetes
 * API server's own CEL environment (tools/cel-judge). scripts/install-engines.sh installs both
 * binaries into .tools/bin. Under `CI=true`, or when an engine is asked for by name, a missing
 * engine is an error; otherwise it is skipped and named.
 */
import type { Policy } from "@charter/ir";
import { CharterError } from "@charter/ir";
import {
  createPartialEngine,
  ENGINE_NAMES,
  type Engine,
  type EngineName,
  type ExceptionsInForce,
  engineFactory,
} from "@charter/runtime";

export { ENGINE_NAMES, type EngineName, type ExceptionsInForce };

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

const INSTALL_HINT =
  "run scripts/install-engines.sh (it builds the pinned engines into .tools/bin), or put the binary on PATH";

/**
 * Creates the named engines. `required` engines must exist; the others are skipped with a
 * reason when they are missing.
 */
export function createEngines(
  policies: readonly Policy[],
  names: readonly EngineName[],
  required: boolean,
  inForce: ExceptionsInForce = { exceptions: [], now: Date.now() },
): EngineChoice {
  const engines: Engine[] = [];
  const skipped: { name: EngineName; reason: string }[] = [];
  for (const name of names) {
    const factory = engineFactory(name, inForce);
    // A policy the engine's target cannot express gets skip rows saying why (see partial-engine.ts).
    if (typeof factory === "function") engines.push(createPartialEngine(name, policies, factory));
    else if (required) {
      throw new CharterError(`the ${name} engine was asked for, but ${factory}`, {}, INSTALL_HINT);
    } else skipped.push({ name, reason: factory });
  }
  return { engines, skipped };
}

/** CI must not pass with an engine silently missing. */
export function enginesRequired(explicit: boolean): boolean {
  return explicit || process.env.CI === "true" || process.env.CI === "1";
}
