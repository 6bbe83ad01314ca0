/**
 * Kyverno's CEL ValidatingPolicy (`policies.kyverno.io/v1`, stable from Kyverno 1.17): the
 * ValidatingAdmissionPolicy spec plus Kyverno's fields, no binding.
 *
 * Autogen is switched off (`autogen.podControllers.controllers: []`, which Kyverno reads as "no
 * controllers" rather than "the default set"): Charter matches the pod controllers explicitly
 * and its CEL reads each controller's pod template, so the policy means on the cluster exactly
 * what it means to the IR engine, and an exception or report names the one policy. Without it,
 * a policy matching only Pods (`pod.only`) would be copied to every controller by Kyverno.
 */

import type { Policy, PolicyException } from "@charter/ir";
import { admissionSpecOf } from "../admission/admission-spec.js";
import { foldedExceptionsAnnotation, MANAGED_BY } from "../admission/metadata.js";
import { excludingSystemNamespaces } from "../admission/system-namespaces.js";
import { validationActionsOf } from "../admission/validation-actions.js";
import { MINIMUM_VERSIONS } from "../targets/engine-versions.js";
import { kyvernoAnnotations } from "./annotations.js";
import { scansInBackground } from "./background.js";

export const VALIDATING_POLICY_API_VERSION = "policies.kyverno.io/v1";

/**
 * `folded`: exceptions for some rules only, folded into those validations (exceptions.ts).
 * `systemNamespaces`: left out by `matchConstraints.namespaceSelector` (there is no binding),
 * which Kyverno reads with the API server's matcher: a Namespace by its own labels.
 */
export function validatingPolicyDocument(
  policy: Policy,
  folded: readonly PolicyException[] = [],
  systemNamespaces: readonly string[] = [],
): object {
  const spec = admissionSpecOf(policy, "kyverno", folded);
  const namespaceSelector = excludingSystemNamespaces(
    spec.matchConstraints.namespaceSelector,
    systemNamespaces,
  );
  const matchConstraints = {
    ...spec.matchConstraints,
    ...(namespaceSelector ? { namespaceSelector } : {}),
  };
  return {
    apiVersion: VALIDATING_POLICY_API_VERSION,
    kind: "ValidatingPolicy",
    metadata: {
      name: policy.name,
      labels: MANAGED_BY,
      annotations: {
        ...kyvernoAnnotations(policy, MINIMUM_VERSIONS.kyvernoValidatingPolicy),
        ...foldedExceptionsAnnotation(folded),
      },
    },
    spec: {
      validationActions: validationActionsOf(policy.enforcement),
      ...spec,
      matchConstraints,
      evaluation: {
        admission: { enabled: true },
        background: { enabled: scansInBackground(policy) },
      },
      autogen: { podControllers: { controllers: [] } },
    },
  };
}
