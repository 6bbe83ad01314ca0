/**
 * The standard `policies.kyverno.io/*` annotations Kyverno's policy reports and UIs read
 * (title, category, severity, description, subject, minversion), and Charter's controls.
 */
import type { Policy } from "@charter/ir";
import { matchedKinds } from "../admission/match-constraints.js";
import { controlsValue } from "../admission/metadata.js";
import type { EngineVersion } from "../targets/engine-versions.js";

/** `minimum`: the oldest Kyverno that runs the policy, written as the full version Kyverno reads. */
export function kyvernoAnnotations(policy: Policy, minimum: EngineVersion): Record<string, string> {
  const subjects = [...new Set(matchedKinds(policy.match).map((ref) => ref.kind))];
  return {
    "policies.kyverno.io/title": policy.title,
    "policies.kyverno.io/category": policy.category,
    "policies.kyverno.io/severity": policy.severity,
    "policies.kyverno.io/subject": subjects.join(", "),
    "policies.kyverno.io/minversion": `${minimum.version}.0`,
    "policies.kyverno.io/description": policy.description,
    "charter.dev/controls": controlsValue(policy),
  };
}
