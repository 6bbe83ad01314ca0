/**
 * The names Gatekeeper gives a Charter policy. The template's kind becomes a CRD
 * (`<plural>.constraints.gatekeeper.sh`) whose plural is the lower-cased kind, and the
 * template's `metadata.name` must equal that lower-cased kind, so it must be a DNS label.
 */
import { CharterError, type Policy } from "@charter/ir";

/** A DNS-1035 label: what a CRD plural (and so the template name) may be. */
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** `disallow-host-path` → `CharterDisallowHostPath`: prefixed so it never clashes in a cluster. */
export function gatekeeperKind(policy: Pick<Policy, "name">): string {
  const words = policy.name.split("-").filter((word) => word !== "");
  return `Charter${words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("")}`;
}

/** The template's `metadata.name`: exactly the lower-cased kind (Gatekeeper enforces it). */
export function gatekeeperTemplateName(policy: Pick<Policy, "name">): string {
  return gatekeeperKind(policy).toLowerCase();
}

/** Fails for a policy whose template name Kubernetes would refuse. */
export function checkTemplateName(policy: Policy): void {
  const name = gatekeeperTemplateName(policy);
  if (name.length > 63 || !DNS_LABEL.test(name)) {
    throw new CharterError(
      `policy "${policy.name}": its Gatekeeper template name "${name}" is not a DNS label of at most 63 characters; target "gatekeeper" cannot express it: shorten the policy name`,
      policy.source ?? {},
    );
  }
}
