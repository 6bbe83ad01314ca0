/** The IR engine: the policies compiled to closures once, then judged in-process. */
import type { Policy } from "@charter/ir";
import { assertResources } from "../input/resources-input.js";
import type { Engine, Finding, Resource } from "../types.js";
import { type CompiledPolicy, evaluateAll } from "./evaluate.js";
import { type Evaluator, policyCompiler } from "./evaluator.js";

export interface IrEngine extends Engine {
  readonly name: "ir";
  /** The same findings as `evaluate`, without a promise: for tests and hot loops. */
  evaluateSync(resources: readonly Resource[]): readonly Finding[];
}

export interface IrEngineOptions {
  /** The policy set's system namespaces: objects in them get skip rows (none by default). */
  readonly systemNamespaces?: readonly string[];
  /** How rules are evaluated: closures (the default) or generated code; the rows are the same. */
  readonly evaluator?: Evaluator;
}

/**
 * Compiles every policy up front (throws CharterError for IR it cannot run), so each
 * evaluation only runs closures.
 */
export function createIrEngine(
  policies: readonly Policy[],
  options: IrEngineOptions = {},
): IrEngine {
  const systemNamespaces = options.systemNamespaces ?? [];
  const compile = policyCompiler(options.evaluator);
  const compiled: readonly CompiledPolicy[] = policies.map((policy) =>
    compile(policy, systemNamespaces),
  );
  const evaluateSync = (resources: readonly Resource[]) => {
    assertResources(resources);
    return evaluateAll(compiled, resources);
  };
  return {
    name: "ir",
    evaluateSync,
    // async, so a wrong input is a rejected promise as any other evaluation error.
    evaluate: async (resources) => evaluateSync(resources),
  };
}
