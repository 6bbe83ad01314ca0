/**
 * Kyverno's `kyverno.io/v1` ClusterPolicy with `validate.cel` rules, for Kyverno 1.13–1.19
 * (deprecated since 1.17, removal planned for 1.20): one Kyverno rule per IR rule.
 *
 * - Enforcement is per rule (`validate.failureAction`, Kyverno ≥ 1.13), never the deprecated
 *   spec-level `validationFailureAction`: deny → Enforce; warn and audit → Audit, and warn also
 *   sets `spec.emitWarning: true` so the client sees the failure as an admission warning (what
 *   VAP's Warn action does); audit only reports.
 * - Pod controllers are listed explicitly and autogen is off
 *   (`pod-policies.kyverno.io/autogen-controllers: none`), as for ValidatingPolicy.
 * - `Pod` is not joined by `Pod/ephemeralcontainers`: Kyverno registers and matches that
 *   subresource for a `Pod` kind by itself (`CheckKind`, allowEphemeralContainers), and refuses
 *   a subresource kind in a policy with `background: true`; `pods/resize` is therefore not judged
 *   (README, docs/capabilities.md).
 * - The CEL emitter's match conditions become `celPreconditions` and its variables
 *   `validate.cel.variables`; no JMESPath `validate.message` is set, and `{{` in CEL string
 *   literals is escaped (escape.ts), so Kyverno never substitutes part of a message.
 * - Namespace filters are also written natively (`namespaces`, an `exclude` block) where Kyverno
 *   reads them as the IR does: an include list only when every kind is known to be namespaced
 *   (Kyverno would skip cluster-scoped objects, which the IR judges), an exclude list unless
 *   Namespaces are matched (Kyverno reads a Namespace's own name). The CEL match conditions
 *   carry the filter in every case.
 * - The label selector is written natively as `resources.selector` (the resource's own labels)
 *   and is also a CEL precondition.
 * - The policy set's system namespaces are one more `exclude.any` entry, for every policy:
 *   Kyverno reads a Namespace by its own name there, which is what the setting means (see
 *   packages/ir/src/system-namespaces.ts).
 */

import { CharterError, type KindRef, type Policy, type PolicyException } from "@charter/ir";
import {
  celPolicyOf,
  type NamedExpression,
  namedExpressions,
  requireRules,
  singleLine,
} from "../admission/admission-spec.js";
import { isNamespaceKind, kindInfo } from "../admission/kinds.js";
import {
  admissionOperations,
  matchedKinds,
  namespaceNames,
  nativeLabelSelectorOf,
} from "../admission/match-constraints.js";
import { foldedExceptionsAnnotation, MANAGED_BY } from "../admission/metadata.js";
import { exceptionsForRule } from "../cel/index.js";
import { digestRule } from "../images/index.js";
import { MINIMUM_VERSIONS } from "../targets/engine-versions.js";
import { kyvernoAnnotations } from "./annotations.js";
import { scansInBackground } from "./background.js";
import { escapeKyvernoCel, kyvernoStaticMessage } from "./escape.js";
import { verifyImagesEntry } from "./verify-images.js";

export const CLUSTER_POLICY_API_VERSION = "kyverno.io/v1";

const FAILURE_ACTION = { deny: "Enforce", warn: "Audit", audit: "Audit" } as const;

/** `Pod` for the core group (Kyverno's usual spelling), `apps/v1/Deployment` otherwise. */
export function kyvernoKind(ref: KindRef): string {
  if (ref.group === "") return ref.kind;
  const { version } = kindInfo(ref);
  return `${ref.group}/${version}/${ref.kind}`;
}

function namespaceBlocks(
  policy: Policy,
  kinds: readonly string[],
  systemNamespaces: readonly string[],
) {
  const refs = matchedKinds(policy.match);
  const { include, exclude } = namespaceNames(policy, "kyverno");
  const allNamespaced = refs.every((ref) => kindInfo(ref).scope === "Namespaced");
  const matchesNamespaces = refs.some(isNamespaceKind);
  const excluded = [
    ...(exclude.length > 0 && !matchesNamespaces ? [[...exclude]] : []),
    ...(systemNamespaces.length > 0 ? [[...systemNamespaces]] : []),
  ].map((namespaces) => ({ resources: { kinds, namespaces } }));
  return {
    include: include.length > 0 && allNamespaced ? [...include] : undefined,
    exclude: excluded.length > 0 ? { any: excluded } : undefined,
  };
}

