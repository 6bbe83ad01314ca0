/**
 * Image rules (packages/ir README item 18) need the registry: signatures, attestations and the
 * tag a reference names live there. A target that cannot reach one refuses a policy with
 * `images` — the whole policy, never the policy without its image rules, which would be a
 * silently weaker policy. Only Kyverno's ImageValidatingPolicy (or ClusterPolicy
 * `verifyImages`) and Charter's own webhook judge them.
 */
import { CharterError, type Policy } from "@charter/ir";

/** Why Rego, ValidatingAdmissionPolicy and Kyverno's ValidatingPolicy refuse image rules. */
export const NO_REGISTRY = "CEL admission and plain Rego cannot reach a registry";

/**
 * Why Gatekeeper refuses them, on both code engines: its Rego reaches a registry only through
 * an external data provider (such as Ratify), which Charter neither emits nor can prove here.
 */
export const GATEKEEPER_NO_REGISTRY =
  "Gatekeeper reaches a registry only through an external data provider (such as Ratify), which Charter does not emit";

const HINT =
  "judge it with Kyverno (`--target kyverno`: an ImageValidatingPolicy) or Charter's webhook, or leave this target out with `excludeTargets`";

/**
 * Throws for a policy with image rules, naming its first requirement:
 * `policy "<name>", rule "<requirement>": <what>; target "<target>" cannot express it`.
 */
export function refuseImageRules(policy: Policy, target: string, reason: string): void {
  const images = policy.images;
  if (images === undefined) return;
  const first = images.requirements[0];
  const rule = first ? `, rule "${first.name}"` : "";
  throw new CharterError(
    `policy "${policy.name}"${rule}: image rules need the registry, and ${reason}; target "${target}" cannot express it`,
    policy.source ?? {},
    HINT,
  );
}
