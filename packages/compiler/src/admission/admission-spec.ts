/**
 * The part of a ValidatingAdmissionPolicy spec that Kyverno's ValidatingPolicy shares (it is a
 * superset of VAP): match constraints, match conditions, variables and validations, all CEL
 * from the one CEL emitter.
 *
 * Parameters are inlined into the CEL (`params: "inline"`), not read through `paramKind`: the
 * values in force are known at compile time, the output needs no params CRD or ConfigMap
 * (every emitted document is a kind whose schema is in ../shared/schemas), and a policy cannot
 * be half-installed (a binding whose params object is missing). Changing a parameter means
 * rebuilding, which `charter build --check` makes visible in review.
 */
import { CharterError, oneLine, type Policy, type PolicyException } from "@charter/ir";
import { celSubject, emitCelPolicy, foldExceptions } from "../cel/index.js";
import type { CelOptions, CelPolicy } from "../cel/types.js";
import { NO_REGISTRY, refuseImageRules } from "../images/refuse-image-rules.js";
import { type MatchResources, matchConstraintsOf } from "./match-constraints.js";

/** HTTP 403, as a denying admission webhook (Kyverno, Gatekeeper) answers; VAP's default is 422. */
export const VALIDATION_REASON = "Forbidden";

export interface NamedExpression {
  readonly name: string;
  readonly expression: string;
}

export interface AdmissionValidation {
  readonly expression: string;
  readonly messageExpression: string;
  readonly message: string;
  readonly reason?: string;
}

export interface AdmissionSpec {
  readonly failurePolicy: "Fail";
  readonly matchConstraints: MatchResources;
  readonly matchConditions?: readonly NamedExpression[];
  readonly variables?: readonly NamedExpression[];
  readonly validations: readonly AdmissionValidation[];
}

/**
 * The CEL of a policy as the admission targets read it: `object` under review, params inlined,
 * and the given exceptions folded into the validations of the rules they excuse.
 */
export function celPolicyOf(
  policy: Policy,
  target: string,
  folded: readonly PolicyException[] = [],
  imageRules?: CelOptions["imageRules"],
): CelPolicy {
  const options = {
    params: "inline",
    object: "object",
    target,
    ...(imageRules ? { imageRules } : {}),
  } as const;
  const cel = emitCelPolicy(policy, options);
  // An exception reads the object judged: on a DELETE, the one being deleted.
  return foldExceptions(policy.name, cel, folded, celSubject(policy, options));
}

/**
 * The API server rejects a static `message` with line breaks; the exact message comes from
 * `messageExpression`, so the fallback keeps its text on one line (the CEL emitter's static
 * message already is; this holds it there for whatever else is folded in).
 */
export function singleLine(message: string): string {
  return oneLine(message);
}

export function namedExpressions(
  items: readonly NamedExpression[],
): readonly NamedExpression[] | undefined {
  return items.length > 0 ? items.map(({ name, expression }) => ({ name, expression })) : undefined;
}

/**
 * A policy without rules would compile to a policy that checks nothing (VAP rejects it). A
 * policy whose image rules the target judges (`imageRules`) may have none.
 */
export function requireRules(
  policy: Policy,
  target: string,
  imageRules?: CelOptions["imageRules"],
): void {
  if (policy.images !== undefined) {
    // Image rules first: "no rules" would hide that the target cannot judge them.
    if (imageRules === "judged-by-target") return;
    refuseImageRules(policy, target, NO_REGISTRY);
  }
  if (policy.rules.length === 0) {
    throw new CharterError(
      `policy "${policy.name}" has no rules; target "${target}" needs at least one validation: add a rule`,
      policy.source ?? {},
    );
  }
}

export function admissionSpecOf(
  policy: Policy,
  target: string,
  folded: readonly PolicyException[] = [],
  imageRules?: CelOptions["imageRules"],
): AdmissionSpec {
  requireRules(policy, target, imageRules);
  const cel = celPolicyOf(policy, target, folded, imageRules);
  const matchConditions = namedExpressions(cel.matchConditions);
  const variables = namedExpressions(cel.variables);
  return {
    failurePolicy: "Fail",
    matchConstraints: matchConstraintsOf(policy, target),
    ...(matchConditions ? { matchConditions } : {}),
    ...(variables ? { variables } : {}),
    validations: cel.validations.map((validation) => ({
      expression: validation.expression,
      messageExpression: validation.messageExpression,
      message: singleLine(validation.message),
      reason: VALIDATION_REASON,
    })),
  };
}
