/**
 * Labels and annotations Charter puts on every emitted policy document, so a cluster operator
 * can tell where a policy came from and what it stands for.
 */
import type { Policy, PolicyException } from "@charter/ir";

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "charter" } as const;

/** Control tags joined with commas (tags never contain one). */
export function controlsValue(policy: Policy): string {
  return policy.controls.join(",");
}

/** `charter.dev/*` annotations: title, category, severity, description, controls, enforcement. */
export function charterAnnotations(policy: Policy): Record<string, string> {
  return {
    "charter.dev/title": policy.title,
    "charter.dev/category": policy.category,
    "charter.dev/severity": policy.severity,
    "charter.dev/description": policy.description,
    "charter.dev/controls": controlsValue(policy),
    "charter.dev/enforcement": policy.enforcement,
  };
}

/**
 * `charter.dev/exceptions` on a policy whose CEL has exceptions folded in: which, and until
 * when (the CEL has no clock, so a reader sees what a rebuild will remove).
 */
export function foldedExceptionsAnnotation(
  folded: readonly PolicyException[],
): Record<string, string> {
  if (folded.length === 0) return {};
  const value = folded.map((e) => `${e.name} until ${e.expires}`).join(", ");
  return { "charter.dev/exceptions": value };
}
