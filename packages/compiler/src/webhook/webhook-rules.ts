/**
 * The admission rules of Charter's webhook: the union of what its policies match, as the API
 * server must route it. Nothing a policy judges may be left out (its request would be admitted
 * unjudged); what no policy judges is left out (the API server need not call the webhook).
 *
 * - Kinds and resources as the VAP target names them (../admission/kinds.ts), pod controllers
 *   included, each at the version VAP matches (`matchPolicy: Equivalent` routes the others).
 * - Operations from each policy's `match.operations` (`operationsOf`: absent is CREATE and
 *   UPDATE), unioned per resource; never CONNECT, which no policy judges (IR item 17).
 * - Subresources are left out, except `pods/ephemeralcontainers` and `pods/resize` for a policy
 *   that judges Pods (`judgesPods`; IR item 11): a Pod's spec changes through them, and the API
 *   server matches a subresource only when a rule names it. Both are only ever UPDATEs (neither
 *   can be created or deleted), so they carry a policy's UPDATE and nothing else.
 * - `scope` says what a known kind is; a kind Charter does not know (a CRD) gets `*`.
 */
import {
  isPodKind,
  judgesPods,
  type KindRef,
  type Operation,
  operationsOf,
  POD_SPEC_SUBRESOURCES,
  type Policy,
} from "@charter/ir";
import { kindInfo } from "../admission/kinds.js";
import { matchedKinds } from "../admission/match-constraints.js";

export type RuleScope = "Namespaced" | "Cluster" | "*";

export interface WebhookRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly operations: readonly Operation[];
  readonly resources: readonly string[];
  readonly scope: RuleScope;
}

/** One resource (or subresource) the webhook must see, and the operations it must see it for. */
export interface RoutedResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly scope: RuleScope;
  readonly operations: ReadonlySet<Operation>;
}

const ORDER: readonly Operation[] = ["CREATE", "UPDATE", "DELETE"];

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function scopeOf(ref: KindRef): RuleScope {
  const { scope } = kindInfo(ref);
  return scope === "Unknown" ? "*" : scope;
}

/** Every resource the policies judge, with the union of their operations on it. */
export function routedResources(
  policies: readonly Policy[],
  kinds: (ref: KindRef) => boolean = () => true,
): RoutedResource[] {
  const routed = new Map<
    string,
    Omit<RoutedResource, "operations"> & { operations: Set<Operation> }
  >();
  const route = (ref: KindRef, resource: string, operations: readonly Operation[]) => {
    if (operations.length === 0) return;
    const info = kindInfo(ref);
    const key = `${info.group}\u0000${resource}`;
    const entry = routed.get(key) ?? {
      group: info.group,
      version: info.version,
      resource,
      scope: scopeOf(ref),
      operations: new Set<Operation>(),
    };
    for (const operation of operations) entry.operations.add(operation);
    routed.set(key, entry);
  };
  for (const policy of policies) {
    const operations = operationsOf(policy.match);
    for (const ref of matchedKinds(policy.match).filter(kinds)) {
      route(ref, kindInfo(ref).resource, operations);
      if (isPodKind(ref) && judgesPods(policy.match)) {
        const updates = operations.filter((operation) => operation === "UPDATE");
        for (const sub of POD_SPEC_SUBRESOURCES)
          route(ref, `${kindInfo(ref).resource}/${sub}`, updates);
      }
    }
  }
  return [...routed.values()].sort(
    (a, b) => byCodePoint(a.group, b.group) || byCodePoint(a.resource, b.resource),
  );
}

/**
 * The rules: one per (API group, version, scope, operations), its resources in code point
 * order, so the same policies give the same rules whatever order they load in.
 */
export function webhookRulesOf(resources: readonly RoutedResource[]): WebhookRule[] {
  const rules = new Map<string, WebhookRule & { resources: string[] }>();
  for (const routed of resources) {
    const operations = ORDER.filter((operation) => routed.operations.has(operation));
    const key = [routed.group, routed.version, routed.scope, ...operations].join("\u0000");
    const rule = rules.get(key) ?? {
      apiGroups: [routed.group],
      apiVersions: [routed.version],
      operations,
      resources: [],
      scope: routed.scope,
    };
    rule.resources.push(routed.resource);
    rules.set(key, rule);
  }
  return [...rules.values()];
}
