/**
 * The `ir` engine as `--engine ir` makes it: the closure engine with the exceptions applied by
 * the runtime. Apart from engine-factory.ts so that a scan on the IR engine loads no other
 * engine (each of those brings a compiler, a CEL library or a WebAssembly runtime).
 */
import type { Policy } from "@charter/ir";
import type { EngineSettings } from "../engine-settings.js";
import { withExceptions } from "../exceptions/apply.js";
import { createPartialEngine } from "../partial-engine.js";
import type { Engine } from "../types.js";
import { createIrEngine } from "./engine.js";

/** Makes the IR engine over a set of policies (what engineFactory("ir") returns). */
export function irEngineFactory({
  exceptions,
  now,
  systemNamespaces = [],
  evaluator,
}: EngineSettings): (policies: readonly Policy[]) => Engine {
  return (policies) =>
    withExceptions(
      createIrEngine(policies, { systemNamespaces, ...(evaluator ? { evaluator } : {}) }),
      exceptions,
      now,
    );
}

/** The IR engine over the policies, as createEngines(policies, ["ir"], settings) makes it. */
export function createIrScanEngine(policies: readonly Policy[], settings: EngineSettings): Engine {
  return createPartialEngine(
    "ir",
    policies,
    irEngineFactory(settings),
    settings.systemNamespaces ?? [],
  );
}
