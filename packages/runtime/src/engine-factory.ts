/**
 * The engines by the name `--engine` gives them, and how to make each: the one factory the CLI
 * and @charter/testing share (createEngines). `ir` is in-process and always there; `kyverno-cel` and `vap-cel`
 * evaluate the emitted CEL in-process; `opa`, `wasm` and `gatekeeper` need the real `opa`
 * binary; `cel-judge` the Kubernetes CEL judge (tools/kubernetes/cel-judge).
 */
import type { Policy } from "@charter/ir";
import { createInProcessCelEngine } from "./cel-in-process/engine.js";
import { findCelJudge } from "./cel-judge-client/find.js";
import { createCelJudgeEngine } from "./cel-judge-engine/engine.js";
import { ENGINE_NAMES, type EngineName } from "./engine-names.js";
import type { EngineSettings } from "./engine-settings.js";
import { withExceptions } from "./exceptions/apply.js";
import { createGatekeeperEngine } from "./gatekeeper/engine.js";
import { irEngineFactory } from "./ir-engine/ir-engine-of.js";
import { createOpaEngine } from "./opa/engine.js";
import { findOpa } from "./opa/find.js";
import { createPartialEngine } from "./partial-engine.js";
import type { Engine } from "./types.js";
import { createWasmEngine } from "./wasm/engine.js";

export type { EngineSettings, ExceptionsInForce } from "./engine-settings.js";
export { ENGINE_NAMES, type EngineName };

/**
 * How to make each engine, or why it cannot be made here. The Rego engines (opa, wasm,
 * gatekeeper) and the CEL judge apply exceptions through the emitted artifacts, as a cluster
 * would; the IR engine's batch form and the in-process CEL engines get them applied by the
 * runtime.
 */
export function engineFactory(
  name: EngineName,
  { exceptions, now, systemNamespaces = [] }: EngineSettings = { exceptions: [], now: Date.now() },
): ((policies: readonly Policy[]) => Engine) | string {
  const theirs = (policies: readonly Policy[]) =>
    exceptions.filter((e) => policies.some((p) => p.name === e.policy));
  const runtimeApplied = (engine: Engine) => withExceptions(engine, exceptions, now);
  switch (name) {
    case "ir":
      return irEngineFactory({ exceptions, now, systemNamespaces });
    case "kyverno-cel":
    case "vap-cel":
      return (policies) =>
        runtimeApplied(createInProcessCelEngine(policies, { name, systemNamespaces }));
    case "opa":
    case "wasm":
    case "gatekeeper": {
      const opaPath = findOpa();
      if (!opaPath) return "no opa binary (set CHARTER_OPA or install it)";
      const options = (policies: readonly Policy[]) => ({
        opaPath,
        exceptions: theirs(policies),
        now,
        systemNamespaces,
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
        createCelJudgeEngine(policies, {
          judgePath,
          name,
          exceptions: theirs(policies),
          now,
          systemNamespaces,
        });
    }
  }
}

/** The engines that could be made, and those that could not, with the reason. */
export interface EngineChoice {
  readonly engines: Engine[];
  /** Engines this machine cannot run (no `opa`, no judge): the reason, without advice. */
  readonly missing: { readonly name: EngineName; readonly reason: string }[];
}

/**
 * Makes the named engines over the policies. A policy an engine's target cannot express gets
 * skip rows saying why (partial-engine.ts). Whether a missing engine is an error, and how to
 * say so, is the caller's: the CLI and @charter/testing advise differently.
 */
export function createEngines(
  policies: readonly Policy[],
  names: readonly EngineName[],
  settings?: EngineSettings,
): EngineChoice {
  const engines: Engine[] = [];
  const missing: { name: EngineName; reason: string }[] = [];
  for (const name of names) {
    const factory = engineFactory(name, settings);
    const systemNamespaces = settings?.systemNamespaces ?? [];
    if (typeof factory === "function")
      engines.push(createPartialEngine(name, policies, factory, systemNamespaces));
    else missing.push({ name, reason: factory });
  }
  return { engines, missing };
}
