/**
 * The engines `--engine` names. `ir` is in-process and always there; `kyverno-cel` and `vap-cel`
 * evaluate the emitted CEL in-process with the Kubernetes semantics; `opa` (the emitted Rego),
 * `wasm` (the same Rego compiled once by `opa build -t wasm`, evaluated in-process by
 * @open-policy-agent/opa-wasm) and `gatekeeper` (the ConstraintTemplates' Rego in Gatekeeper's
 * input shape) need the real `opa` binary; `cel-judge` runs the emitted CEL in the Kubernetes
 * API server's own CEL environment (tools/kubernetes/cel-judge). scripts/install-engines.sh installs both
 * binaries into .tools/bin. Under `CI=true`, or when an engine is asked for by name, a missing
 * engine is an error; otherwise it is skipped and named.
 */
import type { Policy } from "@charter/ir";
import { CharterError } from "@charter/ir";
import {
  createEngines,
  type EngineChoice,
  type EngineName,
  type EngineSettings,
} from "@charter/runtime";
import { ENGINE_NAMES, type ExceptionsInForce, parseEngineNames } from "./engine-names.js";

export { ENGINE_NAMES, type EngineName, type ExceptionsInForce, parseEngineNames };

const INSTALL_HINT =
  "run scripts/install-engines.sh (it builds the pinned engines into .tools/bin), or put the binary on PATH";

/**
 * The named engines (the runtime's createEngines). A missing `required` engine is an error
 * saying how to install it; the others are skipped with the reason.
 */
export function chooseEngines(
  policies: readonly Policy[],
  names: readonly EngineName[],
  required: boolean,
  settings?: EngineSettings,
): EngineChoice {
  const choice = createEngines(policies, names, settings);
  const [missing] = choice.missing;
  if (required && missing) {
    throw new CharterError(
      `the ${missing.name} engine was asked for, but ${missing.reason}`,
      {},
      INSTALL_HINT,
    );
  }
  return choice;
}

/** CI must not pass with an engine silently missing. */
export function enginesRequired(explicit: boolean): boolean {
  return explicit || process.env.CI === "true" || process.env.CI === "1";
}
