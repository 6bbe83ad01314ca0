/**
 * How the IR engine evaluates conditions and messages: `closures` (compile.ts, the reference
 * and the default) or `generated` (../generated-engine: JavaScript source per policy). Both
 * give the same rows (test/generated-engine-differential.test.ts); everything around the
 * rules — matching, skips, exceptions, streaming, rows — is the same code for both.
 */
import type { Policy } from "@charter/ir";
import { compileGeneratedPolicy } from "../generated-engine/compile-policy.js";
import { type CompiledPolicy, compilePolicy } from "./evaluate.js";

export const EVALUATORS = ["closures", "generated"] as const;
export type Evaluator = (typeof EVALUATORS)[number];

export function isEvaluator(name: string): name is Evaluator {
  return (EVALUATORS as readonly string[]).includes(name);
}

/** Compiles a policy with the given evaluator (closures by default). */
export function policyCompiler(
  evaluator: Evaluator = "closures",
): (policy: Policy, systemNamespaces?: readonly string[]) => CompiledPolicy {
  return evaluator === "generated" ? compileGeneratedPolicy : compilePolicy;
}
