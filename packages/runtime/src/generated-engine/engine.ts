/**
 * The generated engine: each policy compiled to one JavaScript function (ajv's approach), then
 * judged in-process. Same interface and same findings as the closure engine (createIrEngine),
 * which stays the reference the differential test holds this one to.
 */
import type { Policy } from "@charter/ir";
import { assertResources } from "../input/resources-input.js";
import { type CompiledPolicy, evaluateAll } from "../ir-engine/evaluate.js";
import type { Engine, Finding, Resource } from "../types.js";
import { compileGeneratedPolicy } from "./compile-policy.js";

export interface GeneratedEngine extends Engine {
  readonly name: "ir";
  /** The same findings as `evaluate`, without a promise: for tests and hot loops. */
  evaluateSync(resources: readonly Resource[]): readonly Finding[];
}

export interface GeneratedEngineOptions {
  /** The policy set's system namespaces: objects in them get skip rows (none by default). */
  readonly systemNamespaces?: readonly string[];
}

/** Generates every policy's function up front (throws CharterError for IR it cannot run). */
export function createGeneratedEngine(
  policies: readonly Policy[],
  options: GeneratedEngineOptions = {},
): GeneratedEngine {
  const systemNamespaces = options.systemNamespaces ?? [];
  const compiled: readonly CompiledPolicy[] = policies.map((policy) =>
    compileGeneratedPolicy(policy, systemNamespaces),
  );
  const evaluateSync = (resources: readonly Resource[]) => {
    assertResources(resources);
    return evaluateAll(compiled, resources);
  };
  return {
    // The IR engine, evaluated another way: reports name the engine, not the evaluator.
    name: "ir",
    evaluateSync,
    evaluate: async (resources) => evaluateSync(resources),
  };
}
