/**
 * The cel-judge protocol (tools/kubernetes/cel-judge/protocol.go): one batch in on stdin, one output out
 * on stdout. A batch is one policy — its validations and variables, like a
 * ValidatingAdmissionPolicy spec — and the admission requests to evaluate it on.
 */

/** One spec.validations entry. */
export interface JudgeExpression {
  readonly id: string;
  readonly expression: string;
  /** Must be statically a string: wrap dyn fields in string(...). */
  readonly messageExpression?: string;
  /** The static message, the server's fallback when messageExpression fails or is absent. */
  readonly message?: string;
}

/** One spec.variables entry, readable as `variables.<name>`; evaluated lazily, at most once. */
export interface JudgeVariable {
  readonly name: string;
  readonly expression: string;
}

/** One admission request. An absent or null object is bound as CEL null. */
export interface JudgeCase {
  readonly id: string;
  readonly object?: unknown;
  readonly oldObject?: unknown;
  readonly params?: unknown;
  /** Bound as the server's typed Namespace: unknown fields do not compile. */
  readonly namespaceObject?: unknown;
  /** request.operation; CREATE when absent. */
  readonly operation?: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  /** request.subResource (`ephemeralcontainers` for `kubectl debug`); none when absent. */
  readonly subResource?: string;
  /** request.userInfo; the empty user when absent. */
  readonly userInfo?: JudgeUserInfo;
}

/** An authentication.k8s.io/v1 UserInfo, as an AdmissionRequest carries it. */
export interface JudgeUserInfo {
  readonly username?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export interface JudgeBatch {
  readonly expressions: readonly JudgeExpression[];
  readonly variables?: readonly JudgeVariable[];
  readonly cases: readonly JudgeCase[];
}

/** An expression a Kubernetes API server at the judge's compatibility version would reject. */
export interface JudgeCompileError {
  /** The expression id, or the variable name when kind is "variable". */
  readonly id: string;
  readonly kind: "expression" | "messageExpression" | "variable";
  readonly error: string;
}

/** One (case, expression) verdict; results come in case order, then expression order. */
export interface JudgeResult {
  readonly case: string;
  readonly expression: string;
  /** What the validation evaluated to; null when it failed with an error. */
  readonly value: boolean | null;
  readonly error?: string;
  /** The server's denial message, present when value is false. */
  readonly message?: string;
  /** Why the messageExpression failed (the server then falls back to message). */
  readonly messageError?: string;
}

export interface JudgeOutput {
  /** Which Kubernetes libraries judged, e.g. { kubernetes: "v0.35.8", compatibilityVersion: "1.31" }. */
  readonly environment: { readonly kubernetes: string; readonly compatibilityVersion: string };
  readonly compileErrors: readonly JudgeCompileError[];
  readonly results: readonly JudgeResult[];
}
