/**
 * The standard `policies.kyverno.io/*` annotations Kyverno's policy reports and UIs read
 * (title, category, severity, description, subject, minversion), and Charter's controls.
 */
import type { Policy } from "@charter/ir";
import { matchedKinds } from "../admission/match-constraints.js";
import { controlsValue } from "../admission/metadata.js";

export function kyvernoAnnotations(policy: Policy, minVersion: string): Record<string, string> {
  const subjects = [...new Set(matchedKinds(policy.match).map((ref) => ref.kind))];
  return {
    "policies.kyverno.io/title": policy.title,
    "policies.kyverno.io/category": policy.category,
    "policies.kyverno.io/severity": policy.severity,
    "policies.kyverno.io/subject": subjects.join(", "),
    "policies.kyverno.io/minversion": minVersion,
    "policies.kyverno.io/description": policy.description,
    "charter.dev/controls": controlsValue(policy),
  };
}
