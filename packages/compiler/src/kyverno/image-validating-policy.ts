/**
 * Kyverno's ImageValidatingPolicy (`policies.kyverno.io/v1`, Kyverno ≥ 1.17; the CRD of 1.19.1 in
 * ../shared/schemas/kyverno): what a policy with image rules (packages/ir README item 18) becomes
 * on the `kyverno` target. One document per policy: the policy's plain rules (if any) and its
 * image requirements, each a validation, in that order. Kyverno reports the first that fails.
 *
 * - Match, namespaces, labels, system namespaces, operations: as the ValidatingPolicy
 *   (`admissionSpecOf`, the same `matchConstraints` and CEL match conditions); autogen off.
 * - Images: the policy's own extractors `images.containers`, `images.initContainers`,
 *   `images.ephemeralContainers` (named as Kyverno's built-in ones, which they replace: Kyverno
 *   keys extractors by name) read the pod view — the Pod, or the template of every pod controller
 *   Charter matches, ReplicationController included, for which Kyverno has no built-in
 *   extractor — and give the references as written. `matchImageReferences` keeps the ones the
 *   policy judges (image-references.ts).
 * - `validationConfigurations`: `mutateDigest: false` (Charter validates, it never rewrites a
 *   Pod), `required: false` (the validations say exactly what must be verified; Kyverno's
 *   `required` would also refuse every image a digest-only policy never verifies), and
 *   `verifyDigest` true exactly when the policy has a `digest` requirement: Kyverno then refuses an
 *   unpinned image before it asks the registry anything, as the IR's `digest` needs no registry
 *   (its own validation still says which requirement failed).
 * - `failurePolicy: Fail`: an image Kyverno cannot judge (registry unreachable, malformed
 *   material) is an error, which denies the request — fail closed.
 * - Enforcement deny/warn/audit → `validationActions` Deny/Warn/Audit.
 */
import type { Policy, PolicyException } from "@charter/ir";
import { admissionSpecOf } from "../admission/admission-spec.js";
import { foldedExceptionsAnnotation, MANAGED_BY } from "../admission/metadata.js";
import { excludingSystemNamespaces } from "../admission/system-namespaces.js";
import { validationActionsOf } from "../admission/validation-actions.js";
import { podImagesCel } from "../cel/index.js";
import { MINIMUM_VERSIONS } from "../targets/engine-versions.js";
import { kyvernoAnnotations } from "./annotations.js";
import { scansInBackground } from "./background.js";
import { imageValidatingAttestor, kyvernoAttestorsOf } from "./image-attestors.js";
import { matchImageReferences } from "./image-references.js";
import { imageRequirementChecks } from "./image-validations.js";

export const IMAGE_VALIDATING_POLICY_API_VERSION = "policies.kyverno.io/v1";

/** The container lists of the pod view, as Kyverno names its image extractors. */
const IMAGE_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

/** The attestors the requirements use, each once, in the order the policy declares them. */
function attestorsOf(policy: Policy): object[] {
  const images = policy.images;
  if (images === undefined) return [];
  return images.attestors.flatMap((attestor) => {
    const user = images.requirements.find(
      (r) =>
        (r.kind === "signature" || r.kind === "attestation") && r.attestors.includes(attestor.name),
    );
    if (user === undefined) return [];
    return kyvernoAttestorsOf(policy, attestor.name).map((one) =>
      imageValidatingAttestor(policy, user.name, one),
    );
  });
}

function attestationsOf(policy: Policy): object[] {
  return (policy.images?.requirements ?? []).flatMap((requirement) =>
    requirement.kind === "attestation"
      ? [{ name: requirement.name, intoto: { type: requirement.predicateType } }]
      : [],
  );
}

/**
 * `folded`: exceptions for some rules or requirements only, folded into those validations
 * (exceptions.ts). `systemNamespaces`: left out by `matchConstraints.namespaceSelector`.
 */
export function imageValidatingPolicyDocument(
  policy: Policy,
  folded: readonly PolicyException[] = [],
  systemNamespaces: readonly string[] = [],
): object {
  const images = policy.images ?? { references: [], attestors: [], requirements: [] };
  // The plain rules' CEL, the pod view's variables and the match conditions.
  const spec = admissionSpecOf(policy, "kyverno", folded, "judged-by-target");
  const checks = imageRequirementChecks(policy, folded);
  const namespaceSelector = excludingSystemNamespaces(
    spec.matchConstraints.namespaceSelector,
    systemNamespaces,
  );
  const matchImages = matchImageReferences(images.references);
  return {
    apiVersion: IMAGE_VALIDATING_POLICY_API_VERSION,
    kind: "ImageValidatingPolicy",
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
      failurePolicy: spec.failurePolicy,
      matchConstraints: {
        ...spec.matchConstraints,
        ...(namespaceSelector ? { namespaceSelector } : {}),
      },
      ...(spec.matchConditions ? { matchConditions: spec.matchConditions } : {}),
      variables: [...(spec.variables ?? []), ...checks.variables],
      validationConfigurations: {
        mutateDigest: false,
        verifyDigest: images.requirements.some((r) => r.kind === "digest"),
        required: false,
      },
      ...(matchImages ? { matchImageReferences: matchImages } : {}),
      images: IMAGE_LISTS.map((list) => ({
        name: list,
        expression: podImagesCel(policy, { params: "inline", object: "object" }, list),
      })),
      attestors: attestorsOf(policy),
      ...(attestationsOf(policy).length > 0 ? { attestations: attestationsOf(policy) } : {}),
      validations: [
        ...spec.validations,
        ...checks.validations.map((validation) => ({ ...validation, reason: "Forbidden" })),
      ],
      evaluation: {
        admission: { enabled: true },
        background: { enabled: scansInBackground(policy) },
      },
      autogen: { podControllers: { controllers: [] } },
    },
  };
}
