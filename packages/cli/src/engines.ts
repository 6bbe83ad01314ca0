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
import type { Policy, PolicyException } from "@charter/ir";
import { CharterError } from "@charter/ir";
import {
  createCelJudgeEngine,
  createGatekeeperEngine,
  createInProcessCelEngine,
  createIrEngine,
  createOpaEngine,
  createPartialEngine,
  createWasmEngine,
  type Engine,
  findCelJudge,
  findOpa,
  withExceptions,
} from "@charter/runtime";

export const ENGINE_NAMES = [
  "ir",
  "opa",
  "wasm",
  "gatekeeper",
  "kyverno-cel",
  "vap-cel",
  "cel-judge",
] as const;
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

const INSTALL_HINT =
  "run scripts/install-engines.sh (it builds the pinned engines into .tools/bin), or put the binary on PATH";

/** Exceptions to apply, and the clock they expire by (milliseconds since the epoch). */
export interface ExceptionsInForce {
  readonly exceptions: readonly PolicyException[];
  readonly now: number;
}

/**
 * How to make each engine, or why it cannot be made here. The Rego engines (opa, wasm,
 * gatekeeper) and the CEL judge apply exceptions through the emitted artifacts, as a cluster
 * would; the IR engine's batch form and the in-process CEL engines get them applied by the
 * runtime.
 */
function engineFactory(
  name: EngineName,
  { exceptions, now }: ExceptionsInForce,
): ((policies: readonly Policy[]) => Engine) | string {
  const theirs = (policies: readonly Policy[]) =>
    exceptions.filter((e) => policies.some((p) => p.name === e.policy));
  const runtimeApplied = (engine: Engine) => withExceptions(engine, exceptions, now);
  switch (name) {
    case "ir":
      return (policies) => runtimeApplied(createIrEngine(policies));
    case "kyverno-cel":
    case "vap-cel":
      return (policies) => runtimeApplied(createInProcessCelEngine(policies, { name }));
    case "opa":
    case "wasm":
    case "gatekeeper": {
      const opaPath = findOpa();
      if (!opaPath) return "no opa binary (set CHARTER_OPA or install it)";
      const options = (policies: readonly Policy[]) => ({
        opaPath,
        exceptions: theirs(policies),
        now,
      });
      if (name === "opa") return (policies) => createOpaEngine(policies, options(policies));
      // opa compiles the Rego to WebAssembly once; @open-policy-agent/opa-wasm evaluates it.
      if (name === "wasm") return (policies) => createWasmEngine(policies, options(policies));
      return (policies) => createGatekeeperEngine(policies, options(policies));
    }
    case "cel-judge": {
      const judgePath = findCelJudge();
      if (!judgePath) return "no cel-judge binary (set CHARTER_CEL_JUDGE or install it)";
      // The judge gets the exceptions folded into the emitted CEL, as VAP and Kyverno ship them.
      return (policies) =>
        createCelJudgeEngine(policies, { judgePath, name, exceptions: theirs(policies), now });
    }
  }
}

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
