/**
 * The ValidatingAdmissionPolicy target (`admissionregistration.k8s.io/v1`, GA in Kubernetes
 * 1.30): per policy one file holding the policy and its binding.
 */
import type { Policy, PolicyException } from "@charter/ir";
import { admissionSpecOf } from "../admission/admission-spec.js";
import {
  charterAnnotations,
  foldedExceptionsAnnotation,
  MANAGED_BY,
} from "../admission/metadata.js";
import {
  checkSystemNamespaces,
  excludingSystemNamespaces,
} from "../admission/system-namespaces.js";
import { checkUniqueNames } from "../admission/unique-names.js";
import { validationActionsOf } from "../admission/validation-actions.js";
import { toYaml } from "../yaml.js";

const API_VERSION = "admissionregistration.k8s.io/v1";

/** The binding's name: the policy's, with a suffix so the two read apart in `kubectl get`. */
export function vapBindingName(policy: Policy): string {
  return `${policy.name}-binding`;
}

export interface VapOptions {
  /**
   * Policy exceptions, folded into the validation of each rule they excuse
   * (`<excused> || <rule holds>`, see ../cel/exception-match.ts). VAP has no clock: pass only
   * the exceptions in force; the CLI drops expired ones and `build --check` reports them.
   */
  readonly exceptions?: readonly PolicyException[];
  /**
   * The policy set's system namespaces (packages/ir/src/system-namespaces.ts): each binding's
   * `matchResources.namespaceSelector` leaves them out. None by default; `charter build`
   * passes the config's.
   */
  readonly systemNamespaces?: readonly string[];
}

export function vapDocuments(
  policy: Policy,
  exceptions: readonly PolicyException[] = [],
  systemNamespaces: readonly string[] = [],
): readonly object[] {
  const folded = exceptions.filter((e) => e.policy === policy.name);
  const namespaceSelector = excludingSystemNamespaces(undefined, systemNamespaces);
  return [
    {
      apiVersion: API_VERSION,
      kind: "ValidatingAdmissionPolicy",
      metadata: {
        name: policy.name,
        labels: MANAGED_BY,
        annotations: { ...charterAnnotations(policy), ...foldedExceptionsAnnotation(folded) },
      },
      spec: admissionSpecOf(policy, "vap", folded),
    },
    {
      apiVersion: API_VERSION,
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: vapBindingName(policy), labels: MANAGED_BY },
      spec: {
        policyName: policy.name,
        validationActions: validationActionsOf(policy.enforcement),
        ...(namespaceSelector ? { matchResources: { namespaceSelector } } : {}),
      },
    },
  ];
}

/**
 * Emits ValidatingAdmissionPolicy + Binding per policy: `<policy>.yaml` → contents, sorted by
 * path. The same policies give byte-identical output.
 *
 * ### Examples
 * A `deny` policy `disallow-host-path` matching `pod` gives
 * ```yaml
 * kind: ValidatingAdmissionPolicy
 * spec:
 *   failurePolicy: Fail
 *   matchConstraints:
 *     resourceRules:
 *       - { apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods, replicationcontrollers] }
 *       - { apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments, …] }
 *   validations: [{ expression: …, messageExpression: …, message: …, reason: Forbidden }]
 * ---
 * kind: ValidatingAdmissionPolicyBinding
 * spec:
 *   policyName: disallow-host-path
 *   validationActions: [Deny]
 *   # with systemNamespaces (charter build: kube-system, kube-public, kube-node-lease):
 *   matchResources:
 *     namespaceSelector:
 *       matchExpressions: [{ key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, …] }]
 * ```
 */
export function emitVap(
  policies: readonly Policy[],
  options: VapOptions = {},
): Map<string, string> {
  checkUniqueNames(policies, "vap");
  const exceptions = options.exceptions ?? [];
  const systemNamespaces = checkSystemNamespaces(options.systemNamespaces ?? [], "vap");
  const files = policies.map((policy): [string, string] => [
    `${policy.name}.yaml`,
    toYaml(vapDocuments(policy, exceptions, systemNamespaces)),
  ]);
  files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map(files);
}
