/**
 * What the CEL emitter gives the CEL-based targets (Kyverno ValidatingPolicy and ClusterPolicy,
 * ValidatingAdmissionPolicy, Gatekeeper's K8sNativeValidation): the same expressions for all,
 * so they mean the same everywhere.
 */

/** A named CEL expression other expressions read as `variables.<name>` (VAP `spec.variables`). */
export interface CelVariable {
  readonly name: string;
  readonly expression: string;
}

/** A condition for the policy to apply at all, beyond kinds (VAP `matchConditions`). */
export interface CelMatchCondition {
  readonly name: string;
  readonly expression: string;
}

/**
 * One rule. `expression` is true when the resource PASSES the rule (a validation's expression
 * false means a violation, as in VAP and Kyverno); `messageExpression` evaluates, on a failing
 * resource, to exactly the IR message of the first witness; `message` is the static fallback.
 */
export interface CelValidation {
  readonly rule: string;
  readonly expression: string;
  readonly messageExpression: string;
  readonly message: string;
}

export interface CelPolicy {
  /** In dependency order: a variable reads only those before it. */
  readonly variables: readonly CelVariable[];
  readonly matchConditions: readonly CelMatchCondition[];
  readonly validations: readonly CelValidation[];
}

export interface CelOptions {
  /**
   * Where the parameter values come from: `inline` compiles `policy.parameters.values` into the
   * expressions; otherwise a CEL expression that holds the parameter object (`params`,
   * `variables.params`).
   */
  readonly params: "inline" | { readonly expression: string };
  /** The CEL expression of the object under review (`object` in VAP and Kyverno). */
  readonly object: string;
  /**
   * Prepended to every variable name (`variables.<prefix>pod`), so several policies can share
   * one variable namespace (the CEL judge engine evaluates all policies in one batch).
   */
  readonly variablePrefix?: string;
  /** The target named in compile errors ("vap", "kyverno", …); default "cel". */
  readonly target?: string;
  /**
   * How the target binds the resource's Namespace (the IR's `namespace` root): the CEL
   * expression of it — `namespaceObject`, null for a cluster-scoped resource (the default) —
   * or why the target cannot give it, which makes reading it a compile error.
   */
  readonly namespaceObject?: string | { readonly unsupported: string };
  /**
   * How the target binds the admission request (the IR's `request` root and a DELETE's
   * object): the CEL names of the request and the old object — `request` and `oldObject`, as
   * VAP and Kyverno bind them (the default) — or why the target cannot give them.
   */
  readonly admission?: CelAdmission;
  /**
   * A policy with image rules (packages/ir README item 18) is refused (they need the registry,
   * which CEL admission cannot reach) unless the target judges them itself and asks only for
   * the CEL of the policy's plain rules: Kyverno's ImageValidatingPolicy and ClusterPolicy
   * `verifyImages` set this.
   */
  readonly imageRules?: "judged-by-target";
}

/** The CEL names of the admission request and the old object, or why a target has none. */
export type CelAdmission =
  | { readonly request: string; readonly oldObject: string }
  | { readonly unsupported: string };
