/** Where each policy lives in the Rego tree. */
import type { Policy } from "@charter/ir";
import { regoString } from "./escape.js";
import { isRegoIdentifier } from "./terms.js";

/** `restrict-image-registries` → `restrict_image_registries`. */
export function regoPackageSegment(policy: Pick<Policy, "name">): string {
  return policy.name.replaceAll("-", "_");
}

/** The package path after `charter.policies`: `.name`, or `["if"]` for a Rego keyword. */
function packageStep(policy: Pick<Policy, "name">): string {
  const segment = regoPackageSegment(policy);
  return isRegoIdentifier(segment) ? `.${segment}` : `[${regoString(segment)}]`;
}

/** `charter.policies.restrict_image_registries`, as a package clause writes it. */
export function regoPackageName(policy: Pick<Policy, "name">): string {
  return `charter.policies${packageStep(policy)}`;
}

/** `data.charter.policies.restrict_image_registries`, as a reference writes it. */
export function regoPackageRef(policy: Pick<Policy, "name">): string {
  return `data.${regoPackageName(policy)}`;
}

/** The file of a policy inside the Rego output. */
export function regoPolicyPath(policy: Pick<Policy, "name">): string {
  return `charter/policies/${regoPackageSegment(policy)}.rego`;
}
