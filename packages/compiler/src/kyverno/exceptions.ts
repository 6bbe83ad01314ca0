/**
 * Charter's policy exceptions for Kyverno. Each one is either its own Kyverno PolicyException
 * (`exceptions/<name>.yaml`) where Kyverno can say exactly what the IR means, or folded into
 * the CEL of the rules it excuses (`<excused> || <rule holds>`, ../cel/exception-match.ts):
 *
 * - ValidatingPolicy: a `policies.kyverno.io/v1` PolicyException whose `matchConditions` hold
 *   the exception's match in CEL. Such an exception exempts the whole policy, so an exception
 *   for some rules only is folded into those rules' validations instead.
 * - ClusterPolicy: a `kyverno.io/v2` PolicyException with `exceptions[{policyName,
 *   ruleNames}]` and a `match` (kinds, namespaces, selector). Kyverno's match cannot say
 *   "every container image matches" (its JMESPath `conditions` would have to walk each kind's
 *   template and all three container lists), its `?` wildcard is not proven to mean what
 *   Charter's does, it reads a Namespace's own name as its namespace, and its `names` read
 *   `metadata.name` only — an object created from `generateName` (every Pod a ReplicaSet or
 *   Job makes) reaches admission with no name yet, where Charter reads its generateName:
 *   exceptions with images or names, a `?` or `*` in a namespace, or namespaces on a policy
 *   matching Namespaces, are folded into the rules' `validate.cel` expressions.
 *
 * Expiry: a PolicyException carries it twice — `spec.expiresAt` (policies.kyverno.io, which
 * Kyverno checks when it lists exceptions) and the `cleanup.kyverno.io/ttl` label (Kyverno's
 * cleanup controller deletes the object then; it needs RBAC to delete PolicyExceptions). A
 * folded exception has no clock: the build drops it once expired (`charter build --check`).
 */
import { expiryInstant, type KindRef, type Policy, type PolicyException } from "@charter/ir";
import { isNamespaceKind } from "../admission/kinds.js";
import { matchedKinds, nativeLabelSelectorOf } from "../admission/match-constraints.js";
import { MANAGED_BY } from "../admission/metadata.js";
import { exceptionMatchCel } from "../cel/index.js";
import { requirementNames } from "../images/index.js";
import { kyvernoKind } from "./cluster-policy.js";
import type { KyvernoApi } from "./kyverno-api.js";

export const POLICY_EXCEPTION_API_VERSION = {
  validatingpolicy: "policies.kyverno.io/v1",
  clusterpolicy: "kyverno.io/v2",
} as const;

/** The match condition of a `policies.kyverno.io` PolicyException. */
export const EXCEPTION_CONDITION = "charter-exception-matches";

export const TTL_LABEL = "cleanup.kyverno.io/ttl";

/** Which exceptions of a policy become PolicyExceptions, and which are folded into its CEL. */
export interface KyvernoExceptionSplit {
  readonly native: readonly PolicyException[];
  readonly folded: readonly PolicyException[];
}

/** Whether the exception excuses every rule and every image requirement of the policy. */
function coversEveryRule(exception: PolicyException, policy: Policy): boolean {
  const { rules } = exception;
  return rules === undefined || requirementNames(policy).every((name) => rules.includes(name));
}

function clusterPolicyCanSay(exception: PolicyException, policy: Policy): boolean {
  const { images, names, namespaces, kinds } = exception.match;
  if (images || names) return false;
  if (namespaces) {
    if (namespaces.some((ns) => ns.includes("*") || ns.includes("?"))) return false;
    const judged: readonly KindRef[] = kinds ?? matchedKinds(policy.match);
    if (judged.some(isNamespaceKind) || matchedKinds(policy.match).some(isNamespaceKind))
      return false;
  }
  return true;
}

export function splitExceptions(
  policy: Policy,
  exceptions: readonly PolicyException[],
  api: KyvernoApi,
): KyvernoExceptionSplit {
  const own = exceptions.filter((e) => e.policy === policy.name);
  const canSay = (e: PolicyException) =>
    api === "clusterpolicy" ? clusterPolicyCanSay(e, policy) : coversEveryRule(e, policy);
  return { native: own.filter(canSay), folded: own.filter((e) => !canSay(e)) };
}