function withMessage<T extends object>(expression: T, message: string | undefined) {
  return message === undefined ? expression : { ...expression, message };
}

/**
 * `folded`: exceptions Kyverno's PolicyException cannot say, folded into the rules' CEL.
 * `systemNamespaces`: the policy set's, excluded natively.
 */
export function clusterPolicyDocument(
  policy: Policy,
  folded: readonly PolicyException[] = [],
  systemNamespaces: readonly string[] = [],
): object {
  // Image rules (verify-images.ts): the digest requirement is a CEL rule like the others.
  const imageRules = policy.images ? "judged-by-target" : undefined;
  const requirements = policy.images?.requirements ?? [];
  const celRules = [
    ...policy.rules,
    ...requirements.flatMap((r) => (r.kind === "digest" ? [digestRule(policy, r)] : [])),
  ];
  requireRules(policy, "kyverno", imageRules);
  const cel = celPolicyOf({ ...policy, rules: celRules }, "kyverno", folded, imageRules);
  const kinds = matchedKinds(policy.match).map(kyvernoKind);
  const namespaces = namespaceBlocks(policy, kinds, systemNamespaces);
  const escaped = (items: readonly NamedExpression[]) =>
    namedExpressions(
      items.map(({ name, expression }) => ({ name, expression: escapeKyvernoCel(expression) })),
    );
  const selector = nativeLabelSelectorOf(policy.match);
  const preconditions = escaped(cel.matchConditions);
  const variables = escaped(cel.variables);
  const matched = {
    match: {
      any: [
        {
          resources: {
            kinds,
            operations: admissionOperations(policy.match),
            ...(namespaces.include ? { namespaces: namespaces.include } : {}),
            ...(selector ? { selector } : {}),
          },
        },
      ],
    },
    ...(namespaces.exclude ? { exclude: namespaces.exclude } : {}),
    ...(preconditions ? { celPreconditions: preconditions } : {}),
  };
  const celRuleObjects = cel.validations.map((validation) => ({
    name: validation.rule,
    ...matched,
    validate: {
      failureAction: FAILURE_ACTION[policy.enforcement],
      cel: {
        ...(variables ? { variables } : {}),
        expressions: [
          withMessage(
            {
              expression: escapeKyvernoCel(validation.expression),
              messageExpression: escapeKyvernoCel(validation.messageExpression),
            },
            kyvernoStaticMessage(singleLine(validation.message)),
          ),
        ],
      },
    },
  }));
  // CEL rules in the IR's order: the plain rules, then the digest requirement(s).
  const byName = new Map(celRuleObjects.map((rule) => [rule.name, rule]));
  const imageRuleObjects = requirements.map((requirement) => {
    const entry = verifyImagesEntry(policy, requirement);
    if (entry === undefined) return byName.get(requirement.name);
    if (exceptionsForRule(folded, policy.name, requirement.name).length > 0) {
      throw new CharterError(
        `policy "${policy.name}", rule "${requirement.name}": an exception Kyverno's PolicyException cannot say exactly (images, names, a wildcard namespace…) excuses this image rule, and a verifyImages rule has no CEL to fold it into; target "kyverno" (--kyverno-api clusterpolicy) cannot express it`,
        policy.source ?? {},
        "use the ImageValidatingPolicy (the default Kyverno API)",
      );
    }
    return { name: requirement.name, ...matched, verifyImages: [entry] };
  });
  const rules = [...celRuleObjects.slice(0, policy.rules.length), ...imageRuleObjects];
  return {
    apiVersion: CLUSTER_POLICY_API_VERSION,
    kind: "ClusterPolicy",
    metadata: {
      name: policy.name,
      labels: MANAGED_BY,
      annotations: {
        ...kyvernoAnnotations(policy, MINIMUM_VERSIONS.kyvernoClusterPolicy),
        "pod-policies.kyverno.io/autogen-controllers": "none",
        ...foldedExceptionsAnnotation(folded),
      },
    },
    spec: {
      background: scansInBackground(policy),
      // An image Kyverno cannot judge (registry unreachable) is an error that denies: fail closed.
      ...(policy.images ? { failurePolicy: "Fail" } : {}),
      ...(policy.enforcement === "warn" ? { emitWarning: true } : {}),
      rules,
    },
  };
}
