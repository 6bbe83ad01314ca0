/**
 * The policy set's system namespaces as the cluster targets write them (semantics:
 * packages/ir/src/system-namespaces.ts): never judged, so applying the library never blocks
 * the control plane.
 *
 * - ValidatingAdmissionPolicy: the binding's `matchResources.namespaceSelector`, a `NotIn` on
 *   `kubernetes.io/metadata.name` (the label the API server sets on every Namespace to its
 *   name). The binding, not the policy: it is where a cluster admin decides where a policy is
 *   enforced, and a binding's `matchResources` is intersected with the policy's constraints.
 * - Kyverno ValidatingPolicy: the same requirement in `matchConstraints.namespaceSelector` (it
 *   has no binding; Kyverno matches with the API server's own matcher). ClusterPolicy: an
 *   `exclude` entry with `resources.namespaces` (Kyverno reads a Namespace by its own name).
 * - Gatekeeper: the Constraint's `match.excludedNamespaces` (gatekeeper/match.ts).
 * - Rego: `data.charter.systemNamespaces` (charter/data.json), read by `lib.in_system_namespace`
 *   in every policy's `applies`.
 *
 * For every one of them a namespaced object is left out by its namespace, a Namespace by its own
 * name (its label), and any other cluster-scoped object is judged — what the IR says.
 */
import { CharterError, NAMESPACE_NAME_PATTERN } from "@charter/ir";
import { type LabelSelectorRequirement, NAMESPACE_NAME_LABEL } from "./match-constraints.js";

/** The names, checked: each a namespace name, none twice. Throws a CharterError otherwise. */
export function checkSystemNamespaces(names: readonly string[], target: string): readonly string[] {
  const seen = new Set<string>();
  for (const name of names) {
    if (!NAMESPACE_NAME_PATTERN.test(name)) {
      throw new CharterError(
        `the system namespace ${JSON.stringify(name)} is not a namespace name (lower-case letters, digits and "-", at most 63); target "${target}" cannot leave it out: correct systemNamespaces in charter.config.ts`,
        {},
      );
    }
    if (seen.has(name)) {
      throw new CharterError(
        `the system namespace ${JSON.stringify(name)} is listed twice; list each once in systemNamespaces`,
        {},
      );
    }
    seen.add(name);
  }
  return names;
}

/** `kubernetes.io/metadata.name NotIn [names]`, or undefined when there are none. */
export function systemNamespaceRequirement(
  names: readonly string[],
): LabelSelectorRequirement | undefined {
  return names.length > 0
    ? { key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: [...names] }
    : undefined;
}

/**
 * A namespace selector with the system namespaces' requirement added (ANDed after the others):
 * the selector a VAP binding or a Kyverno ValidatingPolicy is emitted with.
 */
export function excludingSystemNamespaces(
  selector: { readonly matchExpressions: readonly LabelSelectorRequirement[] } | undefined,
  names: readonly string[],
): { readonly matchExpressions: readonly LabelSelectorRequirement[] } | undefined {
  const requirement = systemNamespaceRequirement(names);
  if (requirement === undefined) return selector;
  return { matchExpressions: [...(selector?.matchExpressions ?? []), requirement] };
}
