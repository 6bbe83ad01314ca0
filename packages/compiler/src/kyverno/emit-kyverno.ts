/**
 * The Kyverno target: one file per policy, a CEL ValidatingPolicy by default or a ClusterPolicy
 * with `validate.cel` rules on request.
 *
 * Extension point for PolicyExceptions (issue 5): an exception names what `kyvernoPolicyRef`
 * gives (the object's kind and name, and for ClusterPolicy its rule names); an exception
 * emitter adds its own files (`exceptions/<name>.yaml`) to the map `emitKyverno` returns, with
 * `policies.kyverno.io/v1` PolicyException for ValidatingPolicy and `kyverno.io/v2` for
 * ClusterPolicy.
 */
import { CharterError, type Policy, type PolicyException } from "@charter/ir";
import { checkSystemNamespaces } from "../admission/system-namespaces.js";
import { checkUniqueNames } from "../admission/unique-names.js";
import { requirementNames } from "../images/index.js";
import { toYaml } from "../yaml.js";
import { clusterPolicyDocument } from "./cluster-policy.js";
import {
  clusterPolicyException,
  DEFAULT_EXCEPTION_NAMESPACE,
  splitExceptions,
  validatingPolicyException,
} from "./exceptions.js";
import { imageValidatingPolicyDocument } from "./image-validating-policy.js";
import { KYVERNO_APIS, type KyvernoApi } from "./kyverno-api.js";
import { validatingPolicyDocument } from "./validating-policy.js";

export interface KyvernoOptions {
  /** `validatingpolicy` (default; Kyverno ≥ 1.17) or `clusterpolicy` (Kyverno 1.13–1.19). */
  readonly api?: KyvernoApi;
  /**
   * Policy exceptions: each becomes `exceptions/<name>.yaml` (a Kyverno PolicyException with
   * its expiry) or, where Kyverno's exception cannot say it exactly, is folded into the CEL of
   * the rules it excuses (see exceptions.ts). Folded exceptions have no clock: pass only
   * those in force (the CLI does).
   */
  readonly exceptions?: readonly PolicyException[];
  /** The namespace of the emitted PolicyExceptions (default `kyverno`; see exceptions.ts). */
  readonly exceptionNamespace?: string;
  /**
   * The policy set's system namespaces (packages/ir/src/system-namespaces.ts), left out by
   * every policy's match. None by default; `charter build` passes the config's.
   */
  readonly systemNamespaces?: readonly string[];
}

/** What a Kyverno PolicyException must name to exempt resources from this policy. */
export interface KyvernoPolicyRef {
  readonly kind: "ValidatingPolicy" | "ImageValidatingPolicy" | "ClusterPolicy";
  readonly name: string;
  /** Kyverno rule names (ClusterPolicy only: a ValidatingPolicy is exempted whole). */
  readonly ruleNames: readonly string[];
}

export function kyvernoPolicyRef(
  policy: Policy,
  api: KyvernoApi = "validatingpolicy",
): KyvernoPolicyRef {
  if (api === "clusterpolicy") {
    return { kind: "ClusterPolicy", name: policy.name, ruleNames: requirementNames(policy) };
  }
  const kind = policy.images ? "ImageValidatingPolicy" : "ValidatingPolicy";
  return { kind, name: policy.name, ruleNames: [] };
}

export function kyvernoDocument(
  policy: Policy,
  api: KyvernoApi = "validatingpolicy",
  folded: readonly PolicyException[] = [],
  systemNamespaces: readonly string[] = [],
): object {
  if (api === "clusterpolicy") return clusterPolicyDocument(policy, folded, systemNamespaces);
  // Image rules need the registry, which only Kyverno's image policies reach.
  return policy.images
    ? imageValidatingPolicyDocument(policy, folded, systemNamespaces)
    : validatingPolicyDocument(policy, folded, systemNamespaces);
}

/**
 * Emits every policy for Kyverno: `<policy>.yaml` → contents, sorted by path. The same
 * policies and options give byte-identical output.
 *
 * ### Examples
 * A `deny` policy matching `pod` gives, by default,
 * ```yaml
 * apiVersion: policies.kyverno.io/v1
 * kind: ValidatingPolicy
 * spec:
 *   validationActions: [Deny]
 *   failurePolicy: Fail
 *   matchConstraints: { resourceRules: [{ apiGroups: [""], …, resources: [pods, replicationcontrollers] }, …] }
 *   validations: [{ expression: …, messageExpression: …, message: …, reason: Forbidden }]
 *   evaluation: { admission: { enabled: true }, background: { enabled: true } }
 *   autogen: { podControllers: { controllers: [] } }
 * ```
 * and with `{ api: "clusterpolicy" }` a ClusterPolicy whose rules carry
 * `validate: { failureAction: Enforce, cel: { expressions: [...] } }`. A policy with image rules
 * gives an ImageValidatingPolicy (image-validating-policy.ts), or ClusterPolicy `verifyImages`
 * rules (verify-images.ts).
 */
export function emitKyverno(
  policies: readonly Policy[],
  options: KyvernoOptions = {},
): Map<string, string> {
  const api = options.api ?? "validatingpolicy";
  if (!KYVERNO_APIS.includes(api)) {
    throw new CharterError(
      `unknown Kyverno API "${String(api)}": use ${KYVERNO_APIS.map((name) => `"${name}"`).join(" or ")}`,
    );
  }
  checkUniqueNames(policies, "kyverno");
  const exceptions = options.exceptions ?? [];
  const namespace = options.exceptionNamespace ?? DEFAULT_EXCEPTION_NAMESPACE;
  if (!isNamespaceName(namespace)) {
    throw new CharterError(
      `the Kyverno exception namespace ${JSON.stringify(namespace)} is not a namespace name`,
      {},
      "a namespace name is at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
  }
  const systemNamespaces = checkSystemNamespaces(options.systemNamespaces ?? [], "kyverno");
  const files: [string, string][] = [];
  for (const policy of policies) {
    const { native, folded } = splitExceptions(policy, exceptions, api);
    files.push([
      `${policy.name}.yaml`,
      toYaml([kyvernoDocument(policy, api, folded, systemNamespaces)]),
    ]);
    for (const exception of native) {
      const document =
        api === "clusterpolicy"
          ? clusterPolicyException(exception, policy, namespace)
          : validatingPolicyException(
              exception,
              namespace,
              policy.images ? "ImageValidatingPolicy" : "ValidatingPolicy",
            );
      files.push([`exceptions/${exception.name}.yaml`, toYaml([document])]);
    }
  }
  files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map(files);
}

/** An RFC 1123 label: what Kubernetes takes as a namespace name. */
function isNamespaceName(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}
