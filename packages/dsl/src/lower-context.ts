/**
 * What lowering a condition needs to know: the variables in scope, the policy's parameters,
 * and where to record each node's position. Shared by the template parser and the builder.
 */
import {
  CharterError,
  didYouMean,
  type ErrorLocation,
  type Expr,
  patternProblem,
} from "@charter/ir";
import type { Positions } from "./positions.js";

export interface LowerContext {
  /** Variables bound by enclosing quantifiers, outermost first. */
  readonly scope: readonly string[];
  readonly positions: Positions;
  /** The policy's parameter names; undefined when lowering outside a policy (no check). */
  readonly params?: readonly string[];
  /**
   * Explains a name that is not in scope (message holes say which variables they may use);
   * undefined: the generic "unknown name".
   */
  readonly explainUnbound?: (name: string) => string | undefined;
}

/** The roots a template path may start with, besides bound variables. */
export const ROOT_NAMES = ["object", "pod", "params", "namespaceObject", "request"] as const;

/** The names the pod view has: `pod.spec`, `pod.metadata`, and `pod.containers`. */
export const POD_FIELDS = ["spec", "metadata", "containers"] as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function record<T extends Expr>(ctx: LowerContext, node: T, at: ErrorLocation): T {
  ctx.positions.set(node, at);
  return node;
}

/** The scope with `name` bound; rebinding a bound name is an error (emitters need unique names). */
export function bind(ctx: LowerContext, name: string, at: ErrorLocation): LowerContext {
  if (!IDENTIFIER.test(name)) {
    throw new CharterError(
      `\`${name}\` cannot name a variable: use letters, digits and _ (not starting with a digit)`,
      at,
    );
  }
  if (ctx.scope.includes(name)) {
    throw new CharterError(
      `\`${name}\` is already bound by an enclosing quantifier`,
      at,
      "give this quantifier's variable another name",
    );
  }
  if ((ROOT_NAMES as readonly string[]).includes(name)) {
    throw new CharterError(
      `\`${name}\` is a root name and cannot name a variable`,
      at,
      "choose another name",
    );
  }
  return { ...ctx, scope: [...ctx.scope, name] };
}

export function unknownName(ctx: LowerContext, name: string, at: ErrorLocation): CharterError {
  const explained = ctx.explainUnbound?.(name);
  if (explained) return new CharterError(explained, at);
  const suggestion = didYouMean(name, [...ctx.scope, ...ROOT_NAMES]);
  return new CharterError(
    `unknown name \`${name}\`${suggestion ? `; ${suggestion}` : ""}`,
    at,
    "a path starts at `object`, `pod`, `params`, `namespaceObject` or a variable bound by `any`, `all` or `none`",
  );
}

export function checkParam(
  ctx: LowerContext,
  name: string | number | undefined,
  at: ErrorLocation,
): void {
  if (ctx.params === undefined || name === undefined || ctx.params.includes(String(name))) return;
  const suggestion = didYouMean(String(name), ctx.params);
  throw new CharterError(
    `unknown parameter \`${name}\`${suggestion ? `; ${suggestion}` : ""}`,
    at,
    ctx.params.length
      ? `the policy's parameters are ${ctx.params.map((p) => `\`${p}\``).join(", ")}`
      : "declare it under `params` in the policy",
  );
}

/** A literal regular expression must be one RE2 accepts (what OPA and CEL use). */
export function checkPattern(pattern: Expr, at: ErrorLocation): void {
  if (pattern.kind !== "literal" || typeof pattern.value !== "string") return;
  const problem = patternProblem(pattern.value);
  if (problem) throw new CharterError(problem.message, at, problem.hint);
}
