/**
 * `matchConstraints` for ValidatingAdmissionPolicy and Kyverno's ValidatingPolicy (the same
 * MatchResources type): the kinds as resource rules, and the namespace filter as a namespace
 * selector on the `kubernetes.io/metadata.name` label, which the API server sets on every
 * namespace.
 *
 * Pod controllers are matched explicitly (no Kyverno autogen): the kinds are those of the IR,
 * and the CEL reads each kind's pod template itself. A policy matching Pods also names
 * `pods/ephemeralcontainers` and `pods/resize` (`admissionResources`), or a container added by
 * `kubectl debug` would never be judged.
 *
 * The selector means what the IR means for every object but a Namespace: the API server never
 * skips other cluster-scoped objects for a namespace selector, but judges a Namespace by its
 * own labels. So a policy matching Namespaces gets no selector and relies on the CEL match
 * conditions alone.
 *
 * The label selector is written natively as `objectSelector` (the object's own labels, as the
 * IR means), and is also a CEL match condition: the API server would test the old object's
 * labels too on an UPDATE, the CEL reads only the object being judged.
 */
import {
  CharterError,
  isPodKind,
  type KindRef,
  type LabelRequirement,
  type Match,
  operationsOf,
  POD_CONTROLLERS,
  POD_KIND,
  POD_SPEC_SUBRESOURCES,
  type Policy,
} from "@charter/ir";
import { isNamespaceKind, kindInfo } from "./kinds.js";

/**
 * The operations a policy judges (packages/ir README, item 17): its `match.operations`, CREATE
 * and UPDATE by default, in the order CREATE, UPDATE, DELETE.
 */
export function admissionOperations(match: Match): readonly string[] {
  return [...operationsOf(match)];
}

export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export interface ResourceRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly operations: readonly string[];
  readonly resources: readonly string[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn";
  readonly values: readonly string[];
}

/** A Kubernetes `metav1.LabelSelector`, as every target's native selector field takes it. */
export interface NativeLabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelRequirement[];
}

export interface MatchResources {
  readonly resourceRules: readonly ResourceRule[];
  readonly namespaceSelector?: { readonly matchExpressions: readonly LabelSelectorRequirement[] };
  readonly objectSelector?: NativeLabelSelector;
}

/**
 * The policy's label selector as a Kubernetes LabelSelector, or undefined when it selects
 * everything (absent or without requirements). The IR's keys and values already have label
 * syntax (the IR schema and the DSL check it), so the API server accepts them, and Kyverno
 * finds no `*` or `?` to read as wildcards.
 */
export function nativeLabelSelectorOf(match: Match): NativeLabelSelector | undefined {
  const matchLabels = Object.entries(match.labels?.matchLabels ?? {});
  const matchExpressions = match.labels?.matchExpressions ?? [];
  if (matchLabels.length === 0 && matchExpressions.length === 0) return undefined;
  return {
    ...(matchLabels.length > 0 ? { matchLabels: Object.fromEntries(matchLabels) } : {}),
    ...(matchExpressions.length > 0
      ? {
          matchExpressions: matchExpressions.map((r) =>
            r.operator === "In" || r.operator === "NotIn"
              ? { key: r.key, operator: r.operator, values: [...r.values] }
              : { key: r.key, operator: r.operator },
          ),
        }
      : {}),
  };
}

/** The kinds a match applies to: for `pod`, Pod and (unless opted out) every pod controller. */
export function matchedKinds(match: Match): readonly KindRef[] {
  if (match.subject === "kinds") return match.kinds;
  const controllers = match.controllers
    ? POD_CONTROLLERS.map(({ group, kind }): KindRef => ({ group, kind }))
    : [];
  return [POD_KIND, ...controllers];
}

/**
 * The resources admission must name for a kind: its own, and for the core Pod also the
 * subresources through which a Pod's spec changes (`pods/ephemeralcontainers`, the route of
 * `kubectl debug`, and `pods/resize`; see POD_SPEC_SUBRESOURCES for why these and not
 * `pods/status`). The API server matches a subresource only when a rule names it, and the
 * request it judges is an UPDATE of the whole Pod as it will be, so the same CEL applies.
 */
export function admissionResources(ref: KindRef): readonly string[] {
  const { resource } = kindInfo(ref);
  if (!isPodKind(ref)) return [resource];
  return [resource, ...POD_SPEC_SUBRESOURCES.map((sub) => `${resource}/${sub}`)];
}

/** One rule per (API group, version), groups and resources in the order the kinds came. */
export function resourceRulesOf(
  kinds: readonly KindRef[],
  operations: readonly string[],
): readonly ResourceRule[] {
  const rules = new Map<string, { group: string; version: string; resources: string[] }>();
  for (const ref of kinds) {
    const info = kindInfo(ref);
    const key = `${info.group}/${info.version}`;
    const rule = rules.get(key) ?? { group: info.group, version: info.version, resources: [] };
    for (const resource of admissionResources(ref)) {
      if (!rule.resources.includes(resource)) rule.resources.push(resource);
    }
    rules.set(key, rule);
  }
  return [...rules.values()].map((rule) => ({
    apiGroups: [rule.group],
    apiVersions: [rule.version],
    operations: [...operations],
    resources: rule.resources,
  }));
}

/** A namespace name (RFC 1123 label): anything else can name no namespace, and breaks a selector. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The filter's namespace names, checked: the API server rejects a selector on any other. */
export function namespaceNames(policy: Policy, target: string) {
  const include = policy.match.namespaces?.include ?? [];
  const exclude = policy.match.namespaces?.exclude ?? [];
  for (const name of [...include, ...exclude]) {
    if (!NAMESPACE_NAME.test(name)) {
      throw new CharterError(
        `policy "${policy.name}": ${JSON.stringify(name)} is not a namespace name (lower-case letters, digits and "-", at most 63); target "${target}" cannot match it: correct the namespaces filter`,
        policy.source ?? {},
      );
    }
  }
  return { include, exclude };
}

/** The namespace filter as selector requirements, or none when it cannot be said natively. */
export function namespaceRequirementsOf(
  policy: Policy,
  target: string,
): readonly LabelSelectorRequirement[] {
  const { match } = policy;
  const { include, exclude } = namespaceNames(policy, target);
  if (matchedKinds(match).some(isNamespaceKind)) return [];
  return [
    ...(include.length > 0
      ? [{ key: NAMESPACE_NAME_LABEL, operator: "In" as const, values: [...include] }]
      : []),
    ...(exclude.length > 0
      ? [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn" as const, values: [...exclude] }]
      : []),
  ];
}

export function matchConstraintsOf(policy: Policy, target: string): MatchResources {
  const requirements = namespaceRequirementsOf(policy, target);
  const objectSelector = nativeLabelSelectorOf(policy.match);
  return {
    resourceRules: resourceRulesOf(matchedKinds(policy.match), admissionOperations(policy.match)),
    ...(requirements.length > 0 ? { namespaceSelector: { matchExpressions: requirements } } : {}),
    ...(objectSelector ? { objectSelector } : {}),
  };
}
