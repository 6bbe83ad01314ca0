/**
 * System namespaces: a setting of the policy set (`systemNamespaces` in charter.config.ts), not
 * of any one policy, so that applying the library never blocks the control plane. The
 * semantics every target and engine implements:
 *
 * - An object is IN A SYSTEM NAMESPACE when it is a core Namespace (API group "", kind
 *   `Namespace`) whose `metadata.name` is listed — the system Namespace object itself — or any
 *   other object whose own `metadata.namespace` is a string listed in the setting. A pod controller is placed
 *   by its own namespace (its template has none).
 * - Every other object is judged: cluster-scoped objects (a Node, a ClusterRoleBinding, a
 *   Namespace not listed) and namespaced objects written without a namespace (they land where
 *   `kubectl apply` puts them, `default` unless told otherwise).
 * - No policy judges an object in a system namespace: every rule of every policy that matches
 *   it (its kinds, namespace filter and label selector) gives a `skip` row whose message names
 *   the namespace and the setting, on every engine alike, before anything else is decided (a
 *   controller without a pod template, a rule whose Namespace is unknown). A policy exception
 *   that covers the row still names itself on it, as on any other row.
 *
 * That is what the API server decides for a binding's `namespaceSelector` on the
 * `kubernetes.io/metadata.name` label, which it sets on every Namespace to the Namespace's name
 * (k8s.io/kubernetes pkg/apis/core/v1/defaults.go `SetDefaults_Namespace`): a namespaced object
 * is selected by its Namespace's labels, a Namespace by its own, any other cluster-scoped object
 * always (k8s.io/apiserver pkg/admission/plugin/webhook/predicates/namespace `MatchNamespaceSelector`).
 * Gatekeeper's `excludedNamespaces` and Kyverno's `exclude.namespaces` read a Namespace's own
 * name the same way.
 *
 * Policy cases (`charter test`), `expectPolicy` tests and the external conformance suites are
 * judged without the setting: a case says what the policy decides about a resource, wherever
 * it is; the setting says where a project enforces the library.
 */
import type { Json, JsonObject } from "./json.js";
import { groupOf } from "./pod.js";

/** The namespaces of the Kubernetes control plane: the setting's default. */
export const DEFAULT_SYSTEM_NAMESPACES: readonly string[] = Object.freeze([
  "kube-system",
  "kube-public",
  "kube-node-lease",
]);

/** A namespace name (an RFC 1123 label): the only names a selector or match can list. */
export const NAMESPACE_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The system namespace the object is in (see the header), or undefined when it is judged.
 * Any value it cannot read (no metadata, a namespace that is not a string) means "judged".
 */
export function systemNamespaceOf(
  object: Json,
  systemNamespaces: readonly string[],
): string | undefined {
  if (systemNamespaces.length === 0 || !isObject(object)) return undefined;
  const metadata = isObject(object.metadata) ? object.metadata : undefined;
  if (metadata === undefined) return undefined;
  const { apiVersion, kind } = object;
  if (typeof apiVersion === "string" && groupOf(apiVersion) === "" && kind === "Namespace") {
    // Cluster-scoped: the API server clears a namespace written on it; its name places it.
    const { name } = metadata;
    return typeof name === "string" && systemNamespaces.includes(name) ? name : undefined;
  }
  const { namespace } = metadata;
  return typeof namespace === "string" && systemNamespaces.includes(namespace)
    ? namespace
    : undefined;
}
