/**
 * `matchConstraints` for ValidatingAdmissionPolicy and Kyverno's ValidatingPolicy (the same
 * MatchResources type): the kinds as resource rules, and the namespace filter as a namespace
 * selector on the `kubernetes.io/metadata.name` label, which the API server sets on every
 * namespace.
 *
 * Pod controllers are matched explicitly (no Kyverno autogen): the kinds are those of the IR,
 * and the CEL reads each kind's pod template itself.
 *
 * The selector means what the IR means for every object but a Namespace: the API server never
 * skips other cluster-scoped objects for a namespace selector, but judges a Namespace by its
 * own labels. So a policy matching Namespaces gets no selector and relies on the CEL match
 * conditions alone.
 */
import {
  CharterError,
  type KindRef,
  type Match,
  POD_CONTROLLERS,
  POD_KIND,
  type Policy,
} from "@charter/ir";
import { isNamespaceKind, kindInfo } from "./kinds.js";

/** The operations Charter judges: what a resource is created as or changed to. */
export const OPERATIONS = ["CREATE", "UPDATE"] as const;

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

export interface MatchResources {
  readonly resourceRules: readonly ResourceRule[];
  readonly namespaceSelector?: { readonly matchExpressions: readonly LabelSelectorRequirement[] };
}

/** The kinds a match applies to: for `pod`, Pod and (unless opted out) every pod controller. */
export function matchedKinds(match: Match): readonly KindRef[] {
  if (match.subject === "kinds") return match.kinds;
  const controllers = match.controllers
    ? POD_CONTROLLERS.map(({ group, kind }): KindRef => ({ group, kind }))
    : [];
  return [POD_KIND, ...controllers];
}

/** One rule per (API group, version), groups and resources in the order the kinds came. */
export function resourceRulesOf(kinds: readonly KindRef[]): readonly ResourceRule[] {
  const rules = new Map<string, { group: string; version: string; resources: string[] }>();
  for (const ref of kinds) {
    const info = kindInfo(ref);
    const key = `${info.group}/${info.version}`;
    const rule = rules.get(key) ?? { group: info.group, version: info.version, resources: [] };
    if (!rule.resources.includes(info.resource)) rule.resources.push(info.resource);
    rules.set(key, rule);
  }
  return [...rules.values()].map((rule) => ({
    apiGroups: [rule.group],
    apiVersions: [rule.version],
    operations: [...OPERATIONS],
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
  return {
    resourceRules: resourceRulesOf(matchedKinds(policy.match)),
    ...(requirements.length > 0 ? { namespaceSelector: { matchExpressions: requirements } } : {}),
  };
}
