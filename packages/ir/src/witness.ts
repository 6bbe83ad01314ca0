/**
 * The witness chain of a rule's condition (see Rule in policy.ts): the condition flattened
 * into tests and `any` bindings, in order. `a and any c in C: (b and any d in D: e)` is
 * [test a, bind c∈C, test b, bind d∈D, test e]. The condition holds exactly when some choice
 * of bindings makes every test hold, so emitters write it as one body with a loop per binding,
 * and messages may use every bound variable.
 */
import type { Expr } from "./expr.js";

export type WitnessStep =
  | { readonly kind: "test"; readonly expr: Expr }
  | { readonly kind: "bind"; readonly variable: string; readonly collection: Expr };

export function witnessChain(condition: Expr): readonly WitnessStep[] {
  if (condition.kind === "and") return condition.args.flatMap(witnessChain);
  if (condition.kind === "quantifier" && condition.quantifier === "any") {
    return [
      { kind: "bind", variable: condition.variable, collection: condition.collection },
      ...witnessChain(condition.body),
    ];
  }
  return [{ kind: "test", expr: condition }];
}

/** The variables a message of this condition may use, outermost first. */
export function witnessVariables(condition: Expr): readonly string[] {
  return witnessChain(condition).flatMap((step) => (step.kind === "bind" ? [step.variable] : []));
}
