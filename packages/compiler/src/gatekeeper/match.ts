/**
 * A Constraint's `spec.match` from a policy's match: the kinds by API group (a `pod` policy
 * also lists the pod controllers of packages/ir/src/pod.ts), and the namespace filter.
 *
 * Gatekeeper reads `namespaces` entries as prefix or suffix globs (`kube-*`) and its schema
 * allows only `^\*?[-:a-z0-9]*\*?$`; Charter's namespace filter names namespaces exactly, so
 * a name outside that alphabet, or with a `*`, cannot be expressed.
 *
 * Gatekeeper reads a Namespace object's own name against `namespaces` and `excludedNamespaces`
 * (checked with gator in the runtime's tests), where the IR's namespace filter lets every
 * Namespace through (it has no `metadata.namespace`): so a policy matching Namespaces gets its
 * own filter from the template's Rego (`applies`) alone, as on VAP.
 *
 * The policy set's system namespaces (packages/ir/src/system-namespaces.ts) are added to
 * `excludedNamespaces` for every policy: there Gatekeeper's reading of a Namespace by its name
 * is exactly the setting's, and a cluster admin finds the exclusion where Gatekeeper puts it.
 * The template's Rego does not repeat it (Gatekeeper templates may read no `data.charter`).
 *
 * The label selector becomes `labelSelector`, which Gatekeeper reads on the object's own
 * labels, as the IR does; the template's Rego (`applies`) tests it too.
 *
 * Pods changed through `pods/ephemeralcontainers` or `pods/resize` need nothing here: Gatekeeper
 * matches `kinds` on the object's own kind (a Pod), whatever the subresource, and the Rego reads
 * the whole Pod in `input.review.object`. What they need is Gatekeeper's webhook registering those
 * subresources (docs/capabilities.md, "Pods changed after creation").
 */
import {
  CharterError,
  type JsonObject,
  type KindRef,
  POD_CONTROLLERS,
  POD_KIND,
  type Policy,
} from "@charter/ir";
import { nativeLabelSelectorOf } from "../admission/match-constraints.js";

const NAMESPACE = /^[-:a-z0-9]+$/;

/** The kinds a policy's Constraint matches, in the IR's order. */
export function matchedKinds(policy: Policy): readonly KindRef[] {
  const { match } = policy;
  if (match.subject === "kinds") return match.kinds;
  return match.controllers
    ? [POD_KIND, ...POD_CONTROLLERS.map(({ group, kind }) => ({ group, kind }))]
    : [POD_KIND];
}

/** `[{apiGroups: [g], kinds: [...]}]`, one entry per API group in order of first appearance. */
function kindsByGroup(kinds: readonly KindRef[]): JsonObject[] {
  const groups = new Map<string, string[]>();
  for (const { group, kind } of kinds) {
    const list = groups.get(group) ?? [];
    if (!list.includes(kind)) list.push(kind);
    groups.set(group, list);
  }
  return [...groups].map(([group, list]) => ({ apiGroups: [group], kinds: list }));
}

function namespaces(policy: Policy, list: readonly string[] | undefined): string[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  if (matchedKinds(policy).some((k) => k.group === "" && k.kind === "Namespace")) return undefined;
  for (const namespace of list) {
    if (!NAMESPACE.test(namespace)) {
      throw new CharterError(
        `policy "${policy.name}": the namespace ${JSON.stringify(namespace)} is not a namespace name Gatekeeper matches exactly (it reads "*" as a glob and allows only [-:a-z0-9]); target "gatekeeper" cannot express it`,
        policy.source ?? {},
      );
    }
  }
  return [...list];
}

/** `systemNamespaces`: the policy set's, names already checked (checkSystemNamespaces). */
export function constraintMatch(
  policy: Policy,
  systemNamespaces: readonly string[] = [],
): JsonObject {
  const include = namespaces(policy, policy.match.namespaces?.include);
  const own = namespaces(policy, policy.match.namespaces?.exclude) ?? [];
  const exclude = [...own, ...systemNamespaces.filter((name) => !own.includes(name))];
  const labelSelector = nativeLabelSelectorOf(policy.match);
  return {
    kinds: kindsByGroup(matchedKinds(policy)),
    ...(include !== undefined ? { namespaces: include } : {}),
    ...(exclude.length > 0 ? { excludedNamespaces: exclude } : {}),
    ...(labelSelector ? { labelSelector: labelSelector as unknown as JsonObject } : {}),
  };
}