/** `spec.expiresAt` (RFC 3339) and the TTL label (Kyverno's `2006-01-02T150405Z` layout). */
export function kyvernoExpiry(expires: string): { expiresAt: string; ttl: string } {
  const instant = expiryInstant(expires);
  const expiresAt = new Date(instant).toISOString().replace(".000Z", "Z");
  // The label has whole seconds: round up, so the object is never deleted while in force.
  const ttl = new Date(Math.ceil(instant / 1000) * 1000)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replaceAll(":", "");
  return { expiresAt, ttl };
}

/**
 * Where Kyverno reads PolicyExceptions from: since 1.13 only the namespaces its
 * `exceptionNamespace` flag (Helm: `features.policyExceptions.namespace`) names, and one in any
 * other namespace is silently ignored. Charter puts every exception in one namespace, `kyverno`
 * (the chart's namespace) unless `--kyverno-exception-namespace` says otherwise, rather than
 * wherever `kubectl apply` happens to point.
 */
export const DEFAULT_EXCEPTION_NAMESPACE = "kyverno";

function metadataOf(exception: PolicyException, namespace: string) {
  return {
    name: exception.name,
    namespace,
    labels: { ...MANAGED_BY, [TTL_LABEL]: kyvernoExpiry(exception.expires).ttl },
    annotations: {
      "charter.dev/policy": exception.policy,
      ...(exception.rules ? { "charter.dev/rules": exception.rules.join(",") } : {}),
      "charter.dev/reason": exception.reason,
      "charter.dev/owner": exception.owner,
      "charter.dev/expires": exception.expires,
    },
  };
}

/**
 * A `policies.kyverno.io/v1` PolicyException exempting the whole ValidatingPolicy, or the whole
 * ImageValidatingPolicy of a policy with image rules (Kyverno 1.19.1 matches `policyRefs` by name
 * and kind, pkg/cel/policies/ivpol/engine/provider.go, and applies an exception whose match
 * conditions hold as a full exemption, pkg/image/verification/evaluator/policy.go).
 */
export function validatingPolicyException(
  exception: PolicyException,
  namespace = DEFAULT_EXCEPTION_NAMESPACE,
  kind: "ValidatingPolicy" | "ImageValidatingPolicy" = "ValidatingPolicy",
): object {
  return {
    apiVersion: POLICY_EXCEPTION_API_VERSION.validatingpolicy,
    kind: "PolicyException",
    metadata: metadataOf(exception, namespace),
    spec: {
      policyRefs: [{ name: exception.policy, kind }],
      matchConditions: [
        { name: EXCEPTION_CONDITION, expression: exceptionMatchCel(exception, "object") },
      ],
      expiresAt: kyvernoExpiry(exception.expires).expiresAt,
    },
  };
}

/** A `kyverno.io/v2` PolicyException for the rules of a ClusterPolicy it excuses. */
export function clusterPolicyException(
  exception: PolicyException,
  policy: Policy,
  namespace = DEFAULT_EXCEPTION_NAMESPACE,
): object {
  const { namespaces, kinds, labels } = exception.match;
  const selector = labels ? nativeLabelSelectorOf({ ...policy.match, labels }) : undefined;
  const ruleNames = requirementNames(policy).filter(
    (rule) => exception.rules === undefined || exception.rules.includes(rule),
  );
  return {
    apiVersion: POLICY_EXCEPTION_API_VERSION.clusterpolicy,
    kind: "PolicyException",
    metadata: metadataOf(exception, namespace),
    spec: {
      exceptions: [{ policyName: exception.policy, ruleNames }],
      match: {
        any: [
          {
            resources: {
              kinds: (kinds ?? matchedKinds(policy.match)).map(kyvernoKind),
              ...(namespaces ? { namespaces: [...namespaces] } : {}),
              ...(selector ? { selector } : {}),
            },
          },
        ],
      },
    },
  };
}
