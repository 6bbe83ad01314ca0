/**
 * `cel-judge -match` (tools/kubernetes/cel-judge/match.go): which policies the API server runs for which
 * admission requests, decided by the validating admission policy plugin's own matcher
 * (k8s.io/apiserver `generic.PolicyMatcher`), with the server's defaults applied to each
 * policy's `matchConstraints`. Kyverno's ValidatingPolicy matches with the same code.
 */
import { CelJudgeError, runJudgeProcess } from "./run.js";

/** admission.Attributes of one request, as the API server builds them. */
export interface MatchRequest {
  readonly id: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly resource: {
    readonly group: string;
    readonly version: string;
    readonly resource: string;
  };
  /** e.g. "ephemeralcontainers" for `kubectl debug`; absent for the resource itself. */
  readonly subResource?: string;
  readonly operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  readonly namespace?: string;
  readonly name?: string;
  readonly object?: unknown;
  readonly oldObject?: unknown;
}

export interface MatchBatch {
  /** Each policy's `spec.matchConstraints`, as emitted. */
  readonly policies: readonly { readonly id: string; readonly matchConstraints: unknown }[];
  readonly requests: readonly MatchRequest[];
  /** The Namespaces that exist: what a namespaceSelector reads (others are not found). */
  readonly namespaces?: readonly unknown[];
}

export interface MatchResult {
  readonly policy: string;
  readonly request: string;
  readonly matches: boolean;
  /** The matcher's error; the server then applies the policy's failurePolicy. */
  readonly error?: string;
}

export interface MatchOutput {
  readonly kubernetes: string;
  /** Policies outer, requests inner. */
  readonly results: readonly MatchResult[];
}

export async function runCelJudgeMatch(judgePath: string, batch: MatchBatch): Promise<MatchOutput> {
  const stdout = await runJudgeProcess(judgePath, ["-match"], batch);
  let output: Partial<MatchOutput> | null;
  try {
    output = JSON.parse(stdout) as Partial<MatchOutput> | null;
  } catch {
    throw new CelJudgeError(
      `${judgePath} -match wrote output that is not JSON: ${stdout.slice(0, 500)}`,
    );
  }
  if (!Array.isArray(output?.results) || typeof output?.kubernetes !== "string") {
    throw new CelJudgeError(
      `${judgePath} -match wrote JSON without results: ${stdout.slice(0, 500)}`,
    );
  }
  return output as MatchOutput;
}
