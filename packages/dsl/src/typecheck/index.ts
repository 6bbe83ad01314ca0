/**
 * The type checker: resolves every path of a policy's conditions and message holes against
 * the Kubernetes types of what the policy matches and the parameter schema, and returns what
 * can never work as CharterErrors (the caller throws them). See README.md in this folder.
 */

import {
  CharterError,
  type ErrorLocation,
  type Expr,
  type Match,
  type Policy,
  witnessChain,
} from "@charter/ir";
import type { Positions } from "../positions.js";
import { ExprChecker, type RootTypes, type Scope } from "./check-expr.js";
import { typeOfSchema } from "./json-schema-type.js";
import {
  containersType,
  kindType,
  namespaceType,
  podSubjectType,
  podViewType,
} from "./k8s-table.js";
import { requestType } from "./request-type.js";
import { ANY, unionOf } from "./types.js";

/** A type error in one rule: `rule` names it, for the `policy "p", rule "r"` prefix. */
export class RuleTypeError extends CharterError {
  constructor(
    readonly rule: string,
    message: string,
    location: ErrorLocation,
    hint: string | undefined,
  ) {
    super(message, location, hint);
  }
}

/**
 * Resolves every path of the policy against the Kubernetes types of the kinds it matches. An
 * unknown field is placed at its own segment when the parser recorded where each one is.
 */
export function checkPolicyTypes(policy: Policy, positions: Positions): RuleTypeError[] {
  const roots = rootTypes(policy);
  const errors: RuleTypeError[] = [];
  for (const rule of policy.rules) {
    const checker = new ExprChecker(roots, ({ node, message, hint, segment }) => {
      const location =
        (segment === undefined ? undefined : positions.segment(node, segment)) ??
        positions.get(node) ??
        fallback(policy);
      errors.push(new RuleTypeError(rule.name, message, location, hint));
    });
    checker.typeOf(rule.condition, new Map());
    const holes = rule.message.parts.flatMap((part) => (part.kind === "hole" ? [part] : []));
    if (holes.length === 0) continue;
    const scope = witnessScope(rule.condition, roots);
    for (const hole of holes) checker.typeOf(hole.expr, scope);
  }
  return errors;
}

/** The types of the roots a policy's references start from. */
export function rootTypes(policy: Policy): RootTypes {
  const matched = matchedTypes(policy.match);
  return {
    ...matched,
    params: typeOfSchema(policy.parameters.schema, "params"),
    namespace: namespaceType(),
    request: requestType(matched.object),
  };
}

function matchedTypes(match: Match): Omit<RootTypes, "params" | "namespace" | "request"> {
  if (match.subject === "pod") {
    return {
      object: podSubjectType(match.controllers),
      pod: podViewType(),
      containers: containersType(),
    };
  }
  // A kind the table lacks (a custom resource) is typed `any`: nothing to check against.
  return { object: unionOf(match.kinds.map((kind) => kindType(kind) ?? ANY)) };
}

/**
 * The variables a message hole may use: those the condition's witness `any`s bind, each
 * typed as an element of its collection. Problems in the collections were reported while
 * checking the condition, so they are not reported again here.
 */
function witnessScope(condition: Expr, roots: RootTypes): Scope {
  const quiet = new ExprChecker(roots, () => {});
  const scope = new Map<string, ReturnType<ExprChecker["typeOf"]>>();
  for (const step of witnessChain(condition)) {
    if (step.kind !== "bind") continue;
    const binder = {
      kind: "quantifier",
      quantifier: "any",
      variable: step.variable,
      collection: step.collection,
      body: { kind: "literal", value: true },
    } as const;
    scope.set(step.variable, quiet.elementType(binder, scope));
  }
  return scope;
}

function fallback(policy: Policy): ErrorLocation {
  const source = policy.source;
  if (!source) return {};
  return {
    file: source.file,
    line: source.line,
    ...(source.column !== undefined ? { column: source.column } : {}),
  };
}
